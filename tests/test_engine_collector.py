from datetime import date, datetime

import pytest
from olimp_kpi_engine.collector import Collector, KpiSpec, MonthSplit

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)
# What a MonthSplit group-by yields: records of the month, records of the month before.
IN_MONTH = True
BEFORE = False


class FakeDatabase:
    """Stands for ``_read_group``: records its calls and answers pre-computed rows."""

    def __init__(self, rows):
        self.rows = rows
        self.calls = []

    def __call__(self, model, domain, groupby, aggregates, tz):
        self.calls.append({"model": model, "domain": domain, "groupby": groupby, "aggregates": aggregates, "tz": tz})
        return self.rows


def spec(**kw):
    values = {
        "key": 1,
        "model": "sale.order",
        "aggregation": "sum",
        "measure": "amount_untaxed",
        "date_field": "date_order",
        "date_is_datetime": True,
        "subject_field": "user_id",
        "domain": (("state", "=", "sale"),),
        "company_field": "company_id",
    }
    values.update(kw)
    return KpiSpec(**values)


def test_one_query_for_all_subjects_and_both_months():
    db = FakeDatabase([(7, IN_MONTH, 491970.0), (7, BEFORE, 420500.0), (8, IN_MONTH, 5.0)])
    collector = Collector(db)
    actuals = collector.collect(spec(), NOV, {7, 8, 9}, [1], "Europe/Moscow")
    assert collector.queries == 1
    call = db.calls[0]
    # the month starts at local midnight in Moscow (UTC+3), in UTC
    assert call["groupby"] == ["user_id", MonthSplit("date_order", datetime(2026, 10, 31, 21, 0))]
    assert call["aggregates"] == ["amount_untaxed:sum"]
    assert ("user_id", "in", [7, 8, 9]) in call["domain"]
    # previous month start and next month start, local midnight in Moscow (UTC+3) expressed in UTC
    assert ("date_order", ">=", "2026-09-30 21:00:00") in call["domain"]
    assert ("date_order", "<", "2026-11-30 21:00:00") in call["domain"]
    assert ("company_id", "in", [1, False]) in call["domain"]
    assert call["domain"][0] == ("state", "=", "sale")
    assert actuals.value(7, 1, NOV) == 491970.0
    assert actuals.value(7, 1, OCT) == 420500.0
    assert actuals.value(9, 1, NOV) == 0.0


def test_date_fields_use_dates():
    db = FakeDatabase([])
    Collector(db).collect(spec(date_is_datetime=False, date_field="date_deadline"), NOV, {1}, [1], "Asia/Tokyo")
    assert db.calls[0]["groupby"][1] == MonthSplit("date_deadline", NOV)
    domain = db.calls[0]["domain"]
    assert ("date_deadline", ">=", "2026-10-01") in domain
    assert ("date_deadline", "<", "2026-12-01") in domain


def test_count_and_count_distinct_aggregates():
    db = FakeDatabase([(1, IN_MONTH, 3)])
    actuals = Collector(db).collect(spec(aggregation="count", measure=None), NOV, {1}, [1], "UTC")
    assert db.calls[0]["aggregates"] == ["__count"]
    assert actuals.value(1, 1, NOV) == 3
    db = FakeDatabase([(1, IN_MONTH, 2)])
    Collector(db).collect(spec(aggregation="count_distinct", measure="partner_id"), NOV, {1}, [1], "UTC")
    assert db.calls[0]["aggregates"] == ["partner_id:count_distinct"]


def test_average_across_currencies_is_weighted_by_records():
    rows = [(1, IN_MONTH, 10, 300.0, 3), (1, IN_MONTH, 20, 100.0, 1)]  # user, month, currency, sum, count
    collector = Collector(FakeDatabase(rows), convert=lambda amount, currency, company, month: amount * currency / 10)
    actuals = collector.collect(spec(aggregation="avg", currency_field="currency_id"), NOV, {1}, [1], "UTC")
    assert collector.read_group.calls[0]["groupby"][::2] == ["user_id", "currency_id"]
    assert collector.read_group.calls[0]["aggregates"] == ["amount_untaxed:sum", "__count"]
    assert actuals.value(1, 1, NOV) == pytest.approx((300 + 200) / 4)


def test_conversion_called_per_currency_row():
    calls = []

    def convert(amount, currency, company, month):
        calls.append((currency, company, month))
        return amount * 2

    rows = [(1, IN_MONTH, 5, 100.0), (2, IN_MONTH, 5, 50.0)]
    actuals = Collector(FakeDatabase(rows), convert).collect(
        spec(currency_field="currency_id"), NOV, {1, 2}, [3], "UTC"
    )
    assert actuals.value(1, 3, NOV) == 200
    assert calls == [(5, 3, NOV), (5, 3, NOV)]


