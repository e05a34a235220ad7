"""The XLSX writer of olimp_kpi, without Odoo: loaded by path, read back with openpyxl."""

import importlib.util
import io
import subprocess
import sys
from datetime import date, datetime

import pytest
from conftest import ROOT

openpyxl = pytest.importorskip("openpyxl")

MODULE_PATH = ROOT / "olimp_kpi" / "report" / "scorecard_xlsx.py"


def load_writer():
    name = "olimp_kpi_scorecard_xlsx"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, MODULE_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


xl = load_writer()

NOVEMBER = date(2026, 11, 1)
SALES = xl.Kpi(key=1, code="SALES", name="Sales amount")
MEETINGS = xl.Kpi(key=2, code="MEETINGS", name="Meetings held")
DEBT = xl.Kpi(key=3, code="DEBT", name="Receivables")
WIN_RATE = xl.Kpi(key=4, code="WIN_RATE", name="Win rate")
ROUBLE = xl.Currency(symbol="₽", position="after", decimals=2)


def line(kpi, unit, target, actual, previous, completion, zone, trend, **vals):
    return xl.Line(kpi, unit, target, actual, previous, completion, zone, trend, **vals)


def anna(month=NOVEMBER):
    return xl.Scorecard(
        month=month,
        employee="Anna",
        team="North",
        efficiency=99.2,
        efficiency_trend="up",
        currency=ROUBLE,
        lines=(
            line(
                SALES,
                "amount",
                500000,
                491970,
                400000,
                98.394,
                "red",
                "up",
                score=98.394,
                trend_reference=380000,
                trend_basis="prorated",
            ),
            line(MEETINGS, "count", 10, 12, 12, 120, "green", "flat", score=100, trend_reference=12),
        ),
    )


def boris():
    return xl.Scorecard(
        month=NOVEMBER,
        employee="Boris",
        team=None,
        efficiency=50,
        efficiency_trend="down",
        currency=ROUBLE,
        lines=(
            line(MEETINGS, "count", 10, 8, 9, 80, "yellow", "down", score=80),
            line(DEBT, "amount", 0, 100, 50, 0, "none", "up", direction="lower", measure="balance", overdue=40),
            line(
                WIN_RATE,
                "percent",
                40,
                0,
                0,
                0,
                "none",
                "flat",
                measure="ratio",
                numerator=0,
                denominator=0,
                trend_basis="none",
            ),
        ),
    )


def open_workbook(scorecards, labels=None):
    return openpyxl.load_workbook(io.BytesIO(xl.write_workbook(scorecards, labels)))


def fill(cell):
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None


def test_one_sheet_per_team_then_lines():
    book = open_workbook([boris(), anna()])
    assert book.sheetnames == ["North", "No team", "Lines"]


def test_team_sheet_values_zones_and_formats():
    sheet = open_workbook([anna()])["North"]
    assert sheet.freeze_panes == "B3"
    assert [sheet.cell(1, column).value for column in range(1, 5)] == ["Employee", "Month", "Eff. (%)", "Eff. Trend"]
    assert sheet["E1"].value == "Sales amount"
    assert "E1:H1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert [sheet.cell(2, column).value for column in range(5, 9)] == ["Plan", "Actual", "Completion (%)", "Trend"]
    assert sheet["I1"].value == "Meetings held"
    assert sheet["A3"].value == "Anna"
    assert sheet["B3"].value == datetime(2026, 11, 1)
    assert sheet["C3"].value == pytest.approx(99.2)
    assert sheet["C3"].number_format == '0.0"%"'
    assert sheet["D3"].value == "↑"
    # Sales: plan, actual in roubles; red completion, trend up.
    assert (sheet["E3"].value, sheet["F3"].value) == (500000, 491970)
    assert sheet["E3"].number_format == '#,##0.00 "₽"'
    assert sheet["G3"].value == pytest.approx(98.394)
    assert fill(sheet["G3"]).endswith("FFC7CE")
    assert sheet["H3"].value == "↑"
    assert sheet["H3"].font.color.rgb.endswith("006100")
    # Meetings: counts, green, flat.
    assert (sheet["I3"].value, sheet["J3"].value, sheet["I3"].number_format) == (10, 12, "#,##0")
    assert fill(sheet["K3"]).endswith("C6EFCE")
    assert sheet["L3"].value == "→"


def test_missing_kpi_and_no_plan_leave_cells_empty():
    sheet = open_workbook([boris()])["No team"]
    assert sheet["E1"].value == "Meetings held"
    assert fill(sheet["G3"]).endswith("FFEB9C")
    assert sheet["I1"].value == "Receivables"
    assert sheet["J3"].value == 100
    assert sheet["K3"].value is None, "no plan: no completion"
    assert fill(sheet["K3"]) is None
    # Receivables going up is bad news.
    assert sheet["L3"].font.color.rgb.endswith("9C0006")


