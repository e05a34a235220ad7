from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _olimp_kpi_tz(self):
        """Time zone of the company's months: its contact's, else its working hours', else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.resource_calendar_id.tz or "UTC"
