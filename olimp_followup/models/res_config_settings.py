from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    olimp_passport_validity_days = fields.Integer(related="company_id.olimp_passport_validity_days", readonly=False)
