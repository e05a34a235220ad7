"""Refresh of open scorecards: the ORM side of the engine.

The arithmetic lives in :mod:`..engine.scoring` and the grouped queries in :mod:`..engine.collector`; this class
loads what they need and writes back what they return. The queries of one refresh do not depend on the number of
employees:

1. lock the open scorecards asked for (``FOR UPDATE SKIP LOCKED``: scorecards a concurrent refresh holds are left
   to it, and a scorecard closed meanwhile is not touched);
2. read their lines, and the KPI definitions behind them (a ratio's numerator and denominator too);
3. the previous month's scorecards of the same employees, in one query: their lines give the trend its previous
   figure (as it was closed, when it was), their efficiency the efficiency trend;
4. one grouped query per quantitative KPI (KPIs that read the same records share it), per month and company time
   zone of the scorecards, covering the month only: the previous month is read from the data only for the
   employees who had no scorecard then, in the same query;
5. one ``UPDATE`` of all lines and one of all scorecards, from arrays (and one of the records counted, when a
   month is closed or a balance measured).

Balances are measured by each refresh within their month; once the month is over a measured balance is never
measured again (its figure, trend and records stay those of the last refresh within the month). A month still
running compares counts and sums with the previous month pro-rated to the working days elapsed.

Figures do not depend on who refreshes: sources are read as superuser, restricted to the scorecard's company.
"""

import functools
import json
import logging
from collections import defaultdict, namedtuple
from itertools import repeat

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import periods, scoring
from ..engine.collector import OVERDUE, PREVIOUS, RECORD_IDS, Collector, Period, Split
from .line_fields import JUDGED_FIELDS
from .locking import lock_rows

_logger = logging.getLogger(__name__)

CardRow = namedtuple("CardRow", "id employee_id user_id company_id date_from")
# What a line is judged by (read only), then what the refresh writes, with the PostgreSQL type of its array: the
# SELECT, the UPDATE and the ORM cache invalidation are all derived from these two lists.
LINE_INPUTS = ["id", "scorecard_id", "kpi_id", *JUDGED_FIELDS]
# Every line has the first ones; the others are those of ratios and balances, written apart (for the few lines
# where they change) so that the statement that rewrites thousands of lines carries no column of zeros.
LINE_CORE_RESULTS = [
    ("actual", "float8"),
    ("previous_actual", "float8"),
    ("trend_reference", "float8"),
    ("trend_basis", "varchar"),
    ("completion", "float8"),
    ("zone", "varchar"),
    ("trend", "varchar"),
    ("score", "float8"),
]
LINE_OTHER_RESULTS = [
    ("is_ratio", "bool"),
    ("numerator_actual", "float8"),
    ("denominator_actual", "float8"),
    ("actual_overdue", "float8"),
    ("measured_on", "date"),
]
LINE_RESULTS = LINE_CORE_RESULTS + LINE_OTHER_RESULTS
LineRow = namedtuple("LineRow", LINE_INPUTS + [name for name, __ in LINE_RESULTS])
LINE_RESULT_FIELDS = [name for name, __ in LINE_RESULTS]
# A line's new results are plain tuples in the order of LINE_RESULTS (thousands are made); their positions:
ACTUAL, SCORE, ZONE, TREND_REFERENCE, TREND_BASIS, IS_RATIO, NUMERATOR, DENOMINATOR = (
    LINE_RESULT_FIELDS.index(name)
    for name in (
        "actual",
        "score",
        "zone",
        "trend_reference",
        "trend_basis",
        "is_ratio",
        "numerator_actual",
        "denominator_actual",
    )
)
RECORD_FIELDS = ["record_ids", "denominator_record_ids", "records_stored_on"]
SCORECARD_RESULTS = [
    ("efficiency", "float8"),
    ("counted_line_count", "int4"),
    ("red_count", "int4"),
    ("yellow_count", "int4"),
    ("green_count", "int4"),
    ("previous_efficiency", "float8"),
    ("efficiency_reference", "float8"),
    ("trend_basis", "varchar"),
    ("efficiency_trend", "varchar"),
    ("working_days", "int4"),
    ("elapsed_working_days", "int4"),
]
SCORECARD_RESULT_FIELDS = [name for name, __ in SCORECARD_RESULTS] + ["refreshed_on"]
ARRAY_TYPES = {
    "int4": SQL("int4[]"),
    "float8": SQL("float8[]"),
    "varchar": SQL("varchar[]"),
    "bool": SQL("bool[]"),
    "date": SQL("date[]"),
    "text": SQL("text[]"),
}
# A month of a company: its time zone, today there, and where the month stands.
MonthContext = namedtuple("MonthContext", "tz_name today over running elapsed total")


