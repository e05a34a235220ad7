from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    olimp_kpi_checklist_days = fields.Integer(related="company_id.olimp_kpi_checklist_days", readonly=False)
    olimp_kpi_close_day = fields.Integer(related="company_id.olimp_kpi_close_day", readonly=False)
    olimp_kpi_auto_close = fields.Boolean(related="company_id.olimp_kpi_auto_close", readonly=False)
    olimp_kpi_auto_close_day = fields.Integer(related="company_id.olimp_kpi_auto_close_day", readonly=False)