def test_lines_sheet_for_pivots():
    labels = xl.Labels(
        zones={"red": "Red", "green": "Green"},
        trends={"up": "↑ Up"},
        units={"amount": "Amount"},
        trend_bases={"prorated": "Pro-rated"},
        measures={"flow": "Flow"},
    )
    sheet = open_workbook([anna()], labels)["Lines"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:U3"
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["Month", "Sales Team", "Employee", "KPI Code", "KPI", "Unit"]
    assert [cell.value for cell in sheet[2]] == [
        datetime(2026, 11, 1),
        "North",
        "Anna",
        "SALES",
        "Sales amount",
        "Amount",
        500000,
        491970,
        400000,
        pytest.approx(98.394),
        "Red",
        "↑ Up",
        1,
        pytest.approx(98.394),
        380000,
        "Pro-rated",
        "Flow",
        None,
        None,
        None,
        "open",  # no label given: the key
    ]
    assert fill(sheet["K2"]).endswith("FFC7CE")
    assert sheet["K3"].value == "Green"
    assert header[14:] == [
        "Compared With",
        "Trend Against",
        "Measured As",
        "Numerator",
        "Denominator",
        "Of Which Overdue",
        "Status",
    ]


def test_lines_sheet_says_how_lines_are_measured():
    labels = xl.Labels(measures={"balance": "Balance", "ratio": "Ratio"}, trend_bases={"none": "Nothing"})
    sheet = open_workbook([boris()], labels)["Lines"]
    debt, ratio = sheet[3], sheet[4]
    assert (debt[16].value, debt[19].value) == ("Balance", 40)
    assert (ratio[14].value, ratio[15].value, ratio[16].value, ratio[17].value, ratio[18].value) == (
        None,
        "Nothing",
        "Ratio",
        0,
        0,
    )


def test_months_and_employees_sorted():
    december = anna(date(2026, 12, 1))
    sheet = open_workbook([december, anna()])["North"]
    assert [sheet["B3"].value.month, sheet["B4"].value.month] == [11, 12]


def test_sheet_names_are_valid_and_unique():
    long = "A very long sales team name that Excel refuses"
    assert xl.sheet_names(["Lines", "lines", "a/b:c", long, long, "", "'quoted'", "History"]) == [
        "Lines",
        "lines (2)",
        "a b c",
        long[:31],
        long[:27] + " (2)",
        "Sheet",
        "quoted",
        "History (2)",
    ]
    assert all(len(name) <= 31 for name in xl.sheet_names([long] * 12))


def test_teams_with_the_same_name_get_their_own_sheet():
    first = anna()
    second = xl.Scorecard(NOVEMBER, "Carl", "North", 10, team_key=2)
    book = open_workbook([first, second])
    assert book.sheetnames == ["North", "North (2)", "Lines"]


def test_amount_formats():
    assert xl.amount_format(xl.Currency("$", "before", 2)) == '"$"#,##0.00'
    assert xl.amount_format(xl.Currency("¥", "after", 0)) == '#,##0 "¥"'
    assert xl.amount_format(None) == "#,##0.00"


def test_writer_imports_without_odoo():
    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('w', {str(MODULE_PATH)!r}); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        "assert 'odoo' not in sys.modules, 'the XLSX writer imported odoo'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_state_of_each_scorecard_after_the_kpis():
    closed = xl.Scorecard(
        month=NOVEMBER, employee="Boris", team="North", efficiency=50, state="closed", currency=ROUBLE, lines=()
    )
    labels = xl.Labels(states={"open": "Open", "closed": "Closed"})
    book = open_workbook([anna(), closed], labels)
    sheet = book["North"]
    # Two KPI groups of four columns after the four fixed ones: the status is column M.
    assert sheet["M1"].value == "Status"
    assert (sheet["M3"].value, sheet["M4"].value) == ("Open", "Closed")
    lines = book["Lines"]
    assert lines.cell(1, 21).value == "Status"
    assert lines.cell(2, 21).value == "Open"


def test_team_average_row():
    boris_north = xl.Scorecard(
        month=NOVEMBER,
        employee="Boris",
        team="North",
        efficiency=50,
        currency=ROUBLE,
        lines=(
            line(SALES, "amount", 300000, 100000, 0, 33.3, "red", "up"),
            line(MEETINGS, "count", 0, 4, 2, 0, "none", "up"),
        ),
    )
    sheet = open_workbook([anna(), boris_north])["North"]
    assert sheet["A5"].value == "Team average"
    assert sheet["C5"].value == "=AVERAGE(C3:C4)"
    assert sheet["E5"].value == "=AVERAGE(E3:E4)"
    # The values are in the file too, for programs that do not recalculate.
    values = openpyxl.load_workbook(io.BytesIO(xl.write_workbook([anna(), boris_north])), data_only=True)["North"]
    assert values["C5"].value == pytest.approx(74.6)
    assert values["E5"].value == pytest.approx(400000)
    assert values["G5"].value == pytest.approx((98.394 + 33.3) / 2)
    # Boris has no meetings plan: only Anna's completion counts.
    assert values["K5"].value == pytest.approx(120)


def test_plans_shown_as_typed():
    typed = xl.Scorecard(
        month=NOVEMBER,
        employee="Anna",
        team="North",
        efficiency=75,
        lines=(line(MEETINGS, "count", 7.5, 6, 5, 80, "red", "up"),),
    )
    book = open_workbook([typed])
    sheet = book["North"]
    assert (sheet["E3"].value, sheet["E3"].number_format) == (7.5, "#,##0.0")
    assert sheet["F3"].number_format == "#,##0"
    assert book["Lines"].cell(2, 7).number_format == "#,##0.0"
    assert xl.plan_format("count", None, 8.0) == "#,##0"
    assert xl.plan_format("count", None, 7.25) == "#,##0.00"
