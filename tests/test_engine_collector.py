from datetime import date, datetime

import pytest
from olimp_kpi_engine.collector import Collector, KpiSpec, Period, Split

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)
# What a month Split group-by yields: records of the month, records of the month before.
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


def test_one_query_for_all_subjects_reading_the_month_only():
    db = FakeDatabase([(7, 491970.0), (8, 5.0)])
    collector = Collector(db)
    actuals = collector.collect(spec(), Period(NOV, "Europe/Moscow"), {7, 8, 9}, [1])
    assert collector.queries == 1
    call = db.calls[0]
    assert call["groupby"] == ["user_id"], "no previous month asked: no split"
    assert call["aggregates"] == ["amount_untaxed:sum"]
    assert ("user_id", "in", [7, 8, 9]) in call["domain"]
    # the month's first and next month's first instants, local midnight in Moscow (UTC+3) expressed in UTC
    assert ("date_order", ">=", "2026-10-31 21:00:00") in call["domain"]
    assert ("date_order", "<", "2026-11-30 21:00:00") in call["domain"]
    assert ("company_id", "in", [1, False]) in call["domain"]
    assert call["domain"][0] == ("state", "=", "sale")
    assert actuals.value(7, 1) == 491970.0
    assert actuals.value(9, 1) == 0.0
    assert actuals.value(7, 1, "previous") == 0.0


def test_previous_month_only_for_the_subjects_without_one():
    db = FakeDatabase([(7, IN_MONTH, 491970.0), (7, BEFORE, 420500.0), (8, IN_MONTH, 5.0)])
    collector = Collector(db)
    actuals = collector.collect(spec(), Period(NOV, "Europe/Moscow"), {7, 8, 9}, [1], previous_ids={7})
    call = db.calls[0]
    assert call["groupby"] == ["user_id", Split("date_order", datetime(2026, 10, 31, 21, 0))]
    domain = call["domain"]
    assert ("date_order", ">=", "2026-09-30 21:00:00") in domain
    # into the previous month for subject 7 only
    assert domain[-4:-1] == ["|", ("date_order", ">=", "2026-10-31 21:00:00"), ("user_id", "in", [7])]
    assert actuals.value(7, 1) == 491970.0
    assert actuals.value(7, 1, "previous") == 420500.0


def test_date_fields_use_dates():
    db = FakeDatabase([])
    Collector(db).collect(
        spec(date_is_datetime=False, date_field="date_deadline"), Period(NOV, "Asia/Tokyo"), {1}, [1], {1}
    )
    assert db.calls[0]["groupby"][1] == Split("date_deadline", NOV)
    domain = db.calls[0]["domain"]
    assert ("date_deadline", ">=", "2026-10-01") in domain
    assert ("date_deadline", "<", "2026-12-01") in domain


def test_future_records_are_left_out_when_asked():
    now = datetime(2026, 11, 15, 9, 30)
    db = FakeDatabase([])
    Collector(db).collect(spec(until_now=True), Period(NOV, "UTC", now), {1}, [1])
    assert ("date_order", "<", "2026-11-15 09:30:00") in db.calls[0]["domain"]
    # a date field: up to today included, in the company's time zone (already the 16th in Tokyo)
    db = FakeDatabase([])
    Collector(db).collect(
        spec(until_now=True, date_field="date_deadline", date_is_datetime=False),
        Period(NOV, "Asia/Tokyo", datetime(2026, 11, 15, 16, 0)),
        {1},
        [1],
    )
    assert ("date_deadline", "<", "2026-11-17") in db.calls[0]["domain"]
    # a month that is over: its end
    db = FakeDatabase([])
    Collector(db).collect(spec(until_now=True), Period(OCT, "UTC", now), {1}, [1])
    assert ("date_order", "<", "2026-11-01 00:00:00") in db.calls[0]["domain"]


def test_balance_reads_everything_dated_up_to_the_month_end():
    rows = [(1, 300.0), (2, 50.0)]
    db = FakeDatabase(rows)
    balance = spec(balance=True, measure="amount_residual_signed", date_field="invoice_date", date_is_datetime=False)
    actuals = Collector(db).collect(balance, Period(NOV), {1, 2}, [1])
    domain = db.calls[0]["domain"]
    assert ("invoice_date", "<", "2026-12-01") in domain
    assert not any(term[0] == "invoice_date" and term[1] == ">=" for term in domain if isinstance(term, tuple))
    assert actuals.value(1, 1) == 300.0


