"""Actuals of every KPI for every employee of a month, with one grouped query per KPI.

How it works
------------
A refresh takes the open scorecards of one month (a :class:`Period`). For each KPI definition (a :class:`KpiSpec`)
the collector builds a single domain that covers *all* the subjects of those scorecards (users, or employees when
the KPI's user field points to ``hr.employee``) and asks the database for one grouped aggregate::

    GROUP BY subject [, date field >= start of the month] [, company] [, currency] [, due date >= measuring day]

so the number of queries depends on the number of KPIs, never on the number of employees.

- **Flow** KPIs (the default) count the records dated in the month. **Balance** KPIs measure a state: the records
  dated up to the month's end (all matching records when they have no date field), e.g. what customers owe.
- Records dated after the instant of the refresh are left out for KPIs that ask so (``until_now``: a meeting
  counts once it has taken place, never while it is still to come).
- The previous month (the trend) normally comes from the previous month's scorecards, not from here. Only the
  subjects without one (``previous_of``) get it from the data, in the *same* query: the domain then reaches into
  the previous month for those subjects only, and a :class:`Split` on the month's first instant (converted to UTC
  once, in Python, rather than a ``:month`` grouping that converts and truncates every record's date in SQL) tells
  the two months apart. A balance dated before the month counts in both months.
- A balance with a due date field is split on it too: the part due before the day it is measured is *overdue*.
- KPIs that read the same records (same model, conditions, date field and subject field) share one query, each
  taking its own aggregate from it: the count and the amount of the month's new opportunities cost one query
  (:meth:`Collector.collect_many`). A ``count_distinct`` keeps a query of its own, since distinct counts of
  different groups cannot be added up.
- Amounts in other currencies (a monetary measure whose currency field is stored) are grouped by currency and
  converted to the company currency through the ``convert`` callable, once per currency, company and month.
- ``avg`` is computed as the sum of converted amounts divided by the number of records, so it stays right across
  currencies and companies.
- Records without a company (shared records such as contacts) count for every company of the refresh.
- ``with_records`` adds the ids of the records counted (``id:array_agg``) to the same query: a month is closed
  with them, and balances keep those of their measure, so that the drill-down of a closed month opens exactly the
  records counted, whatever happened to them since.
- :meth:`Collector.records_domain` restricts the very same domain to one subject: the drill-down of an open month
  opens exactly the records that are counted.

The collector talks to the database only through the ``read_group`` callable it is given, so it is tested without
Odoo (``tests/test_engine_collector.py``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import periods

AGGREGATIONS = ("count", "sum", "avg", "count_distinct")
CURRENT = "current"
PREVIOUS = "previous"
OVERDUE = "overdue"
RECORD_IDS = "id:array_agg"


@dataclass(frozen=True)
class KpiSpec:
    """What a KPI counts, in terms of the source model's field names."""

    key: object
    model: str
    aggregation: str
    date_field: str
    date_is_datetime: bool
    subject_field: str
    domain: tuple = ()
    measure: str = None
    company_field: str = None
    currency_field: str = None
    balance: bool = False
    until_now: bool = False
    due_field: str = None
    due_is_datetime: bool = False

    def __post_init__(self):
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"Unknown aggregation {self.aggregation!r}")
        if self.aggregation != "count" and not self.measure:
            raise ValueError(f"Aggregation {self.aggregation!r} needs a measure field")
        if not self.balance and not self.date_field:
            raise ValueError("A flow KPI needs a date field")

    @property
    def previous_from_data(self):
        """Whether the data can tell the previous month: not for a balance without a date (only today's state)."""
        return bool(self.date_field)


@dataclass(frozen=True)
class Period:
    """The month measured, in a time zone, at an instant.

    :param month: any day of the month
    :param now: the instant of the measure, a naive UTC datetime: records dated later do not count for KPIs
        with ``until_now``, and the part of a balance due before that day (in ``tz_name``) is overdue
    """

    month: date
    tz_name: str = "UTC"
    now: datetime = None

    @property
    def start(self):
        return periods.month_start(self.month)

    @property
    def stop(self):
        return periods.next_month_start(self.month)

    @property
    def previous(self):
        return periods.previous_month_start(self.month)

    @property
    def as_of(self):
        """The day a balance is measured: today while the month runs, its last day once it is over."""
        if self.now is None:
            return periods.month_end(self.month)
        return min(periods.local_today(self.tz_name, self.now), periods.month_end(self.month))


