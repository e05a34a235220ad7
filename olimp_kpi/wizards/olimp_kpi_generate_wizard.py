from odoo import fields, models

from ..engine import periods


class OlimpKpiGenerateWizard(models.TransientModel):
    """Make (or find) the scorecards of a month for every employee with a KPI profile, and refresh them."""

    _name = "olimp.kpi.generate.wizard"
    _description = "Generate KPI Scorecards"

    date = fields.Date(string="Month", required=True, default=fields.Date.context_today)
    refresh = fields.Boolean(string="Compute Actuals Now", default=True)

    def action_generate(self):
        self.ensure_one()
        month = periods.month_start(self.date)
        scorecards = self.env["olimp.kpi.scorecard"].generate(month)
        if self.refresh:
            # Generation covers every employee; a team leader refreshes the scorecards they may see.
            scorecards._filtered_access("read").filtered(lambda sc: sc.state == "open").action_refresh()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_kpi.olimp_kpi_scorecard_action")
        action["domain"] = [("date_from", "=", month)]
        action["context"] = {}
        return action