def _plan(line):
    """What ``line`` is judged against, in the order of :func:`..engine.scoring.judge`'s arguments after the
    actual: target, direction, yellow and green thresholds, floor, cap."""
    return (
        line.target or 0.0,
        line.direction,
        line.yellow_from or 0.0,
        line.green_from or 0.0,
        line.floor or 0.0,
        line.cap or 0.0,
    )


class Measured:
    """The figures of one KPI (or ratio operand) for the scorecards of a refresh, by scorecard id: its actual, the
    previous month's where it came from the data, the overdue part of a balance, the records counted (when taken).
    Plain dicts of numbers: thousands of them, and no object per scorecard for the garbage collector to walk."""

    __slots__ = ("current", "previous", "overdue", "records")

    def __init__(self, records=False):
        self.current = {}
        self.previous = {}
        self.overdue = {}
        self.records = {} if records else None


@functools.lru_cache(maxsize=1024)
def _quote(value):
    # Cached: thousands of selection keys (zones, trends) are a handful of words.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# How each PostgreSQL array type writes its values in an array literal (None is NULL).
ARRAY_ITEM = {
    "int4": str,
    "float8": repr,
    "varchar": _quote,
    "text": _quote,
    "bool": lambda value: "t" if value else "f",
    "date": lambda value: value.isoformat(),
}


def pg_array(values, kind=None):
    """One PostgreSQL array literal (``'{1,2.5,"red",NULL}'``) for numbers, dates, booleans and plain words.

    psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``: one expression per value for the server to parse and
    plan, which for the 8,000 lines of 1,000 scorecards cost more than the update itself. A single literal is read
    by the array input function in one go. ``kind`` (a key of :data:`ARRAY_ITEM`) says how to write the values; by
    default it is guessed value by value.
    """
    item = ARRAY_ITEM.get(kind) or _guess_item
    if None not in values:
        # Thousands of numbers: map() formats them at C speed.
        return "{" + ",".join(map(item, values)) + "}"
    return "{" + ",".join("NULL" if value is None else item(value) for value in values) + "}"


