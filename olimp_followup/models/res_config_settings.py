from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    olimp_passport_validity_days = fields.Integer(related="company_id.olimp_passport_validity_days", readonly=False)
    olimp_regulation_goal = fields.Text(related="company_id.olimp_regulation_goal", readonly=False)
