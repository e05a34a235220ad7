from odoo import fields, models


class Commission(models.Model):
    _inherit = "commission"

    olimp_apply_efficiency = fields.Boolean(
        string="Apply KPI Efficiency",
        help="Settlements pay this commission × the agent's KPI efficiency (%), read from the closed monthly "
        "scorecards of the employee whose user the agent is.",
    )
    olimp_efficiency_basis = fields.Selection(
        selection=[("month", "Month of each sale"), ("period", "Settlement period")],
        string="Efficiency Of",
        default="month",
        required=True,
        help="Month of each sale: the closed scorecard of the month of each commission line (the settled month for "
        "monthly settlements). Settlement period: the average efficiency of the closed scorecards of the months of "
        "the settlement; months without one are named on the settlement.",
    )
    olimp_efficiency_floor = fields.Float(
        string="Efficiency Floor (%)",
        default=0.0,
        help="Below this efficiency the commission is not paid.",
    )
    olimp_efficiency_cap = fields.Float(
        string="Efficiency Cap (%)",
        default=100.0,
        help="The most efficiency counts: at 100, an efficiency above plan pays the commission, no more; at 120, "
        "up to 1.2 times the commission.",
    )

    _sql_constraints = [
        (
            "olimp_efficiency_floor_cap",
            "CHECK(olimp_efficiency_floor >= 0 AND olimp_efficiency_cap > 0 "
            "AND olimp_efficiency_floor <= olimp_efficiency_cap)",
            "The efficiency floor must be between 0 and the efficiency cap, and the cap above 0.",
        ),
    ]
