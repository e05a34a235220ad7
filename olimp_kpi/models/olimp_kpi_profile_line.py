from odoo import api, fields, models
from odoo.exceptions import ValidationError


class OlimpKpiProfileLine(models.Model):
    """A KPI of a profile with its weight, monthly target, floor and cap."""

    _name = "olimp.kpi.profile.line"
    _inherit = ["olimp.kpi.line.plan"]
    _description = "KPI Profile Line"
    _order = "sequence, id"

    profile_id = fields.Many2one(comodel_name="olimp.kpi.profile", required=True, ondelete="cascade", index=True)
    kpi_id = fields.Many2one(comodel_name="olimp.kpi", string="KPI", required=True, ondelete="restrict")
    kind = fields.Selection(related="kpi_id.kind")
    unit = fields.Selection(related="kpi_id.unit")

    _sql_constraints = [
        ("kpi_unique", "UNIQUE(profile_id, kpi_id)", "A KPI can appear only once in a profile."),
    ]

    @api.onchange("kpi_id")
    def _onchange_kpi_id(self):
        for line in self.filtered(lambda ln: ln.kpi_id.kind == "qualitative" and not ln.target):
            line.target = 100.0

    @api.constrains("kpi_id", "profile_id")
    def _check_kpi_company(self):
        """A profile of a company counts KPIs of that company or shared ones; a shared profile, shared KPIs."""
        for line in self.sudo():
            kpi_company = line.kpi_id.company_id
            if kpi_company and kpi_company != line.profile_id.company_id:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s belongs to %(company)s: it cannot be part of profile %(profile)s, which is "
                        "%(profile_company)s.",
                        kpi=line.kpi_id.display_name,
                        company=kpi_company.name,
                        profile=line.profile_id.display_name,
                        profile_company=line.profile_id.company_id.name or self.env._("shared by all companies"),
                    )
                )

    @api.constrains("kpi_id")
    def _check_kpi_active(self):
        for line in self:
            if not line.kpi_id.active:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s is archived: restore it or remove it from profile %(profile)s.",
                        kpi=line.kpi_id.display_name,
                        profile=line.profile_id.display_name,
                    )
                )