@dataclass(frozen=True)
class Split:
    """A group-by term: whether ``field`` is on or after ``boundary`` (``True``) or before it (``False``);
    ``None`` when the field is empty.

    ``boundary`` is a date for date fields and a naive UTC datetime for datetime fields, like domain values.
    """

    field: str
    boundary: object


def _format(value):
    """Domain values as strings, so a drill-down domain can travel to the web client as JSON."""
    if hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


class Actuals:
    """Values per subject, company and slot of one KPI; slots: :data:`CURRENT`, :data:`PREVIOUS` (for the subjects
    that asked for it) and :data:`OVERDUE`. Shared records (no company) count for every company.

    Kept as ``{slot: {company: {subject: value}}}``: thousands of subjects without a key object each.
    """

    def __init__(self, average=False):
        self.average = average
        self._sums = {}
        self._counts = {}
        self._ids = {}

    def add(self, subject, company, slot, amount, count=0):
        sums = self.sums(slot, company)
        sums[subject] = sums.get(subject, 0.0) + (amount or 0.0)
        if count:
            counts = self.counts(slot, company)
            counts[subject] = counts.get(subject, 0) + count

    def sums(self, slot, company):
        """The ``{subject: sum}`` of one slot and company, to add to (see :meth:`add`)."""
        return self._sums.setdefault(slot, {}).setdefault(company or None, {})

    def counts(self, slot, company):
        """The ``{subject: number of records}`` of one slot and company, to add to (see :meth:`add`)."""
        return self._counts.setdefault(slot, {}).setdefault(company or None, {})

    def add_ids(self, subject, company, ids):
        self._ids.setdefault(company or None, {}).setdefault(subject, []).extend(ids or ())

    @staticmethod
    def _total(values, subject, company, slot):
        by_company = values.get(slot)
        if not by_company:
            return 0.0
        total = by_company.get(company or None, {}).get(subject, 0.0)
        if company:
            total += by_company.get(None, {}).get(subject, 0.0)
        return total

    def value(self, subject, company, slot=CURRENT):
        total = self._total(self._sums, subject, company, slot)
        if not self.average:
            return total
        count = self._total(self._counts, subject, company, slot)
        return total / count if count else 0.0

    def by_subject(self, company, slot=CURRENT):
        """``{subject: value}`` of one company and slot, for every subject that has records: thousands of values
        at once (a subject without records has 0)."""
        by_company = self._sums.get(slot, {})
        own = by_company.get(company or None, {})
        shared = by_company.get(None, {}) if company else {}
        if not self.average and not shared:
            # value() without the calls: a company's own sums (plus the 0.0 of no shared records, as value() adds).
            return {subject: total + 0.0 for subject, total in own.items()} if company else dict(own)
        return {subject: self.value(subject, company, slot) for subject in set(own) | set(shared)}

    def record_ids(self, subject, company):
        """Ids of the records counted in the month (sorted), shared records included."""
        ids = list(self._ids.get(company or None, {}).get(subject, ()))
        if company:
            ids += self._ids.get(None, {}).get(subject, ())
        return sorted(set(ids))

    def records_by_subject(self, company):
        """``{subject: record_ids(subject, company)}`` for every subject with records."""
        subjects = set(self._ids.get(company or None, ())) | (set(self._ids.get(None, ())) if company else set())
        return {subject: self.record_ids(subject, company) for subject in subjects}


