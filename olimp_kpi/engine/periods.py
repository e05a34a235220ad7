"""Calendar months, the period of every scorecard.

A scorecard covers one calendar month in its company's time zone. Date source fields are compared with the
month's first and last day as they are; datetime source fields are stored in UTC by Odoo, so the month's local
midnights are converted to naive UTC datetimes before they go into a domain.

A month is *over* once its last day has passed in the company's time zone (only then can it be closed), and the
trend of a month still running compares its figures so far with the previous month's pro-rated to the working
days elapsed (:func:`elapsed_working_days`).
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


def next_day(day):
    return day + timedelta(days=1)


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


def local_today(tz_name, now=None):
    """Today's date in ``tz_name``; ``now`` is a naive UTC datetime (default: the current instant)."""
    now = pytz.utc.localize(now) if now else datetime.now(pytz.utc)
    return now.astimezone(pytz.timezone(tz_name or "UTC")).date()


def has_ended(month, today):
    """Whether the month of ``month`` is over on ``today`` (both in the company's time zone)."""
    return today > month_end(month)


def elapsed_working_days(days, today):
    """``(elapsed, total)`` of the working ``days`` of a month on ``today``: the days before today count as elapsed
    (today's figures are still coming in); a month over has all of them elapsed, a month to come none."""
    return sum(1 for day in days if day < today), len(days)
