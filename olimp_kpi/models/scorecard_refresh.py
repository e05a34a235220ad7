"""Refresh of open scorecards: the ORM side of the engine.

The arithmetic lives in :mod:`..engine.scoring` and the grouped queries in :mod:`..engine.collector`; this class
loads what they need and writes back what they return. The queries of one refresh do not depend on the number of
employees:

1. lock the open scorecards asked for (``FOR UPDATE SKIP LOCKED``: scorecards a concurrent refresh holds are left
   to it, and a scorecard closed meanwhile is not touched);
2. read their lines, and the KPI definitions behind them;
3. one grouped query per quantitative KPI (KPIs that read the same records share it), per month and company time
   zone of the scorecards, covering the month and the month before (the trend);
4. the previous month's lines and scorecards (trend of qualitative KPIs and of efficiency);
5. one ``UPDATE`` of all lines and one of all scorecards, from arrays.

Figures do not depend on who refreshes: sources are read as superuser, restricted to the scorecard's company.
"""

import logging
from collections import defaultdict, namedtuple

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import periods, scoring
from ..engine.collector import Collector, MonthSplit

_logger = logging.getLogger(__name__)

CardRow = namedtuple("CardRow", "id employee_id user_id company_id date_from")
LineRow = namedtuple(
    "LineRow",
    "id scorecard_id kpi_id kind target weight floor cap direction yellow_from green_from "
    "actual previous_actual completion zone trend score",
)
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


def pg_array(values):
    """One PostgreSQL array literal (``'{1,2.5,"red",NULL}'``) for numbers and plain words.

    psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``: one expression per value for the server to parse and
    plan, which for the 8,000 lines of 1,000 scorecards cost more than the update itself. A single literal is read
    by the array input function in one go. Only numbers, ``None`` and selection keys come here.
    """
    items = [
        "NULL"
        if value is None
        else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, str)
        else repr(value)
        for value in values
    ]
    return "{" + ",".join(items) + "}"