class Collector:
    """Runs the grouped queries of a refresh.

    :param read_group: ``read_group(model, domain, groupby, aggregates, tz)`` returning rows of plain values
        (groupby values then aggregates, many2one values as ids or ``False``/``None``); a :class:`Split` in
        ``groupby`` yields ``True``/``False`` (``None`` for an empty field)
    :param convert: ``convert(amount, currency_id, company_id, month_start)`` returning the amount in the
        company's currency; needed only for KPIs with a ``currency_field``
    """

    def __init__(self, read_group, convert=None):
        self.read_group = read_group
        self.convert = convert
        self.queries = 0

    # -- domains ---------------------------------------------------------------------------------------------
    def _bounds(self, spec, period):
        """Domain values of the previous month's start, the month's start and the end of what counts."""
        (previous, start), (__, stop) = (
            periods.bounds(period.previous, period.start, spec.date_is_datetime, period.tz_name),
            periods.bounds(period.start, period.stop, spec.date_is_datetime, period.tz_name),
        )
        if spec.until_now and period.now is not None:
            if spec.date_is_datetime:
                stop = min(stop, period.now)
            else:
                stop = min(stop, periods.local_today(period.tz_name, period.now) + timedelta(days=1))
        return previous, start, stop

    def domain(self, spec, period, subject_ids, company_ids, previous_ids=()):
        """Domain of the records of ``subject_ids`` counted in ``period``, and in the month before for
        ``previous_ids``."""
        domain = list(spec.domain)
        subject_ids = sorted(subject_ids)
        if len(subject_ids) == 1:
            domain.append((spec.subject_field, "=", subject_ids[0]))
        else:
            domain.append((spec.subject_field, "in", subject_ids))
        if spec.date_field:
            previous, start, stop = self._bounds(spec, period)
            domain.append((spec.date_field, "<", _format(stop)))
            if not spec.balance:
                domain.append((spec.date_field, ">=", _format(previous if previous_ids else start)))
                if previous_ids:
                    domain += [
                        "|",
                        (spec.date_field, ">=", _format(start)),
                        (spec.subject_field, "in", sorted(previous_ids)),
                    ]
        if spec.company_field and company_ids:
            domain.append((spec.company_field, "in", [*company_ids, False]))
        return domain

    def records_domain(self, spec, period, subject_id, company_id):
        """The drill-down: exactly the records counted for one subject and company in ``period``."""
        return self.domain(spec, period, [subject_id], [company_id])

    # -- queries ---------------------------------------------------------------------------------------------
    def collect(self, spec, period, subject_ids, company_ids, previous_ids=(), with_records=False):
        """Actuals of ``period`` for all ``subject_ids`` (and of the month before for ``previous_ids``)."""
        return self.collect_many(
            [spec], period, {spec.key: subject_ids}, company_ids, {spec.key: previous_ids}, with_records
        )[spec.key]

    def collect_many(self, specs, period, subjects_of, company_ids, previous_of=None, with_records=False):
        """Actuals of several KPIs: ``{spec.key: Actuals}``, one query per group of KPIs reading the same records.

        :param subjects_of: ``{spec.key: subject ids}``; KPIs sharing a query ask for all their subjects at once
        :param previous_of: ``{spec.key: subject ids}`` whose previous month must come from the data
        :param with_records: also collect the ids of the records counted: ``True`` for every KPI, or the keys of
            those that need them
        """
        previous_of = previous_of or {}
        result = {}
        for group in _shared_queries(specs):
            subjects = set().union(*(subjects_of[spec.key] for spec in group))
            previous = set().union(*(previous_of.get(spec.key) or () for spec in group)) & subjects
            if not group[0].previous_from_data:
                previous = set()
            records = with_records is True or bool(with_records and any(spec.key in with_records for spec in group))
            result.update(self._collect_group(group, period, subjects, company_ids, previous, records))
        return result

    def _collect_group(self, specs, period, subject_ids, company_ids, previous_ids, with_records):
        """One grouped query for ``specs``, which read the same records; one :class:`Actuals` per spec."""
        first = specs[0]
        company_ids = sorted({cid for cid in company_ids if cid})
        by_company = bool(first.company_field) and len(company_ids) > 1
        currency_field = next(filter(None, map(_currency_field, specs)), None)

        groupby = [first.subject_field]
        split_month = bool(previous_ids)
        if split_month:
            groupby.append(Split(first.date_field, self._bounds(first, period)[1]))
        if by_company:
            groupby.append(first.company_field)
        if currency_field:
            groupby.append(currency_field)
        split_due = bool(first.balance and first.due_field)
        if split_due:
            as_of = periods.bounds(period.as_of, period.as_of, first.due_is_datetime, period.tz_name)[0]
            groupby.append(Split(first.due_field, as_of))
        aggregates = []

        def position(aggregate):
            if aggregate not in aggregates:
                aggregates.append(aggregate)
            return aggregates.index(aggregate)

        plan = []  # (spec, position of its value, position of its record count for averages, converted)
        for spec in specs:
            if spec.aggregation == "count":
                plan.append((spec, position("__count"), None, False))
            elif spec.aggregation == "count_distinct":
                plan.append((spec, position(f"{spec.measure}:count_distinct"), None, False))
            else:
                value = position(f"{spec.measure}:sum")
                count = position("__count") if spec.aggregation == "avg" else None
                plan.append((spec, value, count, bool(_currency_field(spec))))
        ids_at = position(RECORD_IDS) if with_records else None

        domain = self.domain(first, period, subject_ids, company_ids, previous_ids)
        rows = self.read_group(first.model, domain, groupby, aggregates, period.tz_name)
        self.queries += 1

        only_company = company_ids[0] if len(company_ids) == 1 else None
        result = {spec.key: Actuals(average=spec.aggregation == "avg") for spec, *__ in plan}
        month_of = {CURRENT: period.start, PREVIOUS: period.previous, OVERDUE: period.start}
        # Where each group-by term is in a row, after the subject; the aggregates follow them.
        position = 1
        month_at, company_at, currency_at, due_at = None, None, None, None
        if split_month:
            month_at, position = position, position + 1
        if by_company:
            company_at, position = position, position + 1
        if currency_field:
            currency_at, position = position, position + 1
        if split_due:
            due_at, position = position, position + 1
        plan = [
            (result[spec.key], position + value, None if count is None else position + count, converted)
            for spec, value, count, converted in plan
        ]
        ids_at = None if ids_at is None else position + ids_at
        targets = {}  # (slot, company) → [(sums, counts or None) of each spec of the plan]
        for row in rows:
            subject = row[0]
            in_month = True if month_at is None else row[month_at]
            company = only_company if company_at is None else row[company_at]
            currency = None if currency_at is None else row[currency_at]
            overdue = False if due_at is None else row[due_at] is False
            if first.balance:
                # A balance dated before the month is part of both months' states.
                slots = (CURRENT,) if in_month else (CURRENT, PREVIOUS)
            else:
                slots = (CURRENT if in_month else PREVIOUS,)
            if overdue:
                slots = (*slots, OVERDUE)
            for slot in slots:
                of_slot = targets.get((slot, company))
                if of_slot is None:
                    of_slot = targets[slot, company] = [
                        (actuals.sums(slot, company), None if count_at is None else actuals.counts(slot, company))
                        for actuals, __, count_at, __ in plan
                    ]
                for (__, value_at, count_at, converted), (sums, counts) in zip(plan, of_slot, strict=True):
                    amount = row[value_at] or 0.0
                    if converted and currency and self.convert:
                        # Shared records (no company) are converted for the company of the refresh when there is one.
                        amount = self.convert(amount, currency, company or only_company, month_of[slot])
                    sums[subject] = sums.get(subject, 0.0) + (amount or 0.0)
                    if counts is not None and row[count_at]:
                        counts[subject] = counts.get(subject, 0) + row[count_at]
            if ids_at is not None and CURRENT in slots:
                for actuals, *__ in plan:
                    actuals.add_ids(subject, company, row[ids_at])
        return result


def _currency_field(spec):
    """The currency to group amounts by, for sums and averages of amounts in several currencies."""
    return spec.currency_field if spec.aggregation in ("sum", "avg") else None


def _shared_queries(specs):
    """Groups of specs that one query serves: same records (model, conditions, date and subject fields, period
    mode), at most one currency to group by; a distinct count always alone."""
    groups = {}
    for spec in specs:
        if spec.aggregation == "count_distinct":
            key = ("distinct", spec.key)
        else:
            key = (
                spec.model,
                repr(spec.domain),
                spec.date_field,
                spec.date_is_datetime,
                spec.subject_field,
                spec.company_field,
                spec.balance,
                spec.until_now,
                spec.due_field,
            )
        groups.setdefault(key, []).append(spec)
    result = []
    for group in groups.values():
        by_currency = {}
        for spec in group:
            by_currency.setdefault(_currency_field(spec), []).append(spec)
        currencies = [currency for currency in by_currency if currency]
        # Counts and sums that need no conversion ride along with the first currency's query.
        if len(currencies) <= 1:
            result.append(group)
            continue
        result.append(by_currency.pop(None, []) + by_currency.pop(currencies[0]))
        result += list(by_currency.values())
    return result
