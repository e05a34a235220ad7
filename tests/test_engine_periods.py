from datetime import date, datetime

import pytest
from olimp_kpi_engine import periods


def test_month_arithmetic():
    assert periods.month_start(date(2026, 11, 27)) == date(2026, 11, 1)
    assert periods.month_start(datetime(2026, 11, 27, 23, 59)) == date(2026, 11, 1)
    assert periods.month_end(date(2026, 2, 3)) == date(2026, 2, 28)
    assert periods.month_end(date(2028, 2, 3)) == date(2028, 2, 29)
    assert periods.next_month_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert periods.previous_month_start(date(2026, 1, 15)) == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("tz", "low", "high"),
    [
        ("UTC", datetime(2026, 11, 1), datetime(2026, 12, 1)),
        ("Europe/Moscow", datetime(2026, 10, 31, 21), datetime(2026, 11, 30, 21)),
        ("Asia/Vladivostok", datetime(2026, 10, 31, 14), datetime(2026, 11, 30, 14)),
        # Daylight saving time ends on 1 November 2026 in Los Angeles: -7 h at the start, -8 h at the end.
        ("America/Los_Angeles", datetime(2026, 11, 1, 7), datetime(2026, 12, 1, 8)),
    ],
)
def test_utc_bounds(tz, low, high):
    assert periods.utc_bounds(date(2026, 11, 1), date(2026, 12, 1), tz) == (low, high)


def test_bounds_of_date_fields_are_the_dates():
    assert periods.bounds(date(2026, 11, 1), date(2026, 12, 1), False, "Asia/Tokyo") == (
        date(2026, 11, 1),
        date(2026, 12, 1),
    )


def test_as_month():
    assert periods.as_month("2026-11-01") == date(2026, 11, 1)
    assert periods.as_month(datetime(2026, 11, 1, 0, 0)) == date(2026, 11, 1)
    assert periods.as_month(date(2026, 11, 17)) == date(2026, 11, 1)


def test_local_today_and_month_end():
    assert periods.local_today("Asia/Vladivostok", datetime(2026, 11, 30, 14, 1)) == date(2026, 12, 1)
    assert periods.local_today("UTC", datetime(2026, 11, 30, 14, 1)) == date(2026, 11, 30)
    assert not periods.has_ended(date(2026, 11, 1), date(2026, 11, 30))
    assert periods.has_ended(date(2026, 11, 1), date(2026, 12, 1))


def test_working_days():
    # November 2026, Monday to Friday: 21 working days, the 4th a holiday; the 15th is a Sunday.
    november = [date(2026, 11, day) for day in range(1, 31) if date(2026, 11, day).weekday() < 5]
    assert periods.elapsed_working_days(november, date(2026, 11, 15)) == (10, 21)
    assert periods.elapsed_working_days(november, date(2026, 11, 2)) == (0, 21), "today's figures are still coming"
    assert periods.elapsed_working_days(november, date(2026, 12, 20)) == (21, 21)
    assert periods.elapsed_working_days(november, date(2026, 10, 20)) == (0, 21)
    without_holiday = [day for day in november if day != date(2026, 11, 4)]
    assert periods.elapsed_working_days(without_holiday, date(2026, 11, 15)) == (9, 20)
