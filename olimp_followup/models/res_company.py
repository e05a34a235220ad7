from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    olimp_passport_validity_days = fields.Integer(
        string="Customer Passport Validity (days)",
        default=180,
        help="A customer passport is up to date when it was reviewed within this many days and its key items "
        "(decision maker, needs and problems, products in use) are filled.",
    )

    olimp_regulation_goal = fields.Text(
        string="Goal of the Regulation",
        translate=True,
        help="Printed at the top of the regulation. Empty: the article's goal, a repeat order from every current "
        "customer once a quarter.",
    )
    olimp_regulation_version = fields.Integer(
        string="Regulation Version",
        default=1,
        readonly=True,
        help="Goes up whenever the printed regulation changes (a step, its delay, responsible or script, the goal): "
        "salespeople are then asked to read and acknowledge it again.",
    )
    olimp_regulation_changed_on = fields.Datetime(string="Regulation Changed On", readonly=True)

    _sql_constraints = [
        (
            "olimp_passport_validity_days_positive",
            "CHECK(olimp_passport_validity_days > 0)",
            "The validity of customer passports must be a positive number of days.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if "olimp_regulation_goal" in vals:
            self._olimp_regulation_changed()
        return result

    def _olimp_regulation_changed(self):
        """A new version of the regulation of these companies."""
        now = fields.Datetime.now()
        for company in self.sudo():
            company.write(
                {"olimp_regulation_version": company.olimp_regulation_version + 1, "olimp_regulation_changed_on": now}
            )

    def _olimp_regulation_goal(self):
        self.ensure_one()
        return self.olimp_regulation_goal or self.env._(
            "A repeat order from every current customer once a quarter: after each sale, the customer hears from "
            "us at the steps below, so that the next order comes before the quarter ends."
        )
