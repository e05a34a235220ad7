from odoo import fields, models


class HrContract(models.Model):
    _inherit = "hr.contract"

    olimp_target_bonus = fields.Monetary(
        string="KPI Target Bonus",
        tracking=True,
        help="Bonus paid for a month at 100% KPI efficiency. The example salary rule KPI bonus pays this amount "
        "× the efficiency of the closed scorecards of the payslip's period / 100.",
    )
