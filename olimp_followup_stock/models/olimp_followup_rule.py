from odoo import api, models


class OlimpFollowupRule(models.Model):
    _inherit = "olimp.followup.rule"

    @api.model
    def _olimp_delivery_trigger_available(self):
        return True
