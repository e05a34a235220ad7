"""Refresh of open scorecards: the ORM side of the engine.

The arithmetic lives in :mod:`..engine.scoring` and the grouped queries in :mod:`..engine.collector`; this class
loads what they need and writes back what they return. The queries of one refresh do not depend on the number of
employees:

1. lock the open scorecards asked for (``FOR UPDATE SKIP LOCKED``: scorecards a concurrent refresh holds are left
   to it, and a scorecard closed meanwhile is not touched);
2. read their lines, and the KPI definitions behind them;
3. one grouped query per quantitative KPI, per month and company time zone of the scorecards, covering the month
   and the month before (the trend);
4. the previous month's lines and scorecards (trend of qualitative KPIs and of efficiency);
5. one ``UPDATE`` of all lines and one of all scorecards, from arrays.

Figures do not depend on who refreshes: sources are read as superuser, restricted to the scorecard's company.
"""

import logging
from collections import defaultdict

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.models import BaseModel
from odoo.tools import SQL

from ..engine import periods, scoring
from ..engine.collector import Collector

_logger = logging.getLogger(__name__)

LINE_FIELDS = ["scorecard_id", "kpi_id", "kind", "target", "weight", "floor", "cap", "direction"]
LINE_FIELDS += ["yellow_from", "green_from", "actual", "previous_actual", "completion", "zone", "trend", "score"]
LINE_RESULT_FIELDS = ["actual", "previous_actual", "completion", "zone", "trend", "score"]
SCORECARD_RESULT_FIELDS = [
    "efficiency",
    "counted_line_count",
    "red_count",
    "yellow_count",
    "green_count",
    "previous_efficiency",
    "efficiency_trend",
    "refreshed_on",
]


