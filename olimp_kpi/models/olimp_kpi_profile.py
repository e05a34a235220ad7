from odoo import api, fields, models


class OlimpKpiProfile(models.Model):
    """A plan template: the KPIs of a job with their weights and monthly targets."""

    _name = "olimp.kpi.profile"
    _description = "KPI Profile"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(comodel_name="res.company", default=lambda self: self.env.company)
    line_ids = fields.One2many(
        comodel_name="olimp.kpi.profile.line",
        inverse_name="profile_id",
        string="KPIs",
        copy=True,
    )
    employee_ids = fields.One2many(
        comodel_name="hr.employee",
        inverse_name="olimp_kpi_profile_id",
        string="Employees",
        groups="hr.group_hr_user",
    )
    employee_count = fields.Integer(compute="_compute_employee_count")
    total_weight = fields.Float(compute="_compute_total_weight")

    def _compute_employee_count(self):
        # A head count is not sensitive: KPI administrators see it without reading employees.
        counts = dict(
            self.env["hr.employee"]
            .sudo()
            ._read_group([("olimp_kpi_profile_id", "in", self.ids)], ["olimp_kpi_profile_id"], ["__count"])
        )
        for profile in self:
            profile.employee_count = counts.get(profile, 0)

    @api.constrains("company_id")
    def _check_company_of_lines(self):
        self.line_ids._check_kpi_company()
        self.env["hr.employee"].sudo().search([("olimp_kpi_profile_id", "in", self.ids)])._check_olimp_kpi_user()

    @api.depends("line_ids.weight")
    def _compute_total_weight(self):
        for profile in self:
            profile.total_weight = sum(profile.line_ids.mapped("weight"))

    def action_assign_employees(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assign %(profile)s", profile=self.name),
            "res_model": "olimp.kpi.profile.assign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_profile_id": self.id},
        }

    def action_open_employees(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Employees of %(profile)s", profile=self.name),
            "res_model": "hr.employee",
            "view_mode": "list,form",
            "domain": [("olimp_kpi_profile_id", "=", self.id)],
            "context": {"default_olimp_kpi_profile_id": self.id},
        }
