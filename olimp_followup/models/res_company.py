from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    olimp_passport_validity_days = fields.Integer(
        string="Customer Passport Validity (days)",
        default=180,
        help="A customer passport is up to date when it was reviewed within this many days and its key items "
        "(decision maker, needs and problems, products in use) are filled.",
    )

    _sql_constraints = [
        (
            "olimp_passport_validity_days_positive",
            "CHECK(olimp_passport_validity_days > 0)",
            "The validity of customer passports must be a positive number of days.",
        ),
    ]