def _guess_item(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _quote(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


class Definition:
    """What the refresh needs of one KPI: its specs (its own, or its ratio's operands) by KPI id; ``computable``
    and ``balance`` are set once its specs are known (see :meth:`ScorecardRefresh._definitions`)."""

    __slots__ = ("kpi_id", "ratio", "operands", "specs", "employee_based", "computable", "balance")

    def __init__(self, kpi_id, ratio, operands):
        self.kpi_id = kpi_id
        self.ratio = ratio
        self.operands = operands  # KPI ids: (itself,) or (numerator, denominator)
        self.specs = {}
        self.employee_based = {}
        self.computable = False
        self.balance = False  # measures a state (a balance, or a ratio with a balance in it)

    def settle(self):
        specs = [self.specs.get(operand) for operand in self.operands]
        self.computable = all(specs) and len(specs) == (2 if self.ratio else 1)
        self.balance = any(spec.balance for spec in specs if spec)


class ScorecardRefresh:
    def __init__(self, env):
        self.env = env(su=True)
        self._rates = {}
        self.collector = Collector(self._read_group, self._convert)
        # KPIs whose definition cannot be computed (see _definitions): their lines keep their actuals.
        self.uncomputable = set()

    # -- database access handed to the collector -------------------------------------------------------------
    def _read_group(self, model, domain, groupby, aggregates, tz_name):
        """``_read_group`` of the collector's terms; a :class:`Split` becomes ``field >= boundary``.

        The domain goes through the ORM (``_search``: active records, inherited and related fields, subqueries of
        x2many conditions); group-by and aggregate terms are those of ``_read_group``, values stay plain ids.
        """
        Source = self.env[model].with_context(tz=tz_name, active_test=True)
        query = Source._search(domain)
        terms = [
            SQL("%s >= %s", Source._field_to_sql(Source._table, spec.field, query), spec.boundary)
            if isinstance(spec, Split)
            else Source._read_group_groupby(spec, query)
            for spec in groupby
        ]
        query.groupby = SQL(", ").join(terms)
        aggregate_terms = [
            # The ids counted need no order (ARRAY_AGG of _read_group sorts each group): they are sorted once.
            SQL("ARRAY_AGG(%s)", Source._field_to_sql(Source._table, "id", query))
            if spec == RECORD_IDS
            else Source._read_group_select(spec, query)
            for spec in aggregates
        ]
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
    def run(self, scorecard_ids, store_records=False):
        """Refresh the open scorecards among ``scorecard_ids``; return those refreshed.

        :param store_records: also keep the ids of the records counted on every line (a month being closed)
        """
        Scorecard = self.env["olimp.kpi.scorecard"]
        if not scorecard_ids:
            return Scorecard
        self.env.flush_all()
        # Locking and reading go together; lines are read as plain rows: thousands of them go through a few lines
        # of arithmetic, where the ORM's per-field access would cost more than the queries.
        cards, lines = self._lock_open(list(scorecard_ids))
        if not cards:
            return Scorecard
        card_ids = [card.id for card in cards]
        now = fields.Datetime.now()
        contexts = self._month_contexts(cards, now)
        definitions = self._definitions(lines)
        previous_lines, previous_efficiency = self._previous(cards)
        measures = self._collect(cards, lines, definitions, previous_lines, contexts, now, store_records)

        core_columns, full_rows, scorecard_rows = self._results(
            cards, lines, definitions, previous_lines, previous_efficiency, measures, contexts
        )
        written = self._write(core_columns, full_rows, scorecard_rows, now, lines)
        return Scorecard.browse([card_id for card_id in card_ids if card_id in written])

    def _results(self, cards, lines, definitions, previous_lines, previous_efficiency, measures, contexts):
        """What to write: ``(core_columns, full_rows, scorecard_rows)`` (see :meth:`_write`); a line whose results
        did not change is left out."""
        core_rows, full_rows, scorecard_rows = [], [], []
        lines_of = defaultdict(list)
        for line in lines:
            lines_of[line.scorecard_id].append(line)
        results_at = len(LINE_INPUTS)
        split = len(LINE_CORE_RESULTS)
        line_result = self._line_result
        next_month = {month: periods.next_month_start(month) for __, month in contexts}
        # Month by month: a scorecard refreshed in this run is the previous month of the next one.
        for card in sorted(cards, key=lambda card: card.date_from):
            context = contexts[card.company_id, card.date_from]
            previous_of = previous_lines.get((card.employee_id, card.date_from), {})
            next_of = previous_lines.setdefault((card.employee_id, next_month[card.date_from]), {})
            card_lines = lines_of[card.id]
            results = []
            for line in card_lines:
                kpi_id = line.kpi_id
                definition = definitions.get(kpi_id)
                new, records = line_result(card, line, definition, previous_of.get(kpi_id), measures, context)
                next_of[kpi_id] = new[ACTUAL]
                results.append(new)
                old = line[results_at:]
                if records is not None or new[split:] != old[split:]:
                    full_rows.append((line.id, *new, *(records or (None, None))))
                elif new != old:
                    core_rows.append((line.id, *new[:split]))
            scorecard_rows.append(self._scorecard_result(card, card_lines, results, previous_efficiency, context))
        # Thousands of rows turned into the columns of the UPDATE at C speed.
        core_columns = list(zip(*core_rows, strict=True)) or [() for _column in range(1 + split)]
        return core_columns, full_rows, scorecard_rows

    def _line_result(self, card, line, definition, previous, measures, context):
        """The new results of ``line`` (in the order of ``LINE_RESULTS``) and, when taken, the records counted
        (numerator's, denominator's)."""
        records = None
        quantitative = line.kind == "quantitative"
        if not quantitative:
            actual = line.actual or 0.0
            measured = line.measured_on
            numerator = denominator = overdue = 0.0
            measurable = True
            reference, basis = scoring.trend_reference(previous)
        elif definition is None or not definition.computable or self._frozen(line, definition, context):
            # Kept as it is: a definition that can no longer be computed (e.g. its source went with an uninstalled
            # module: the last actuals stay rather than a 0 that would lower the efficiency, and a warning is
            # logged), or a balance of a month that is over, measured within it.
            actual, numerator, denominator = line.actual or 0.0, line.numerator_actual, line.denominator_actual
            overdue, measured = line.actual_overdue, line.measured_on
            measurable = not line.is_ratio or scoring.ratio(numerator, denominator) is not None
            reference, basis = line.trend_reference, line.trend_basis
        else:
            card_id = card.id
            first = measures[definition.operands[0]]
            measured = context.today if definition.balance else line.measured_on
            if definition.ratio:
                second = measures[definition.operands[1]]
                numerator, denominator = first.current.get(card_id, 0.0), second.current.get(card_id, 0.0)
                ratio = scoring.ratio(numerator, denominator)
                actual, measurable, overdue = ratio or 0.0, ratio is not None, 0.0
                if previous is None and card_id in first.previous and card_id in second.previous:
                    previous = scoring.ratio(first.previous[card_id], second.previous[card_id])
                prorate = False
            else:
                actual, overdue, measurable = first.current.get(card_id, 0.0), first.overdue.get(card_id, 0.0), True
                numerator = denominator = 0.0
                if previous is None:
                    previous = first.previous.get(card_id)
                prorate = context.running and not definition.balance
            reference, basis = scoring.trend_reference(previous, prorate, context.elapsed, context.total)
            if first.records is not None:
                records = (
                    first.records.get(card_id, []),
                    measures[definition.operands[1]].records.get(card_id, []) if definition.ratio else None,
                )
        completion, zone, score = scoring.judge(actual, *_plan(line), measurable)
        compared = None if basis == scoring.BASIS_NONE else reference
        return (
            actual,
            previous if previous is not None else (line.previous_actual or 0.0),
            compared or 0.0,
            basis,
            completion,
            zone,
            scoring.trend(actual, compared),
            score,
            bool(definition and definition.ratio) if quantitative else False,
            numerator or 0.0,
            denominator or 0.0,
            overdue or 0.0,
            measured,
        ), records

    @staticmethod
    def _frozen(line, definition, context):
        """A balance measured within its month, which is over: never measured again."""
        return bool(context.over and line.measured_on and definition.balance)

    def _scorecard_result(self, card, lines, results, previous_efficiency, context):
        """The scorecard's row: efficiency and zones of its lines' new ``results``, and its trend."""
        judged = zip(lines, results, strict=True)
        summary = scoring.summary((line.weight or 0.0, new[SCORE], new[ZONE]) for line, new in judged)
        previous = previous_efficiency.get((card.employee_id, card.date_from))
        if context.running:
            reference = scoring.reference_summary(
                (
                    line.weight or 0.0,
                    None if new[TREND_BASIS] == scoring.BASIS_NONE else new[TREND_REFERENCE],
                    *_plan(line),
                    not new[IS_RATIO] or scoring.ratio(new[NUMERATOR], new[DENOMINATOR]) is not None,
                )
                for line, new in zip(lines, results, strict=True)
            )
            basis = scoring.BASIS_PRORATED if reference is not None else scoring.BASIS_NONE
        else:
            reference = previous
            basis = scoring.BASIS_MONTH if previous is not None else scoring.BASIS_NONE
        return (
            card.id,
            *summary,
            previous or 0.0,
            reference or 0.0,
            basis,
            scoring.trend(summary.efficiency, reference),
            context.total,
            context.elapsed,
        )

    def _lock_open(self, ids):
        """Lock and read the open scorecards among ``ids`` and their lines, skipping those another transaction
        holds or changed meanwhile (:func:`..services.locking.lock_rows`: a scorecard being refreshed or closed
        by a concurrent transaction is left to it). Returns ``(cards, lines)``."""
        cards = [
            CardRow(*row)
            for row in lock_rows(self.env, "olimp_kpi_scorecard", ids, CardRow._fields, where=SQL("state = 'open'"))
        ]
        if not cards:
            return cards, []
        # Their lines are not locked one by one: writers lock the scorecard before its lines (see _check_open), so
        # nobody changes them now. One that another transaction changed (e.g. its floor) and committed after this
        # one began cannot be updated: _write finds it and skips its scorecard.
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM olimp_kpi_scorecard_line WHERE scorecard_id = ANY(%s)",
                SQL(", ").join(SQL.identifier(name) for name in LineRow._fields),
                [card.id for card in cards],
            )
        )
        return cards, list(map(tuple.__new__, repeat(LineRow), self.env.cr.fetchall()))

    def _month_contexts(self, cards, now):
        """``{(company id, month): MonthContext}``: where each month stands in its company's time zone."""
        contexts = {}
        companies = self.env["res.company"].browse({card.company_id for card in cards})
        for company in companies:
            tz_name = company._olimp_kpi_tz()
            today = periods.local_today(tz_name, now)
            for month in {card.date_from for card in cards if card.company_id == company.id}:
                running = periods.month_start(today) == month
                elapsed, total = company._olimp_kpi_working_days(month, today) if running else (0, 0)
                contexts[company.id, month] = MonthContext(
                    tz_name=tz_name,
                    today=today,
                    over=periods.has_ended(month, today),
                    running=running,
                    elapsed=elapsed,
                    total=total,
                )
        return contexts

    def _definitions(self, lines):
        """``{kpi id: Definition}`` of the quantitative lines; KPIs that cannot be computed are logged."""
        kpi_ids = {line.kpi_id for line in lines if line.kind == "quantitative"}
        definitions = {}
        specs = {}
        Kpi = self.env["olimp.kpi"].with_context(active_test=False)
        kpis = Kpi.browse(sorted(kpi_ids))
        for kpi in kpis:
            operands = kpi._operands()
            definition = Definition(kpi.id, kpi.aggregation == "ratio", tuple(operands.ids) or (kpi.id,))
            for operand in operands:
                if operand.id not in specs:
                    try:
                        specs[operand.id] = operand._engine_spec()
                    except (KeyError, ValueError) as error:
                        _logger.warning("KPI %s (%s) cannot be computed: %s", operand.code, operand.id, error)
                        specs[operand.id] = None
                definition.specs[operand.id] = specs[operand.id]
                definition.employee_based[operand.id] = operand.user_field_id.relation == "hr.employee"
            definition.settle()
            if not definition.computable:
                self.uncomputable.add(kpi.id)
            definitions[kpi.id] = definition
        return definitions

    def _collect(self, cards, lines, definitions, previous_lines, contexts, now, store_records=False):
        """``{operand KPI id: Measured}`` of the quantitative lines to measure.

        The previous month is asked from the data only for the scorecards whose employee had no scorecard with
        that KPI the month before; balances of a month that is over, measured within it, are not measured again.
        """
        card_of = {card.id: card for card in cards}
        wanted = {}  # (month, tz) → operand → card id → wants previous
        # Per scorecard: its month's context, the KPIs of its previous month's scorecard, its group in wanted.
        of_card = {}
        for card in cards:
            context = contexts[card.company_id, card.date_from]
            of_card[card.id] = (
                context,
                previous_lines.get((card.employee_id, card.date_from), ()),
                wanted.setdefault((card.date_from, context.tz_name), {}),
            )
        frozen = self._frozen
        for line in lines:
            definition = definitions.get(line.kpi_id)
            if line.kind != "quantitative" or definition is None or not definition.computable:
                continue
            context, previous_kpis, operands = of_card[line.scorecard_id]
            if frozen(line, definition, context):
                continue
            needs_previous = line.kpi_id not in previous_kpis
            card_id = line.scorecard_id
            for operand in definition.operands:
                group = operands.get(operand)
                if group is None:
                    group = operands[operand] = {}
                if not group.get(card_id):
                    group[card_id] = needs_previous

        result = defaultdict(Measured)
        for (month, tz_name), operands in wanted.items():
            period = Period(month, tz_name, now)
            specs, subjects_of, previous_of, members, records_for = [], {}, {}, {}, set()
            for operand, card_previous in operands.items():
                definition = next(d for d in definitions.values() if operand in d.specs)
                spec = definition.specs[operand]
                subject = "employee_id" if definition.employee_based[operand] else "user_id"
                # company → {card id: subject}
                subject_of = defaultdict(dict)
                for card_id in card_previous:
                    card = card_of[card_id]
                    subject_of[card.company_id][card_id] = getattr(card, subject)
                subjects = {subject for of_company in subject_of.values() for subject in of_company.values() if subject}
                if not subjects:
                    continue
                specs.append(spec)
                subjects_of[spec.key] = subjects
                previous_of[spec.key] = {
                    of_company[card_id]
                    for of_company in subject_of.values()
                    for card_id in of_company
                    if card_previous[card_id]
                }
                members[spec.key] = subject_of
                if store_records or spec.balance:
                    records_for.add(spec.key)
            values_of = self.collector.collect_many(
                specs,
                period,
                subjects_of,
                {company for subject_of in members.values() for company in subject_of},
                previous_of,
                records_for,
            )
            for spec in specs:
                key = spec.key
                values = values_of[key]
                from_data = previous_of[key]
                if key not in result:
                    result[key] = Measured(records=key in records_for)
                measured = result[key]
                for company, subject_of in members[key].items():
                    # Thousands of figures read at once, by subject.
                    current = values.by_subject(company)
                    measured.current.update(
                        {card_id: current.get(subject, 0.0) for card_id, subject in subject_of.items()}
                    )
                    if from_data:
                        measured.previous.update(
                            (card_id, values.value(subject, company, PREVIOUS))
                            for card_id, subject in subject_of.items()
                            if subject in from_data
                        )
                    if spec.due_field:
                        overdue = values.by_subject(company, OVERDUE)
                        measured.overdue.update(
                            {card_id: overdue.get(subject, 0.0) for card_id, subject in subject_of.items()}
                        )
                    if measured.records is not None:
                        records = values.records_by_subject(company)
                        measured.records.update(
                            {card_id: records.get(subject, []) for card_id, subject in subject_of.items()}
                        )
        return result

    def _previous(self, cards):
        """The previous month's scorecards of the same employees, in one query: ``{(employee, month): {kpi id:
        actual}}`` of their lines and ``{(employee, month): efficiency}``, keyed by the month they precede."""
        employees = list({card.employee_id for card in cards})
        months = {periods.previous_month_start(month): month for month in {card.date_from for card in cards}}
        previous_lines, previous_efficiency = {}, {}
        # One row per scorecard, its lines' figures as two arrays: a dict each at C speed (an empty actual is 0, and
        # so is -0, as ``actual or 0.0`` would have it).
        for employee_id, date_from, efficiency, kpi_ids, actuals in self.env.execute_query(
            SQL(
                """SELECT sc.employee_id, sc.date_from, sc.efficiency,
                          ARRAY_AGG(line.kpi_id) FILTER (WHERE line.id IS NOT NULL),
                          ARRAY_AGG(COALESCE(line.actual, 0) + 0) FILTER (WHERE line.id IS NOT NULL)
                     FROM olimp_kpi_scorecard AS sc
                LEFT JOIN olimp_kpi_scorecard_line AS line ON line.scorecard_id = sc.id
                    WHERE sc.employee_id = ANY(%s) AND sc.date_from = ANY(%s)
                 GROUP BY sc.id""",
                employees,
                list(months),
            )
        ):
            month = months[date_from]
            previous_efficiency[employee_id, month] = efficiency or 0.0
            previous_lines[employee_id, month] = dict(zip(kpi_ids or (), actuals or (), strict=True))
        return previous_lines, previous_efficiency

    def _update(self, table, key_columns, rows, now, where=None, extra=None, assign=None, columns=False):
        """``UPDATE table SET column = v.column, ... FROM unnest(<one array per column>)``: one statement for
        all rows (or ``columns``: the values given column by column). ``key_columns`` are ``(name, type)`` pairs
        after the id; ``extra`` more assignments (SQL); ``assign`` the assignment of a column when it is not
        ``column = v.column`` (``{name: SQL}``)."""
        names = [("id", "int4"), *key_columns]
        assign = assign or {}
        arrays = [
            SQL("%s::%s", pg_array(values, kind), ARRAY_TYPES[kind])
            for values, (__, kind) in zip(rows if columns else zip(*rows, strict=True), names, strict=True)
        ]
        sets = [
            SQL("%s = %s", SQL.identifier(name), assign.get(name) or SQL("v.%s", SQL.identifier(name)))
            for name, __ in key_columns
        ]
        sets += [SQL("write_uid = %s", self.env.uid), SQL("write_date = %s", now), *(extra or [])]
        # A serialization failure here is expected and handled (see _write): not logged as an error.
        self.env.cr.execute(
            SQL(
                """UPDATE %(table)s AS target SET %(sets)s
                     FROM unnest(%(arrays)s) AS v(%(names)s)
                    WHERE target.id = v.id %(where)s""",
                table=SQL.identifier(table),
                sets=SQL(", ").join(sets),
                arrays=SQL(", ").join(arrays),
                names=SQL(", ").join(SQL.identifier(name) for name, __ in names),
                where=where or SQL(),
            ),
            log_exceptions=False,
        )

    def _write(self, core_columns, full_rows, scorecard_rows, now, lines):
        """Write the lines and then their scorecards; return the ids of the scorecards written.

        Lines whose ratio or balance figures or records changed are written whole, the others (most of them) with
        the eight figures every line has (given column by column): each row once, whatever changed in it. A line
        that a transaction committed after this one began changed (a plan edit) cannot be written (a serialization
        failure): the lines are then written scorecard by scorecard, and those scorecards are left to the next
        refresh, untouched.
        """
        written = {row[0] for row in scorecard_rows}
        try:
            with self.env.cr.savepoint(flush=False):
                self._write_lines(core_columns, full_rows, now)
        except psycopg2.errors.SerializationFailure:
            written = self._write_lines_one_by_one(core_columns, full_rows, now, lines)
        rows = [row for row in scorecard_rows if row[0] in written]
        if rows:
            self._update(
                "olimp_kpi_scorecard",
                SCORECARD_RESULTS,
                rows,
                now,
                where=SQL("AND target.state = 'open'"),
                extra=[SQL("refreshed_on = %s", now)],
            )
        self.env["olimp.kpi.scorecard.line"].invalidate_model(
            LINE_RESULT_FIELDS + RECORD_FIELDS + ["write_uid", "write_date"]
        )
        self.env["olimp.kpi.scorecard"].invalidate_model(SCORECARD_RESULT_FIELDS + ["write_uid", "write_date"])
        return written

    def _write_lines(self, core_columns, full_rows, now):
        if core_columns[0]:
            self._update("olimp_kpi_scorecard_line", LINE_CORE_RESULTS, core_columns, now, columns=True)
        if full_rows:
            # The records counted, as JSON arrays, when taken (a closed month, a measured balance); else kept.
            taken = SQL("v.record_ids IS NOT NULL")
            self._update(
                "olimp_kpi_scorecard_line",
                [*LINE_RESULTS, ("record_ids", "text"), ("denominator_record_ids", "text")],
                [
                    (*row, None if ids is None else json.dumps(ids), None if others is None else json.dumps(others))
                    for *row, ids, others in full_rows
                ],
                now,
                assign={
                    "record_ids": SQL("CASE WHEN %s THEN v.record_ids::jsonb ELSE target.record_ids END", taken),
                    "denominator_record_ids": SQL(
                        "CASE WHEN %s THEN v.denominator_record_ids::jsonb ELSE target.denominator_record_ids END",
                        taken,
                    ),
                },
                extra=[SQL("records_stored_on = CASE WHEN %s THEN %s ELSE target.records_stored_on END", taken, now)],
            )

    def _write_lines_one_by_one(self, core_columns, full_rows, now, lines):
        """The rare path of :meth:`_write`: one savepoint per scorecard; returns the scorecards written."""
        card_of = {line.id: line.scorecard_id for line in lines}
        core_of = defaultdict(lambda: [[] for _column in core_columns])
        for values in zip(*core_columns, strict=True):
            for column, value in zip(core_of[card_of[values[0]]], values, strict=True):
                column.append(value)
        full_of = defaultdict(list)
        for row in full_rows:
            full_of[card_of[row[0]]].append(row)
        written = set()
        for card_id in sorted({line.scorecard_id for line in lines}):
            try:
                with self.env.cr.savepoint(flush=False):
                    self._write_lines(core_of.get(card_id) or [[]], full_of.get(card_id, []), now)
                written.add(card_id)
            except psycopg2.errors.SerializationFailure:
                _logger.info("Scorecard %s changed by a concurrent transaction: not refreshed", card_id)
        return written
