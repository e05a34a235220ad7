"""Shapes of the scorecard screen, the team board and the plan grid, built from plain rows.

The ORM side (``services/scorecard_screens.py``) reads the rows with the caller's access rights, one query per need;
the functions here only arrange them into the JSON the web client draws, so they are tested without Odoo:

- :func:`month_window` and :func:`shift_month`: the months a screen shows;
- :func:`history`: previous months' values of each KPI of a scorecard, for the small chart under the selected row;
- :func:`trend_is_good`: whether an arrow is good news, given whether higher or lower is better;
- :func:`matrix`: rows × columns with one cell per row and column (``None`` where there is no scorecard line),
  shared by the team board (employees × KPIs) and the plan grid (employees × KPIs or employees × months);
- :func:`column_averages`: the average completion of each column over the cells that have a plan.
"""

from . import periods, scoring


def shift_month(month, delta):
    """The first day of the month ``delta`` months after (or before, when negative) the month of ``month``."""
    month = periods.month_start(month)
    index = month.year * 12 + month.month - 1 + delta
    return month.replace(year=index // 12, month=index % 12 + 1)


def month_window(month, before=0, after=0):
    """Month starts from ``before`` months before the month of ``month`` to ``after`` months after it."""
    return [shift_month(month, delta) for delta in range(-before, after + 1)]


def history(rows, months):
    """Values of each KPI over ``months``, oldest first.

    :param rows: iterable of ``(kpi key, month, actual, target, completion, zone)``, at most one per KPI and month
    :param months: the months to show, oldest first
    :return: ``{kpi key: [point or None per month]}``; a point is a dict with the month and its values
    """
    by_kpi = {}
    index = {month: position for position, month in enumerate(months)}
    for kpi, month, actual, target, completion, zone in rows:
        month = periods.as_month(month)
        if month not in index:
            continue
        points = by_kpi.setdefault(kpi, [None] * len(months))
        points[index[month]] = {
            "month": month.isoformat(),
            "actual": actual or 0.0,
            "target": target or 0.0,
            "completion": completion or 0.0,
            "zone": zone or scoring.ZONE_NONE,
        }
    return by_kpi


def trend_is_good(trend, direction):
    """``True`` when the trend goes the good way, ``False`` when it goes the bad way, ``None`` when flat."""
    if trend not in (scoring.TREND_UP, scoring.TREND_DOWN):
        return None
    return (trend == scoring.TREND_UP) == (direction != scoring.LOWER)


def matrix(row_keys, column_keys, cells):
    """One list of cells per row, aligned with the columns.

    :param row_keys: the rows, in display order
    :param column_keys: the columns, in display order
    :param cells: iterable of ``(row key, column key, cell)``; a later cell for the same place replaces an earlier
    :return: ``{row key: [cell or None per column]}``
    """
    position = {key: index for index, key in enumerate(column_keys)}
    result = {key: [None] * len(column_keys) for key in row_keys}
    for row, column, cell in cells:
        if row in result and column in position:
            result[row][position[column]] = cell
    return result


def column_averages(rows, width, value="completion"):
    """Average of ``cell[value]`` per column over the cells that have a plan (zone other than ``none``).

    :param rows: lists of cells (dicts or ``None``), all of length ``width``
    :return: a list of ``width`` averages, ``None`` where no cell counts
    """
    totals = [0.0] * width
    counts = [0] * width
    for cells in rows:
        for index, cell in enumerate(cells):
            if cell and cell.get("zone", scoring.ZONE_NONE) != scoring.ZONE_NONE:
                totals[index] += cell.get(value) or 0.0
                counts[index] += 1
    return [totals[index] / counts[index] if counts[index] else None for index in range(width)]
