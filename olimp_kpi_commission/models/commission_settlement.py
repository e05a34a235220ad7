from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .commission_settlement_line import HELD_STATES


class CommissionSettlement(models.Model):
    _inherit = "commission.settlement"

    olimp_efficiency_used = fields.Boolean(
        string="Efficiency Applied",
        compute="_compute_olimp_efficiency_warning",
        help="A commission of the settlement applies the KPI efficiency.",
    )
    olimp_efficiency_held = fields.Boolean(
        string="Efficiency Missing",
        compute="_compute_olimp_efficiency_held",
        store=True,
        help="Lines pay nothing until the agent's efficiency is found (a closed scorecard, an employee).",
    )
    olimp_efficiency_warning = fields.Text(string="Efficiency Warning", compute="_compute_olimp_efficiency_warning")

    @api.depends("line_ids.olimp_efficiency_state")
    def _compute_olimp_efficiency_held(self):
        for settlement in self:
            settlement.olimp_efficiency_held = any(
                state in HELD_STATES for state in settlement.line_ids.mapped("olimp_efficiency_state")
            )

    @api.depends("line_ids.olimp_efficiency_state", "line_ids.olimp_efficiency_note")
    def _compute_olimp_efficiency_warning(self):
        for settlement in self:
            lines = settlement.line_ids.filtered("olimp_efficiency_state")
            held = lines.filtered(lambda line: line.olimp_efficiency_state in HELD_STATES)
            partial = lines.filtered(lambda line: line.olimp_efficiency_state == "partial")
            warnings = []
            if held:
                warnings.append(
                    self.env._(
                        "%(count)s commission lines pay nothing until the efficiency is found (%(reasons)s). Close "
                        "the month's scorecard (KPI > Scorecards), or link the agent's user to an employee, then "
                        "press Apply Efficiency.",
                        count=len(held),
                        reasons="; ".join(sorted(set(held.mapped("olimp_efficiency_note")))),
                    )
                )
            if partial:
                warnings.append(
                    self.env._(
                        "%(count)s commission lines pay the average of the closed months only (%(reasons)s).",
                        count=len(partial),
                        reasons="; ".join(sorted(set(partial.mapped("olimp_efficiency_note")))),
                    )
                )
            settlement.olimp_efficiency_used = bool(lines)
            settlement.olimp_efficiency_warning = "\n".join(warnings) or False

    def action_olimp_apply_efficiency(self):
        """Apply the efficiency again, e.g. once the month's scorecard is closed or reopened and closed again."""
        settlements = self.filtered(lambda settlement: settlement.state == "settled")
        settlements.check_access("write")
        settlements.line_ids._olimp_apply_efficiency()
        return True

    def make_invoices(self, journal, product, date=False, grouped=False):
        held = self.filtered("olimp_efficiency_held")
        if held:
            raise UserError(
                self.env._(
                    "These settlements have commission lines without the agent's KPI efficiency, which pay nothing: "
                    "%(settlements)s. Close the scorecards or link the agents to employees, press Apply Efficiency, "
                    "then make the invoices.",
                    settlements=", ".join(
                        f"{settlement.agent_id.display_name} ({format_date(self.env, settlement.date_from)} – "
                        f"{format_date(self.env, settlement.date_to)})"
                        for settlement in held
                    ),
                )
            )
        return super().make_invoices(journal, product, date=date, grouped=grouped)
