from odoo import fields, models


class OlimpKpiProfileAssignWizard(models.TransientModel):
    """Lets KPI administrators who are not HR officers set the KPI profile of employees."""

    _name = "olimp.kpi.profile.assign.wizard"
    _description = "Assign a KPI Profile to Employees"

    profile_id = fields.Many2one(comodel_name="olimp.kpi.profile", required=True)
    employee_ids = fields.Many2many(comodel_name="hr.employee", string="Employees")

    def action_assign(self):
        self.ensure_one()
        self.profile_id.check_access("write")
        self.employee_ids.sudo().write({"olimp_kpi_profile_id": self.profile_id.id})
        return {"type": "ir.actions.act_window_close"}
