from odoo import fields, models


class OlimpKpiChecklistItem(models.Model):
    """One question of a qualitative KPI, answered yes or no by an expert every month."""

    _name = "olimp.kpi.checklist.item"
    _description = "KPI Checklist Item"
    _order = "sequence, id"

    kpi_id = fields.Many2one(comodel_name="olimp.kpi", string="KPI", required=True, ondelete="cascade", index=True)
    name = fields.Char(string="Question", required=True, translate=True)
    sequence = fields.Integer(default=10)
    evidence = fields.Selection(
        selection=[("none", "None")],
        default="none",
        required=True,
        help="Data shown next to the expert's answer to support it (added by other modules, e.g. follow-ups).",
    )
