from datetime import date, datetime

import pytest
from olimp_kpi_engine.collector import Collector, KpiSpec

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)


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
    db = FakeDatabase([(7, datetime(2026, 11, 1), 491970.0), (7, datetime(2026, 10, 1), 420500.0), (8, NOV, 5.0)])
    collector = Collector(db)
    actuals = collector.collect(spec(), NOV, {7, 8, 9}, [1], "Europe/Moscow")
    assert collector.queries == 1
    call = db.calls[0]
    assert call["groupby"] == ["user_id", "date_order:month"]
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
    domain = db.calls[0]["domain"]
    assert ("date_deadline", ">=", "2026-10-01") in domain
    assert ("date_deadline", "<", "2026-12-01") in domain


def test_count_and_count_distinct_aggregates():
    db = FakeDatabase([(1, NOV, 3)])
    actuals = Collector(db).collect(spec(aggregation="count", measure=None), NOV, {1}, [1], "UTC")
    assert db.calls[0]["aggregates"] == ["__count"]
    assert actuals.value(1, 1, NOV) == 3
    db = FakeDatabase([(1, NOV, 2)])
    Collector(db).collect(spec(aggregation="count_distinct", measure="partner_id"), NOV, {1}, [1], "UTC")
    assert db.calls[0]["aggregates"] == ["partner_id:count_distinct"]


def test_average_across_currencies_is_weighted_by_records():
    rows = [(1, NOV, 10, 300.0, 3), (1, NOV, 20, 100.0, 1)]  # user, month, currency, sum, count
    collector = Collector(FakeDatabase(rows), convert=lambda amount, currency, company, month: amount * currency / 10)
    actuals = collector.collect(spec(aggregation="avg", currency_field="currency_id"), NOV, {1}, [1], "UTC")
    assert collector.read_group.calls[0]["groupby"] == ["user_id", "date_order:month", "currency_id"]
    assert collector.read_group.calls[0]["aggregates"] == ["amount_untaxed:sum", "__count"]
    assert actuals.value(1, 1, NOV) == pytest.approx((300 + 200) / 4)


def test_conversion_called_per_currency_row():
    calls = []

    def convert(amount, currency, company, month):
        calls.append((currency, company, month))
        return amount * 2

    rows = [(1, NOV, 5, 100.0), (2, NOV, 5, 50.0)]
    actuals = Collector(FakeDatabase(rows), convert).collect(
        spec(currency_field="currency_id"), NOV, {1, 2}, [3], "UTC"
    )
    assert actuals.value(1, 3, NOV) == 200
    assert calls == [(5, 3, NOV), (5, 3, NOV)]


def test_several_companies_are_grouped_and_shared_records_count_for_each():
    rows = [(1, NOV, 1, 10.0), (1, NOV, 2, 20.0), (1, NOV, False, 5.0)]
    collector = Collector(FakeDatabase(rows))
    actuals = collector.collect(spec(), NOV, {1}, [2, 1], "UTC")
    assert collector.read_group.calls[0]["groupby"] == ["user_id", "date_order:month", "company_id"]
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
