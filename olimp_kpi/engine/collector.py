"""Actuals of every KPI for every employee of a month, with one grouped query per KPI.

How it works
------------
A refresh takes the open scorecards of one month. For each KPI definition (a :class:`KpiSpec`) the collector
builds a single domain that covers *all* the subjects of those scorecards (users, or employees when the KPI's
user field points to ``hr.employee``) and *both* the previous and the current month, and asks the database for one
grouped aggregate::

    GROUP BY subject, month(date field) [, company] [, currency]

so the number of queries depends on the number of KPIs, never on the number of employees; the previous month,
needed for the trend, comes from the same query.

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
        keys = [(subject, company or None, month)]
        if company:
            keys.append((subject, None, month))
        total = sum(self._sums.get(key, 0.0) for key in keys)
        if not self.average:
            return total
        count = sum(self._counts.get(key, 0) for key in keys)
        return total / count if count else 0.0


class Collector:
    """Runs the grouped queries of a refresh.

    :param read_group: ``read_group(model, domain, groupby, aggregates, tz)`` returning rows of plain values
        (groupby values then aggregates, many2one values as ids or ``False``, month groups as date(time)s)
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
        start = periods.previous_month_start(month)
        stop = periods.next_month_start(month)
        company_ids = sorted({cid for cid in company_ids if cid})
        by_company = bool(spec.company_field) and len(company_ids) > 1
        by_currency = bool(spec.currency_field) and spec.aggregation in ("sum", "avg")

        groupby = [spec.subject_field, f"{spec.date_field}:month"]
        if by_company:
            groupby.append(spec.company_field)
        if by_currency:
            groupby.append(spec.currency_field)
        aggregates = {
            "count": ["__count"],
            "sum": [f"{spec.measure}:sum"],
            "avg": [f"{spec.measure}:sum", "__count"],
            "count_distinct": [f"{spec.measure}:count_distinct"],
        }[spec.aggregation]

        domain = self.domain(spec, start, stop, subject_ids, company_ids, tz_name)
        rows = self.read_group(spec.model, domain, groupby, aggregates, tz_name)
        self.queries += 1

        only_company = company_ids[0] if len(company_ids) == 1 else None
        actuals = Actuals()
        actuals.average = spec.aggregation == "avg"
        for row in rows:
            subject, month_value, *rest = row
            company = rest.pop(0) if by_company else only_company
            currency = rest.pop(0) if by_currency else None
            amount = rest[0] or 0.0
            count = rest[1] if spec.aggregation == "avg" else 0
            row_month = periods.as_month(month_value)
            if currency and self.convert:
                # Shared records (no company) are converted for the company of the refresh when there is one.
                amount = self.convert(amount, currency, company or only_company, row_month)
            actuals.add(subject, company, row_month, amount, count)
        return actuals