class ScorecardRefresh:
    def __init__(self, env):
        self.env = env(su=True)
        self._rates = {}
        self.collector = Collector(self._read_group, self._convert)
        # KPIs whose definition cannot be computed (see _collect): their lines keep their actuals.
        self.uncomputable = set()

    # -- database access handed to the collector -------------------------------------------------------------
    def _read_group(self, model, domain, groupby, aggregates, tz_name):
        """``_read_group`` of the collector's terms; a :class:`MonthSplit` becomes ``date field >= boundary``.

        The domain goes through the ORM (``_search``: active records, inherited and related fields, subqueries of
        x2many conditions); group-by and aggregate terms are those of ``_read_group``, values stay plain ids.
        """
        Source = self.env[model].with_context(tz=tz_name, active_test=True)
        query = Source._search(domain)
        terms = [
            SQL("%s >= %s", Source._field_to_sql(Source._table, spec.field, query), spec.boundary)
            if isinstance(spec, MonthSplit)
            else Source._read_group_groupby(spec, query)
            for spec in groupby
        ]
        query.groupby = SQL(", ").join(terms)
        aggregate_terms = [Source._read_group_select(spec, query) for spec in aggregates]
        return self.env.execute_query(query.select(*terms, *aggregate_terms))

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
        if not scorecard_ids:
            return Scorecard
        self.env.flush_all()
        # Locking and reading go together; lines are read as plain rows: thousands of them go through a few lines
        # of arithmetic, where the ORM's per-field access would cost more than the queries.
        cards = self._lock_open(list(scorecard_ids))
        if not cards:
            return Scorecard
        card_ids = [card.id for card in cards]
        lines = [
            LineRow(*row)
            for row in self.env.execute_query(
                SQL(
                    """SELECT id, scorecard_id, kpi_id, kind, target, weight, floor, cap, direction, yellow_from,
                              green_from, actual, previous_actual, completion, zone, trend, score
                         FROM olimp_kpi_scorecard_line WHERE scorecard_id = ANY(%s)""",
                    card_ids,
                )
            )
        ]

        card_of = {card.id: card for card in cards}
        actuals = self._collect(cards, lines)
        previous_lines, previous_efficiency = self._previous(cards, lines)

        line_rows = []
        by_scorecard = defaultdict(list)
        for line in lines:
            card = card_of[line.scorecard_id]
            if line.kpi_id in self.uncomputable:
                # Its definition cannot be computed any more (e.g. its source went with an uninstalled module): the
                # last actuals stay, rather than a 0 that would lower the efficiency; a warning is logged.
                actual, previous = line.actual or 0.0, line.previous_actual or 0.0
            elif line.kind == "quantitative":
                actual, previous = actuals.get((card.id, line.kpi_id), (0.0, 0.0))
            else:
                actual = line.actual or 0.0
                previous = previous_lines.get((card.employee_id, card.date_from, line.kpi_id), 0.0)
            result = scoring.evaluate_line(
                actual,
                line.target or 0.0,
                line.direction,
                line.yellow_from or 0.0,
                line.green_from or 0.0,
                line.floor or 0.0,
                line.cap or 0.0,
            )
            trend = scoring.trend(actual, previous)
            by_scorecard[card.id].append((line.weight or 0.0, result.score, result.zone))
            new = (actual, previous, result.completion, result.zone, trend, result.score)
            if new != (line.actual, line.previous_actual, line.completion, line.zone, line.trend, line.score):
                line_rows.append((line.id, *new))

        now = fields.Datetime.now()
        scorecard_rows = []
        for card in cards:
            result = scoring.summary(by_scorecard.get(card.id, []))
            previous = previous_efficiency.get((card.employee_id, card.date_from), 0.0)
            scorecard_rows.append((card.id, *result, previous, scoring.trend(result.efficiency, previous)))
        self._write(line_rows, scorecard_rows, now)
        return Scorecard.browse(card_ids)

    def _lock_open(self, ids):
        """Lock and read the open scorecards among ``ids``; skip those another worker holds or changed meanwhile.

        ``SKIP LOCKED`` leaves scorecards being refreshed or closed by a concurrent transaction to it. A row that
        such a transaction changed and committed after this one began cannot be locked in REPEATABLE READ (a
        serialization failure): it was just refreshed or closed, so it is skipped too, one savepoint per row on
        that rare path.
        """

        def lock(some_ids):
            query = SQL(
                """SELECT id, employee_id, user_id, company_id, date_from FROM olimp_kpi_scorecard
                    WHERE id = ANY(%s) AND state = 'open'
                    ORDER BY id FOR UPDATE SKIP LOCKED""",
                some_ids,
            )
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                locked = [CardRow(*row) for row in self.env.cr.fetchall()]
                if locked:
                    # Their lines too: a line another transaction changed (e.g. its floor) and committed after this
                    # one began could not be updated later; found now, its scorecard is skipped. Writers lock the
                    # scorecard before its lines (see _check_open), so nobody else holds these lines now.
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM olimp_kpi_scorecard_line WHERE scorecard_id = ANY(%s) "
                            "ORDER BY id FOR NO KEY UPDATE",
                            [card.id for card in locked],
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

    def _collect(self, cards, lines):
        """``{(scorecard id, kpi id): (actual, previous actual)}`` for the quantitative lines."""
        kpis_of = defaultdict(set)
        for line in lines:
            if line.kind == "quantitative":
                kpis_of[line.scorecard_id].add(line.kpi_id)
        companies = self.env["res.company"].browse({card.company_id for card in cards})
        tz_of = {company.id: company._olimp_kpi_tz() for company in companies}
        groups = defaultdict(list)
        for card in cards:
            if kpis_of[card.id]:
                groups[card.date_from, tz_of[card.company_id]].append(card)

        result = {}
        for (month, tz_name), group in groups.items():
            kpis = self.env["olimp.kpi"].browse(sorted({kpi_id for card in group for kpi_id in kpis_of[card.id]}))
            company_ids = {card.company_id for card in group}
            previous_month = periods.previous_month_start(month)
            specs, subjects_of, members = [], {}, {}
            for kpi in kpis:
                try:
                    spec = kpi._engine_spec()
                except (KeyError, ValueError) as error:
                    _logger.warning("KPI %s (%s) cannot be computed: %s", kpi.code, kpi.id, error)
                    self.uncomputable.add(kpi.id)
                    continue
                employee_based = kpi.user_field_id.relation == "hr.employee"
                subject_of = {
                    card: (card.employee_id if employee_based else card.user_id)
                    for card in group
                    if kpi.id in kpis_of[card.id]
                }
                subjects = {subject for subject in subject_of.values() if subject}
                if subjects:
                    specs.append(spec)
                    subjects_of[spec.key] = subjects
                    members[spec.key] = subject_of
            values_of = self.collector.collect_many(specs, month, subjects_of, company_ids, tz_name)
            for kpi_id, subject_of in members.items():
                values = values_of[kpi_id]
                for card, subject in subject_of.items():
                    result[card.id, kpi_id] = (
                        values.value(subject, card.company_id, month) if subject else 0.0,
                        values.value(subject, card.company_id, previous_month) if subject else 0.0,
                    )
        return result

    def _previous(self, cards, lines):
        """Previous month's checklist actuals and efficiency, per employee and month of ``cards``."""
        employees = list({card.employee_id for card in cards})
        months = {periods.previous_month_start(month): month for month in {card.date_from for card in cards}}
        previous_lines = {}
        if any(line.kind == "qualitative" for line in lines):
            for employee_id, date_from, kpi_id, actual in self.env.execute_query(
                SQL(
                    """SELECT employee_id, date_from, kpi_id, actual FROM olimp_kpi_scorecard_line
                        WHERE employee_id = ANY(%s) AND date_from = ANY(%s) AND kind = 'qualitative'""",
                    employees,
                    list(months),
                )
            ):
                previous_lines[employee_id, months[date_from], kpi_id] = actual or 0.0
        previous_efficiency = {
            (employee_id, months[date_from]): efficiency or 0.0
            for employee_id, date_from, efficiency in self.env.execute_query(
                SQL(
                    """SELECT employee_id, date_from, efficiency FROM olimp_kpi_scorecard
                        WHERE employee_id = ANY(%s) AND date_from = ANY(%s)""",
                    employees,
                    list(months),
                )
            )
        }
        return previous_lines, previous_efficiency

    def _write(self, line_rows, scorecard_rows, now):
        uid = self.env.uid
        if line_rows:
            columns = [pg_array(col) for col in zip(*line_rows, strict=True)]
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
                    *columns,
                )
            )
        if scorecard_rows:
            columns = [pg_array(col) for col in zip(*scorecard_rows, strict=True)]
            self.env.cr.execute(
                SQL(
                    """UPDATE olimp_kpi_scorecard AS sc
                          SET efficiency = v.efficiency, counted_line_count = v.counted,
                              red_count = v.red, yellow_count = v.yellow, green_count = v.green,
                              previous_efficiency = v.previous, efficiency_trend = v.trend,
                              refreshed_on = %s, write_uid = %s, write_date = %s
                         FROM unnest(%s::int[], %s::float8[], %s::int[], %s::int[], %s::int[], %s::int[],
                                     %s::float8[], %s::varchar[])
                              AS v(id, efficiency, counted, red, yellow, green, previous, trend)
                        WHERE sc.id = v.id AND sc.state = 'open'""",
                    now,
                    uid,
                    now,
                    *columns,
                )
            )
        self.env["olimp.kpi.scorecard.line"].invalidate_model(LINE_RESULT_FIELDS + ["write_uid", "write_date"])
        self.env["olimp.kpi.scorecard"].invalidate_model(SCORECARD_RESULT_FIELDS + ["write_uid", "write_date"])