def test_several_companies_are_grouped_and_shared_records_count_for_each():
    rows = [(1, IN_MONTH, 1, 10.0), (1, IN_MONTH, 2, 20.0), (1, IN_MONTH, False, 5.0)]
    collector = Collector(FakeDatabase(rows))
    actuals = collector.collect(spec(), NOV, {1}, [2, 1], "UTC")
    assert collector.read_group.calls[0]["groupby"][::2] == ["user_id", "company_id"]
    assert actuals.value(1, 1, NOV) == 15.0
    assert actuals.value(1, 2, NOV) == 25.0


def test_models_without_company_are_not_filtered():
    db = FakeDatabase([])
    Collector(db).collect(spec(company_field=None), NOV, {1}, [1, 2], "UTC")
    assert not any(term[0] == "company_id" for term in db.calls[0]["domain"])


def test_drilldown_domain_is_the_query_domain_for_one_subject_and_month():
    collector = Collector(read_group=None)
    domain = collector.records_domain(spec(), date(2026, 11, 20), 7, 1, "UTC")
    assert domain == [
        ("state", "=", "sale"),
        ("user_id", "=", 7),
        ("date_order", ">=", "2026-11-01 00:00:00"),
        ("date_order", "<", "2026-12-01 00:00:00"),
        ("company_id", "in", [1, False]),
    ]


def test_spec_validation():
    with pytest.raises(ValueError):
        spec(aggregation="median")
    with pytest.raises(ValueError):
        spec(aggregation="sum", measure=None)


def test_kpis_reading_the_same_records_share_one_query():
    rows = [(1, IN_MONTH, 4, 1000.0), (1, BEFORE, 2, 300.0), (2, IN_MONTH, 1, 50.0)]  # user, month, count, sum
    db = FakeDatabase(rows)
    count = spec(key="count", aggregation="count", measure=None)
    amount = spec(key="amount", aggregation="sum", measure="amount_untaxed")
    collector = Collector(db)
    actuals = collector.collect_many([count, amount], NOV, {"count": {1}, "amount": {1, 2}}, [1], "UTC")
    assert collector.queries == 1
    assert db.calls[0]["aggregates"] == ["__count", "amount_untaxed:sum"]
    assert ("user_id", "in", [1, 2]) in db.calls[0]["domain"]
    assert actuals["count"].value(1, 1, NOV) == 4
    assert actuals["count"].value(1, 1, OCT) == 2
    assert actuals["amount"].value(1, 1, NOV) == 1000.0
    assert actuals["amount"].value(2, 1, NOV) == 50.0


def test_different_records_or_distinct_counts_keep_their_own_query():
    db = FakeDatabase([])
    collector = Collector(db)
    specs = [
        spec(key="a", aggregation="count", measure=None),
        spec(key="b", aggregation="count", measure=None, domain=(("state", "=", "draft"),)),
        spec(key="c", aggregation="count", measure=None, date_field="create_date"),
        spec(key="d", aggregation="count_distinct", measure="partner_id"),
        spec(key="e", aggregation="count_distinct", measure="partner_id"),
    ]
    collector.collect_many(specs, NOV, dict.fromkeys("abcde", {1}), [1], "UTC")
    assert collector.queries == 5


def test_shared_query_grouped_by_currency_converts_only_amounts():
    rows = [(1, IN_MONTH, 5, 2, 100.0), (1, IN_MONTH, 6, 3, 10.0)]  # user, month, currency, count, sum
    collector = Collector(FakeDatabase(rows), convert=lambda amount, currency, company, month: amount * currency)
    count = spec(key="count", aggregation="count", measure=None)
    amount = spec(key="amount", currency_field="currency_id")
    actuals = collector.collect_many([count, amount], NOV, {"count": {1}, "amount": {1}}, [1], "UTC")
    call = collector.read_group.calls[0]
    assert call["groupby"][::2] == ["user_id", "currency_id"]
    assert actuals["count"].value(1, 1, NOV) == 5
    assert actuals["amount"].value(1, 1, NOV) == 100.0 * 5 + 10.0 * 6


def test_two_currency_fields_are_not_mixed_in_one_query():
    db = FakeDatabase([])
    collector = Collector(db, convert=lambda amount, *args: amount)
    first = spec(key="first", currency_field="currency_id")
    second = spec(key="second", measure="amount_total", currency_field="pricelist_currency_id")
    collector.collect_many([first, second], NOV, {"first": {1}, "second": {1}}, [1], "UTC")
    assert collector.queries == 2
    assert [call["groupby"][-1] for call in db.calls] == ["currency_id", "pricelist_currency_id"]
