"""Actuals of every KPI for every employee of a month, with one grouped query per KPI.

How it works
------------
A refresh takes the open scorecards of one month. For each KPI definition (a :class:`KpiSpec`) the collector
builds a single domain that covers *all* the subjects of those scorecards (users, or employees when the KPI's
user field points to ``hr.employee``) and *both* the previous and the current month, and asks the database for one
grouped aggregate::

    GROUP BY subject, (date field >= start of the month) [, company] [, currency]

so the number of queries depends on the number of KPIs, never on the number of employees; the previous month,
needed for the trend, comes from the same query. The two months are told apart by one comparison with the
month's first instant (a :class:`MonthSplit`, converted to UTC once, in Python) rather than by a ``:month``
grouping, which converts and truncates the date of every record in SQL and costs more than the rest of the query.

- KPIs that read the same records (same model, conditions, date field and subject field) share one query, each
  taking its own aggregate from it: the count and the amount of the month's new opportunities cost one query
  (:meth:`Collector.collect_many`). A ``count_distinct`` keeps a query of its own, since distinct counts of
  different groups cannot be added up.

- Amounts in other currencies (a monetary measure whose currency field is stored) are grouped by currency and
  converted to the company currency through the ``convert`` callable, once per currency, company and month.
- ``avg`` is computed as the sum of converted amounts divided by the number of records, so it stays right across
  currencies and companies.
- Records without a company (shared records such as contacts) count for every company of the refresh.
- :meth:`Collector.records_domain` restricts the very same domain to one subject and one month: the drill-down
  opens exactly the records that were counted.

The collector talks to the database only through the ``read_group`` callable it is given, so it is tested without
Odoo (``tests/test_engine_collector.py``).
"""

from collections import defaultdict
from dataclasses import dataclass

from . import periods

AGGREGATIONS = ("count", "sum", "avg", "count_distinct")


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

    def __post_init__(self):
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"Unknown aggregation {self.aggregation!r}")
        if self.aggregation != "count" and not self.measure:
            raise ValueError(f"Aggregation {self.aggregation!r} needs a measure field")


