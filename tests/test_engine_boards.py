from datetime import date

from olimp_kpi_engine import boards


def test_shift_month_crosses_years():
    assert boards.shift_month(date(2026, 11, 27), 0) == date(2026, 11, 1)
    assert boards.shift_month(date(2026, 11, 27), 2) == date(2027, 1, 1)
    assert boards.shift_month(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert boards.shift_month(date(2026, 3, 1), -27) == date(2023, 12, 1)


def test_month_window():
    assert boards.month_window(date(2026, 1, 15), before=2, after=1) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert boards.month_window(date(2026, 1, 15)) == [date(2026, 1, 1)]


def test_history_places_points_and_leaves_gaps():
    months = boards.month_window(date(2026, 11, 1), before=2)
    rows = [
        ("SALES", date(2026, 11, 1), 491970.0, 500000.0, 98.394, "red"),
        ("SALES", "2026-09-01", 0.0, 500000.0, 0.0, "red"),
        ("SALES", date(2026, 5, 1), 1.0, 1.0, 100.0, "green"),  # outside the window
        ("MEETINGS", date(2026, 10, 1), False, 10.0, False, False),
    ]
    result = boards.history(rows, months)
    assert [point and point["month"] for point in result["SALES"]] == ["2026-09-01", None, "2026-11-01"]
    assert result["SALES"][2]["actual"] == 491970.0
    assert result["MEETINGS"] == [
        None,
        {"month": "2026-10-01", "actual": 0.0, "target": 10.0, "completion": 0.0, "zone": "none"},
        None,
    ]


def test_trend_is_good_depends_on_direction():
    assert boards.trend_is_good("up", "higher") is True
    assert boards.trend_is_good("down", "higher") is False
    assert boards.trend_is_good("up", "lower") is False
    assert boards.trend_is_good("down", "lower") is True
    assert boards.trend_is_good("flat", "higher") is None
    assert boards.trend_is_good(False, "lower") is None


def test_matrix_aligns_cells_with_columns():
    result = boards.matrix(
        ["anna", "boris"],
        ["SALES", "MEETINGS"],
        [("anna", "MEETINGS", 1), ("boris", "SALES", 2), ("carl", "SALES", 3), ("anna", "OTHER", 4)],
    )
    assert result == {"anna": [None, 1], "boris": [2, None]}


def test_column_averages_skip_cells_without_plan():
    rows = [
        [{"completion": 50.0, "zone": "red"}, {"completion": 0.0, "zone": "none"}, None],
        [{"completion": 150.0, "zone": "green"}, None, None],
    ]
    assert boards.column_averages(rows, 3) == [100.0, None, None]
    assert boards.column_averages([], 2) == [None, None]
