from odoo import models


class OlimpFollowup(models.Model):
    """The way from a follow-up to the opportunity made from the need found in it (see ``crm_lead.py``)."""

    _inherit = "olimp.followup"

    def action_olimp_open_lead(self):
        """The opportunity made from the need found in this follow-up."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