@dataclass(frozen=True)
class MonthSplit:
    """A group-by term: whether ``field`` is on or after ``boundary`` (the month) or before it (the month before).

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
    """Values per (subject, company, month) of one KPI; shared records (no company) count for every company."""

    def __init__(self):
        self._sums = defaultdict(float)
        self._counts = defaultdict(float)
        self.average = False

    def add(self, subject, company, month, amount, count=0):
        key = (subject, company or None, month)
        self._sums[key] += amount or 0.0
        self._counts[key] += count or 0

    def value(self, subject, company, month):
        sums = self._sums
        total = sums.get((subject, company or None, month), 0.0)
        if company:
            total += sums.get((subject, None, month), 0.0)
        if not self.average:
            return total
        count = self._counts.get((subject, company or None, month), 0)
        if company:
            count += self._counts.get((subject, None, month), 0)
        return total / count if count else 0.0


class Collector:
    """Runs the grouped queries of a refresh.

    :param read_group: ``read_group(model, domain, groupby, aggregates, tz)`` returning rows of plain values
        (groupby values then aggregates, many2one values as ids or ``False``/``None``); a :class:`MonthSplit` in
        ``groupby`` yields ``True`` for records of the month and ``False`` for those of the month before
    :param convert: ``convert(amount, currency_id, company_id, month_start)`` returning the amount in the
        company's currency; needed only for KPIs with a ``currency_field``
    """

    def __init__(self, read_group, convert=None):
        self.read_group = read_group
        self.convert = convert
        self.queries = 0

    def domain(self, spec, start, stop, subject_ids, company_ids, tz_name):
        """Domain of the records of ``subject_ids`` dated in ``[start, stop)`` (months in ``tz_name``)."""
        low, high = periods.bounds(start, stop, spec.date_is_datetime, tz_name)
        domain = list(spec.domain)
        subject_ids = sorted(subject_ids)
        if len(subject_ids) == 1:
            domain.append((spec.subject_field, "=", subject_ids[0]))
        else:
            domain.append((spec.subject_field, "in", subject_ids))
        domain += [(spec.date_field, ">=", _format(low)), (spec.date_field, "<", _format(high))]
        if spec.company_field and company_ids:
            domain.append((spec.company_field, "in", [*company_ids, False]))
        return domain

    def records_domain(self, spec, month, subject_id, company_id, tz_name):
        """The drill-down: exactly the records counted for one subject, company and month."""
        start = periods.month_start(month)
        return self.domain(spec, start, periods.next_month_start(start), [subject_id], [company_id], tz_name)

    def collect(self, spec, month, subject_ids, company_ids, tz_name):
        """Actuals of ``month`` and of the month before, for all ``subject_ids``, in one query."""
        return self.collect_many([spec], month, {spec.key: subject_ids}, company_ids, tz_name)[spec.key]

    def collect_many(self, specs, month, subjects_of, company_ids, tz_name):
        """Actuals of several KPIs for ``month`` and the month before: ``{spec.key: Actuals}``.

        :param subjects_of: ``{spec.key: subject ids}``; KPIs sharing a query ask for all their subjects at once
        """
        result = {}
        for group in _shared_queries(specs):
            subjects = set().union(*(subjects_of[spec.key] for spec in group))
            result.update(self._collect_group(group, month, subjects, company_ids, tz_name))
        return result

    def _collect_group(self, specs, month, subject_ids, company_ids, tz_name):
        """One grouped query for ``specs``, which read the same records; one :class:`Actuals` per spec."""
        first = specs[0]
        start = periods.previous_month_start(month)
        stop = periods.next_month_start(month)
        company_ids = sorted({cid for cid in company_ids if cid})
        by_company = bool(first.company_field) and len(company_ids) > 1
        currency_field = next(filter(None, map(_currency_field, specs)), None)

        previous_month = periods.month_start(start)
        month = periods.month_start(month)
        boundary = periods.bounds(month, stop, first.date_is_datetime, tz_name)[0]
        groupby = [first.subject_field, MonthSplit(first.date_field, boundary)]
        if by_company:
            groupby.append(first.company_field)
        if currency_field:
            groupby.append(currency_field)
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

        domain = self.domain(first, start, stop, subject_ids, company_ids, tz_name)
        rows = self.read_group(first.model, domain, groupby, aggregates, tz_name)
        self.queries += 1

        only_company = company_ids[0] if len(company_ids) == 1 else None
        result = {}
        for spec, __, __, __ in plan:
            result[spec.key] = Actuals()
            result[spec.key].average = spec.aggregation == "avg"
        for row in rows:
            subject, in_month, *rest = row
            company = rest.pop(0) if by_company else only_company
            currency = rest.pop(0) if currency_field else None
            row_month = month if in_month else previous_month
            for spec, value, count, converted in plan:
                amount = rest[value] or 0.0
                if converted and currency and self.convert:
                    # Shared records (no company) are converted for the company of the refresh when there is one.
                    amount = self.convert(amount, currency, company or only_company, row_month)
                result[spec.key].add(subject, company, row_month, amount, rest[count] if count is not None else 0)
        return result


def _currency_field(spec):
    """The currency to group amounts by, for sums and averages of amounts in several currencies."""
    return spec.currency_field if spec.aggregation in ("sum", "avg") else None


def _shared_queries(specs):
    """Groups of specs that one query serves: same records (model, conditions, date and subject fields), at most
    one currency to group by; a distinct count always alone."""
    groups = {}
    for spec in specs:
        if spec.aggregation == "count_distinct":
            key = ("distinct", spec.key)
        else:
            source = (spec.model, repr(spec.domain), spec.date_field, spec.date_is_datetime, spec.subject_field)
            key = (*source, spec.company_field)
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