def test_balance_previous_month_is_what_was_dated_before_the_month():
    rows = [(1, IN_MONTH, 100.0), (1, BEFORE, 300.0)]
    balance = spec(balance=True, date_field="invoice_date", date_is_datetime=False)
    actuals = Collector(FakeDatabase(rows)).collect(balance, Period(NOV), {1}, [1], previous_ids={1})
    assert actuals.value(1, 1) == 400.0
    assert actuals.value(1, 1, "previous") == 300.0


def test_balance_without_date_has_no_previous_from_data():
    db = FakeDatabase([(1, 7)])
    balance = spec(balance=True, date_field=None, aggregation="count", measure=None)
    actuals = Collector(db).collect(balance, Period(NOV), {1}, [1], previous_ids={1})
    assert db.calls[0]["groupby"] == ["user_id"]
    assert not any(isinstance(term, tuple) and term[0] == "date_order" for term in db.calls[0]["domain"])
    assert actuals.value(1, 1) == 7


def test_balance_overdue_part():
    now = datetime(2026, 11, 20, 8)
    rows = [(1, True, 100.0), (1, False, 250.0), (1, None, 10.0)]  # due later, due before today, no due date
    balance = spec(balance=True, date_field="invoice_date", date_is_datetime=False, due_field="invoice_date_due")
    db = FakeDatabase(rows)
    actuals = Collector(db).collect(balance, Period(NOV, "UTC", now), {1}, [1])
    assert db.calls[0]["groupby"] == ["user_id", Split("invoice_date_due", date(2026, 11, 20))]
    assert actuals.value(1, 1) == 360.0
    assert actuals.value(1, 1, "overdue") == 250.0
    # measured after the month: overdue at its last day
    db = FakeDatabase([])
    Collector(db).collect(balance, Period(OCT, "UTC", now), {1}, [1])
    assert db.calls[0]["groupby"][-1] == Split("invoice_date_due", date(2026, 10, 31))


def test_record_ids_of_the_month():
    rows = [(1, IN_MONTH, 2, [11, 12]), (1, BEFORE, 1, [5]), (2, IN_MONTH, 1, [20])]
    count = spec(aggregation="count", measure=None)
    db = FakeDatabase(rows)
    actuals = Collector(db).collect(count, Period(NOV), {1, 2}, [1], previous_ids={1}, with_records=True)
    assert db.calls[0]["aggregates"] == ["__count", "id:array_agg"]
    assert actuals.record_ids(1, 1) == [11, 12], "the previous month's records are not this month's"
    assert actuals.record_ids(2, 1) == [20]
    # only the KPIs that ask
    db = FakeDatabase([])
    Collector(db).collect_many([count], Period(NOV), {1: {1}}, [1], with_records={"other"})
    assert db.calls[0]["aggregates"] == ["__count"]


def test_count_and_count_distinct_aggregates():
    db = FakeDatabase([(1, 3)])
    actuals = Collector(db).collect(spec(aggregation="count", measure=None), Period(NOV), {1}, [1])
    assert db.calls[0]["aggregates"] == ["__count"]
    assert actuals.value(1, 1) == 3
    db = FakeDatabase([(1, 2)])
    Collector(db).collect(spec(aggregation="count_distinct", measure="partner_id"), Period(NOV), {1}, [1])
    assert db.calls[0]["aggregates"] == ["partner_id:count_distinct"]


def test_average_across_currencies_is_weighted_by_records():
    rows = [(1, 10, 300.0, 3), (1, 20, 100.0, 1)]  # user, currency, sum, count
    collector = Collector(FakeDatabase(rows), convert=lambda amount, currency, company, month: amount * currency / 10)
    actuals = collector.collect(spec(aggregation="avg", currency_field="currency_id"), Period(NOV), {1}, [1])
    assert collector.read_group.calls[0]["groupby"] == ["user_id", "currency_id"]
    assert collector.read_group.calls[0]["aggregates"] == ["amount_untaxed:sum", "__count"]
    assert actuals.value(1, 1) == pytest.approx((300 + 200) / 4)


def test_conversion_called_per_currency_row_and_month():
    calls = []

    def convert(amount, currency, company, month):
        calls.append((currency, company, month))
        return amount * 2

    rows = [(1, IN_MONTH, 5, 100.0), (2, BEFORE, 5, 50.0)]
    actuals = Collector(FakeDatabase(rows), convert).collect(
        spec(currency_field="currency_id"), Period(NOV), {1, 2}, [3], previous_ids={2}
    )
    assert actuals.value(1, 3) == 200
    assert actuals.value(2, 3, "previous") == 100
    assert calls == [(5, 3, NOV), (5, 3, OCT)]


