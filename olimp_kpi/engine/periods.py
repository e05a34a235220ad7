"""Calendar months, the period of every scorecard.

A scorecard covers one calendar month in its company's time zone. Date source fields are compared with the
month's first and last day as they are; datetime source fields are stored in UTC by Odoo, so the month's local
midnights are converted to naive UTC datetimes before they go into a domain.
"""

from datetime import date, datetime, time, timedelta

import pytz


def month_start(day):
    """First day of the month of ``day`` (a date or datetime)."""
    if isinstance(day, datetime):
        day = day.date()
    return day.replace(day=1)


def next_month_start(day):
    start = month_start(day)
    return (start + timedelta(days=32)).replace(day=1)


def previous_month_start(day):
    return month_start(month_start(day) - timedelta(days=1))


def month_end(day):
    """Last day of the month of ``day``."""
    return next_month_start(day) - timedelta(days=1)


def utc_bounds(start, stop, tz_name):
    """Naive UTC datetimes of local midnight at ``start`` and at ``stop`` (exclusive) in ``tz_name``."""
    tz = pytz.timezone(tz_name or "UTC")

    def to_utc(day):
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    return to_utc(start), to_utc(stop)


def bounds(start, stop, is_datetime, tz_name):
    """Domain values for ``start <= field < stop``: dates as they are, datetimes in naive UTC."""
    if is_datetime:
        return utc_bounds(start, stop, tz_name)
    return start, stop


def as_month(value):
    """The month (its first day) of a value returned by a ``:month`` grouping, or of any date(time)."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return month_start(value)
