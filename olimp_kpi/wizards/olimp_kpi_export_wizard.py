import base64
from urllib.parse import urlencode

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import periods
from ..report import scorecard_xlsx

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OlimpKpiExportWizard(models.TransientModel):
    """Export scorecards to an Excel workbook: those of a month (optionally of one team or company), or a selection.

    The wizard also holds the file until it is downloaded: a record rule shows it to its creator only, and the
    transient vacuum removes it.
    """

    _name = "olimp.kpi.export.wizard"
    _description = "Export KPI Scorecards to Excel"

    date = fields.Date(string="Month", required=True, default=fields.Date.context_today)
    team_id = fields.Many2one(comodel_name="crm.team", string="Sales Team", help="Leave empty to export every team.")
    company_id = fields.Many2one(
        comodel_name="res.company",
        domain=lambda self: [("id", "in", self.env.companies.ids)],
        help="Leave empty to export every company selected in the company switcher.",
    )
    file_data = fields.Binary(string="File", attachment=False, readonly=True)
    file_name = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        month = periods.month_start(self.date)
        domain = [("date_from", "=", month)]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        scorecards = self.env["olimp.kpi.scorecard"].search(domain, order="date_from, team_id, employee_id, id")
        if not scorecards:
            raise UserError(self.env._("There is no scorecard you may see for this month and these filters."))
        return self._export(scorecards)

    def _export(self, scorecards):
        """Write the workbook of ``scorecards`` (read with the caller's rights) and return its download action."""
        self.ensure_one()
        if not scorecards:
            raise UserError(self.env._("Select the scorecards to export."))
        scorecards.check_access("read")
        content = scorecard_xlsx.write_workbook(self._xlsx_rows(scorecards), self._xlsx_labels())
        self.write({"file_data": base64.b64encode(content), "file_name": self._xlsx_file_name(scorecards)})
        query = {
            "model": self._name,
            "id": self.id,
            "field": "file_data",
            "filename_field": "file_name",
            # Given, since guessing it from the first bytes of a zip file fails (with a logged warning).
            "mimetype": XLSX_MIMETYPE,
            "download": "true",
        }
        return {"type": "ir.actions.act_url", "url": f"/web/content/?{urlencode(query)}", "target": "self"}

    def _xlsx_rows(self, scorecards):
        """The scorecards as plain rows; prefetching reads each model once for all of them."""
        kpis = {}
        currencies = {}
        rows = []
        for scorecard in scorecards:
            currency = scorecard.currency_id
            if currency not in currencies:
                currencies[currency] = scorecard_xlsx.Currency(
                    symbol=currency.symbol or "", position=currency.position, decimals=currency.decimal_places
                )
            lines = []
            for line in scorecard.line_ids:
                kpi = line.kpi_id
                if kpi not in kpis:
                    kpis[kpi] = scorecard_xlsx.Kpi(key=kpi.id, code=kpi.code, name=kpi.name)
                lines.append(
                    scorecard_xlsx.Line(
                        kpi=kpis[kpi],
                        unit=line.unit,
                        target=line.target,
                        actual=line.actual,
                        previous_actual=line.previous_actual,
                        completion=line.completion,
                        zone=line.zone,
                        trend=line.trend,
                        direction=line.direction,
                        weight=line.weight,
                        score=line.score,
                        trend_reference=line.trend_reference,
                        trend_basis=line.trend_basis,
                        measure=self._xlsx_measure(line),
                        numerator=line.numerator_actual if line.is_ratio else None,
                        denominator=line.denominator_actual if line.is_ratio else None,
                        overdue=line.actual_overdue if line.measured_on else None,
                    )
                )
            rows.append(
                scorecard_xlsx.Scorecard(
                    month=scorecard.date_from,
                    employee=scorecard.employee_id.name,
                    team=scorecard.team_id.name if scorecard.team_id else None,
                    team_key=scorecard.team_id.id or None,
                    efficiency=scorecard.efficiency,
                    efficiency_trend=scorecard.efficiency_trend,
                    currency=currencies[currency] if currency else None,
                    lines=tuple(lines),
                    state=scorecard.state,
                )
            )
        return rows

    @staticmethod
    def _xlsx_measure(line):
        if line.kind == "qualitative":
            return "checklist"
        if line.is_ratio:
            return "ratio"
        return "balance" if line.measured_on else "flow"

    def _xlsx_labels(self):
        Line = self.env["olimp.kpi.scorecard.line"]

        def selection(fname):
            return dict(Line._fields[fname]._description_selection(self.env))

        return scorecard_xlsx.Labels(
            employee=self.env._("Employee"),
            month=self.env._("Month"),
            efficiency=self.env._("Eff. (%)"),
            efficiency_trend=self.env._("Eff. Trend"),
            plan=self.env._("Plan"),
            actual=self.env._("Actual"),
            completion=self.env._("Completion (%)"),
            trend=self.env._("Trend"),
            no_team=self.env._("No team"),
            lines_sheet=self.env._("Lines"),
            team=self.env._("Sales Team"),
            kpi_code=self.env._("KPI Code"),
            kpi=self.env._("KPI"),
            unit=self.env._("Unit"),
            previous_actual=self.env._("Previous Month"),
            zone=self.env._("Zone"),
            weight=self.env._("Weight"),
            score=self.env._("Score"),
            trend_reference=self.env._("Compared With"),
            trend_basis=self.env._("Trend Against"),
            measure=self.env._("Measured As"),
            numerator=self.env._("Numerator"),
            denominator=self.env._("Denominator"),
            overdue=self.env._("Of Which Overdue"),
            state=self.env._("Status"),
            average=self.env._("Team average"),
            states=dict(self.env["olimp.kpi.scorecard"]._fields["state"]._description_selection(self.env)),
            units=selection("unit"),
            zones=selection("zone"),
            trends=selection("trend"),
            trend_bases=selection("trend_basis"),
            measures={
                "flow": self.env._("Flow of the month"),
                "balance": self.env._("Balance at month end"),
                "ratio": self.env._("Ratio"),
                "checklist": self.env._("Checklist"),
            },
        )

    def _xlsx_file_name(self, scorecards):
        months = sorted(set(scorecards.mapped("date_from")))
        period = months[0].strftime("%Y-%m")
        if len(months) > 1:
            period += "_" + months[-1].strftime("%Y-%m")
        return self.env._("KPI Scorecards %(period)s", period=period) + ".xlsx"
