from odoo import api, models
from odoo.tools.misc import formatLang

from ..engine import boards, plans

NBSP = "\u00a0"
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


class ScorecardReport(models.AbstractModel):
    """The printed scorecard (``olimp_kpi.report_scorecard``): what the team leader and the employee review and sign
    at the monthly one-to-one. Read with the printer's rights; numbers formatted in the printer's language."""

    _name = "report.olimp_kpi.report_scorecard"
    _description = "Printed KPI Scorecard"

    @api.model
    def _get_report_values(self, docids, data=None):
        scorecards = self.env["olimp.kpi.scorecard"].browse(docids)
        scorecards.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "olimp.kpi.scorecard",
            "docs": scorecards,
            "value": self._value,
            "percent": self._percent,
            "arrow": self._arrow,
            "selection": self._selection,
            "leader": self._leader,
        }

    def _number(self, value, digits):
        return formatLang(self.env, value or 0.0, digits=digits)

    def _value(self, value, unit, currency=None):
        """A KPI value as on the screens: amounts in whole units of the currency, counts as typed."""
        if unit == "amount":
            amount = self._number(value, 0)
            if not currency:
                return amount
            return (
                f"{currency.symbol}{NBSP}{amount}"
                if currency.position == "before"
                else f"{amount}{NBSP}{currency.symbol}"
            )
        if unit == "percent":
            return self._percent(value)
        return self._number(value, plans.decimals_shown(value or 0.0))

    def _percent(self, value):
        return f"{self._number(value, 1)}{NBSP}%"

    def _arrow(self, trend, direction="higher"):
        """``(arrow, good)``: the trend's arrow and whether it is good news (``None`` when flat)."""
        return TREND_ARROWS.get(trend, ""), boards.trend_is_good(trend, direction)

    def _leader(self, scorecard):
        """The team leader who signs: the sales team's leader, else the employee's manager (names only)."""
        return self.env["olimp.kpi.month.review"]._leader(scorecard.sudo())

    def _selection(self, record, fname):
        return dict(record._fields[fname]._description_selection(self.env)).get(record[fname], "")