def test_several_companies_are_grouped_and_shared_records_count_for_each():
    rows = [(1, 1, 10.0), (1, 2, 20.0), (1, False, 5.0)]
    collector = Collector(FakeDatabase(rows))
    actuals = collector.collect(spec(), Period(NOV), {1}, [2, 1])
    assert collector.read_group.calls[0]["groupby"] == ["user_id", "company_id"]
    assert actuals.value(1, 1) == 15.0
    assert actuals.value(1, 2) == 25.0


def test_models_without_company_are_not_filtered():
    db = FakeDatabase([])
    Collector(db).collect(spec(company_field=None), Period(NOV), {1}, [1, 2])
    assert not any(term[0] == "company_id" for term in db.calls[0]["domain"])


def test_drilldown_domain_is_the_query_domain_for_one_subject():
    collector = Collector(read_group=None)
    domain = collector.records_domain(spec(), Period(date(2026, 11, 20)), 7, 1)
    assert domain == [
        ("state", "=", "sale"),
        ("user_id", "=", 7),
        ("date_order", "<", "2026-12-01 00:00:00"),
        ("date_order", ">=", "2026-11-01 00:00:00"),
        ("company_id", "in", [1, False]),
    ]


def test_spec_validation():
    with pytest.raises(ValueError):
        spec(aggregation="median")
    with pytest.raises(ValueError):
        spec(aggregation="sum", measure=None)
    with pytest.raises(ValueError, match="flow KPI needs a date field"):
        spec(date_field=None)
    assert spec(balance=True, date_field=None).previous_from_data is False


def test_kpis_reading_the_same_records_share_one_query():
    rows = [(1, IN_MONTH, 4, 1000.0), (1, BEFORE, 2, 300.0), (2, IN_MONTH, 1, 50.0)]  # user, month, count, sum
    db = FakeDatabase(rows)
    count = spec(key="count", aggregation="count", measure=None)
    amount = spec(key="amount", aggregation="sum", measure="amount_untaxed")
    collector = Collector(db)
    actuals = collector.collect_many(
        [count, amount], Period(NOV), {"count": {1}, "amount": {1, 2}}, [1], previous_of={"count": {1}}
    )
    assert collector.queries == 1
    assert db.calls[0]["aggregates"] == ["__count", "amount_untaxed:sum"]
    assert ("user_id", "in", [1, 2]) in db.calls[0]["domain"]
    assert actuals["count"].value(1, 1) == 4
    assert actuals["count"].value(1, 1, "previous") == 2
    assert actuals["amount"].value(1, 1) == 1000.0
    assert actuals["amount"].value(2, 1) == 50.0


def test_different_records_or_distinct_counts_keep_their_own_query():
    db = FakeDatabase([])
    collector = Collector(db)
    specs = [
        spec(key="a", aggregation="count", measure=None),
        spec(key="b", aggregation="count", measure=None, domain=(("state", "=", "draft"),)),
        spec(key="c", aggregation="count", measure=None, date_field="create_date"),
        spec(key="d", aggregation="count_distinct", measure="partner_id"),
        spec(key="e", aggregation="count_distinct", measure="partner_id"),
        spec(key="f", aggregation="count", measure=None, balance=True),
        spec(key="g", aggregation="count", measure=None, until_now=True),
    ]
    collector.collect_many(specs, Period(NOV), dict.fromkeys("abcdefg", {1}), [1])
    assert collector.queries == 7


def test_shared_query_grouped_by_currency_converts_only_amounts():
    rows = [(1, 5, 2, 100.0), (1, 6, 3, 10.0)]  # user, currency, count, sum
    collector = Collector(FakeDatabase(rows), convert=lambda amount, currency, company, month: amount * currency)
    count = spec(key="count", aggregation="count", measure=None)
    amount = spec(key="amount", currency_field="currency_id")
    actuals = collector.collect_many([count, amount], Period(NOV), {"count": {1}, "amount": {1}}, [1])
    call = collector.read_group.calls[0]
    assert call["groupby"] == ["user_id", "currency_id"]
    assert actuals["count"].value(1, 1) == 5
    assert actuals["amount"].value(1, 1) == 100.0 * 5 + 10.0 * 6


def test_two_currency_fields_are_not_mixed_in_one_query():
    db = FakeDatabase([])
    collector = Collector(db, convert=lambda amount, *args: amount)
    first = spec(key="first", currency_field="currency_id")
    second = spec(key="second", measure="amount_total", currency_field="pricelist_currency_id")
    collector.collect_many([first, second], Period(NOV), {"first": {1}, "second": {1}}, [1])
    assert collector.queries == 2
    assert [call["groupby"][-1] for call in db.calls] == ["currency_id", "pricelist_currency_id"]