class ScorecardRefresh:
    def __init__(self, env):
        self.env = env(su=True)
        self._rates = {}
        self.collector = Collector(self._read_group, self._convert)

    # -- database access handed to the collector -------------------------------------------------------------
    def _read_group(self, model, domain, groupby, aggregates, tz_name):
        Source = self.env[model].with_context(tz=tz_name, active_test=True)
        return [
            tuple(value.id if isinstance(value, BaseModel) else value for value in row)
            for row in Source._read_group(domain, groupby, aggregates)
        ]

    def _convert(self, amount, currency_id, company_id, month):
        key = (currency_id, company_id, month)
        if key not in self._rates:
            company = self.env["res.company"].browse(company_id) if company_id else self.env.company
            currency = self.env["res.currency"].browse(currency_id)
            day = min(periods.month_end(month), fields.Date.context_today(currency))
            if currency == company.currency_id:
                self._rates[key] = 1.0
            else:
                self._check_rates(currency, company)
                self._rates[key] = currency._get_conversion_rate(currency, company.currency_id, company, day)
        return amount * self._rates[key]

    def _check_rates(self, currency, company):
        """A foreign currency without any rate would silently convert 1:1: refuse, unless it is the base
        currency the company's own currency is quoted against."""
        Rate = self.env["res.currency.rate"]
        scope = [("company_id", "in", [False, company.root_id.id])]
        if Rate.search_count([("currency_id", "=", currency.id), *scope], limit=1):
            return
        if Rate.search_count([("currency_id", "=", company.currency_id.id), ("rate", "!=", 1.0), *scope], limit=1):
            return
        raise UserError(
            self.env._(
                "There is no exchange rate for %(currency)s in %(company)s, so amounts in %(currency)s cannot be "
                "converted to %(company_currency)s. Add its rates (Accounting or Sales settings, Currencies), "
                "then refresh.",
                currency=currency.name,
                company=company.name,
                company_currency=company.currency_id.name,
            )
        )

    # -- refresh ---------------------------------------------------------------------------------------------
    def run(self, scorecard_ids):
        Scorecard = self.env["olimp.kpi.scorecard"]
        Line = self.env["olimp.kpi.scorecard.line"]
        if not scorecard_ids:
            return Scorecard
        self.env.flush_all()
        scorecards = Scorecard.browse(self._lock_open(list(scorecard_ids)))
        if not scorecards:
            return scorecards
        scorecards.fetch(["employee_id", "user_id", "company_id", "date_from", "efficiency"])
        lines = Line.search_fetch([("scorecard_id", "in", scorecards.ids)], LINE_FIELDS)

        actuals = self._collect(scorecards, lines)
        previous_lines, previous_efficiency = self._previous(scorecards, lines)

        line_rows = []
        by_scorecard = defaultdict(list)
        for line in lines:
            scorecard = line.scorecard_id
            if line.kind == "quantitative":
                actual, previous = actuals.get((scorecard.id, line.kpi_id.id), (0.0, 0.0))
            else:
                actual = line.actual
                previous = previous_lines.get((scorecard.employee_id.id, scorecard.date_from, line.kpi_id.id), 0.0)
            result = line._evaluate(actual)
            trend = scoring.trend(actual, previous)
            by_scorecard[scorecard.id].append((line.weight, result))
            new = (actual, previous, result.completion, result.zone, trend, result.score)
            old = tuple(line[fname] for fname in LINE_RESULT_FIELDS)
            if new != old:
                line_rows.append((line.id, *new))

        now = fields.Datetime.now()
        scorecard_rows = []
        for scorecard in scorecards:
            results = by_scorecard.get(scorecard.id, [])
            value, counted = scoring.efficiency((weight, res.score, res.counted) for weight, res in results)
            zones = [res.zone for __, res in results]
            previous = previous_efficiency.get((scorecard.employee_id.id, scorecard.date_from), 0.0)
            scorecard_rows.append(
                (
                    scorecard.id,
                    value,
                    counted,
                    zones.count(scoring.ZONE_RED),
                    zones.count(scoring.ZONE_YELLOW),
                    zones.count(scoring.ZONE_GREEN),
                    previous,
                    scoring.trend(value, previous),
                    now,
                )
            )
        self._write(line_rows, scorecard_rows, now)
        return scorecards

    def _lock_open(self, ids):
        """Lock the open scorecards among ``ids``; skip those another worker holds or changed meanwhile.

        ``SKIP LOCKED`` leaves scorecards being refreshed or closed by a concurrent transaction to it. A row that
        such a transaction changed and committed after this one began cannot be locked in REPEATABLE READ (a
        serialization failure): it was just refreshed or closed, so it is skipped too, one savepoint per row on
        that rare path.
        """

        def lock(some_ids):
            query = SQL(
                "SELECT id FROM olimp_kpi_scorecard WHERE id = ANY(%s) AND state = 'open' "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                some_ids,
            )
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                locked = [row[0] for row in self.env.cr.fetchall()]
                if locked:
                    # Their lines too: a line another transaction changed (e.g. its floor) and committed after this
                    # one began could not be updated later; found now, its scorecard is skipped. Writers lock the
                    # scorecard before its lines (see _check_open), so nobody else holds these lines now.
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM olimp_kpi_scorecard_line WHERE scorecard_id = ANY(%s) "
                            "ORDER BY id FOR NO KEY UPDATE",
                            locked,
                        ),
                        log_exceptions=False,
                    )
                return locked

        try:
            return lock(ids)
        except psycopg2.errors.SerializationFailure:
            locked = []
            for scorecard_id in ids:
                try:
                    locked += lock([scorecard_id])
                except psycopg2.errors.SerializationFailure:
                    _logger.info("Scorecard %s changed by a concurrent transaction: not refreshed", scorecard_id)
            return locked

    def _collect(self, scorecards, lines):
        """``{(scorecard id, kpi id): (actual, previous actual)}`` for the quantitative lines."""
        kpis_by_scorecard = defaultdict(set)
        for line in lines:
            if line.kind == "quantitative":
                kpis_by_scorecard[line.scorecard_id].add(line.kpi_id)
        groups = defaultdict(list)
        for scorecard in kpis_by_scorecard:
            groups[scorecard.date_from, scorecard.company_id._olimp_kpi_tz()].append(scorecard)

        result = {}
        for (month, tz_name), group in groups.items():
            kpis = self.env["olimp.kpi"].browse({kpi.id for sc in group for kpi in kpis_by_scorecard[sc]})
            company_ids = {sc.company_id.id for sc in group}
            previous_month = periods.previous_month_start(month)
            for kpi in kpis:
                try:
                    spec = kpi._engine_spec()
                except (KeyError, ValueError) as error:
                    _logger.warning("KPI %s (%s) cannot be computed: %s", kpi.code, kpi.id, error)
                    continue
                employee_based = kpi.user_field_id.relation == "hr.employee"
                members = [sc for sc in group if kpi in kpis_by_scorecard[sc]]
                subject_of = {sc: (sc.employee_id.id if employee_based else sc.user_id.id) for sc in members}
                subjects = {subject for subject in subject_of.values() if subject}
                if not subjects:
                    continue
                values = self.collector.collect(spec, month, subjects, company_ids, tz_name)
                for scorecard, subject in subject_of.items():
                    company = scorecard.company_id.id
                    result[scorecard.id, kpi.id] = (
                        values.value(subject, company, month) if subject else 0.0,
                        values.value(subject, company, previous_month) if subject else 0.0,
                    )
        return result

    def _previous(self, scorecards, lines):
        """Previous month's checklist actuals and efficiency, per employee and month of ``scorecards``."""
        employees = scorecards.employee_id.ids
        months = {periods.previous_month_start(month): month for month in set(scorecards.mapped("date_from"))}
        previous_lines = {}
        if any(line.kind == "qualitative" for line in lines):
            for line in self.env["olimp.kpi.scorecard.line"].search_fetch(
                [("employee_id", "in", employees), ("date_from", "in", list(months)), ("kind", "=", "qualitative")],
                ["employee_id", "date_from", "kpi_id", "actual"],
            ):
                previous_lines[line.employee_id.id, months[line.date_from], line.kpi_id.id] = line.actual
        previous_efficiency = {
            (scorecard.employee_id.id, months[scorecard.date_from]): scorecard.efficiency
            for scorecard in self.env["olimp.kpi.scorecard"].search_fetch(
                [("employee_id", "in", employees), ("date_from", "in", list(months))],
                ["employee_id", "date_from", "efficiency"],
            )
        }
        return previous_lines, previous_efficiency

    def _write(self, line_rows, scorecard_rows, now):
        uid = self.env.uid
        if line_rows:
            ids, actual, previous, completion, zone, trend, score = (list(col) for col in zip(*line_rows, strict=True))
            self.env.cr.execute(
                SQL(
                    """UPDATE olimp_kpi_scorecard_line AS line
                          SET actual = v.actual, previous_actual = v.previous_actual, completion = v.completion,
                              zone = v.zone, trend = v.trend, score = v.score, write_uid = %s, write_date = %s
                         FROM unnest(%s::int[], %s::float8[], %s::float8[], %s::float8[], %s::varchar[],
                                     %s::varchar[], %s::float8[])
                              AS v(id, actual, previous_actual, completion, zone, trend, score)
                        WHERE line.id = v.id""",
                    uid,
                    now,
                    ids,
                    actual,
                    previous,
                    completion,
                    zone,
                    trend,
                    score,
                )
            )
        if scorecard_rows:
            columns = [list(col) for col in zip(*scorecard_rows, strict=True)]
            self.env.cr.execute(
                SQL(
                    """UPDATE olimp_kpi_scorecard AS sc
                          SET efficiency = v.efficiency, counted_line_count = v.counted,
                              red_count = v.red, yellow_count = v.yellow, green_count = v.green,
                              previous_efficiency = v.previous, efficiency_trend = v.trend,
                              refreshed_on = v.refreshed_on, write_uid = %s, write_date = %s
                         FROM unnest(%s::int[], %s::float8[], %s::int[], %s::int[], %s::int[], %s::int[],
                                     %s::float8[], %s::varchar[], %s::timestamp[])
                              AS v(id, efficiency, counted, red, yellow, green, previous, trend, refreshed_on)
                        WHERE sc.id = v.id AND sc.state = 'open'""",
                    uid,
                    now,
                    *columns,
                )
            )
        self.env["olimp.kpi.scorecard.line"].invalidate_model(LINE_RESULT_FIELDS + ["write_uid", "write_date"])
        self.env["olimp.kpi.scorecard"].invalidate_model(SCORECARD_RESULT_FIELDS + ["write_uid", "write_date"])
