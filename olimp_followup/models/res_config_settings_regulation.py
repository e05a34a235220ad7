from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    olimp_regulation_goal = fields.Text(related="company_id.olimp_regulation_goal", readonly=False)
