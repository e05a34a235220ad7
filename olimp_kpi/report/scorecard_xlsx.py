"""The Excel workbook of KPI scorecards, written with xlsxwriter from plain rows.

How it works: the caller (``olimp.kpi.export.wizard``) reads the scorecards and their lines in a few batched reads
and hands over :class:`Scorecard` rows whose texts are already translated (:class:`Labels`); this module only lays
them out. It never touches the ORM, so it is unit-tested without Odoo (``tests/test_report_xlsx.py``).

The workbook has one sheet per sales team with one row per scorecard (employee and month): the efficiency and its
trend, then for each KPI a group of four columns: plan, actual, completion (filled with the colour of its zone) and
the trend arrow; after them, whether the scorecard is open or closed. Below the scorecards, the team's average row
(formulas, over the cells that have a value: a KPI without a plan has no completion). The two header rows and the
employee column are frozen. Numbers keep their value and get a format by unit: counts without decimals (a plan
typed with decimals shows them: 7.5 stays 7.5), amounts in the company's currency, percentages with a "%" sign (the
value is the percentage itself, e.g. 98.4, as on the scorecards). A last sheet holds one row per scorecard line,
with an autofilter, for pivot tables: there each line also says what its trend compared with (the previous month's
figure, pro-rated to the working days elapsed while the month was running), how it is measured (a flow of the
month, a balance at its end, a ratio), a ratio's numerator and denominator, a balance's overdue part, and whether
its scorecard is open or closed.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

SHEET_NAME_MAX = 31
SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")
# Excel refuses this sheet name: it keeps it for its change history.
SHEET_NAMES_RESERVED = {"history"}
# Excel's own "Bad", "Neutral" and "Good" cell styles: (fill, font colour).
ZONE_COLOURS = {"red": ("#FFC7CE", "#9C0006"), "yellow": ("#FFEB9C", "#9C5700"), "green": ("#C6EFCE", "#006100")}
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}
GOOD_COLOUR = "#006100"
BAD_COLOUR = "#9C0006"
FLAT_COLOUR = "#7F7F7F"
HEADER_FILL = "#D9E1F2"
PERCENT_FORMAT = '0.0"%"'
UNIT_FORMATS = {"count": "#,##0", "percent": PERCENT_FORMAT, "number": "#,##0.00"}
# Counts planned with decimals (kept from before plans had to be whole) show them rather than a rounded number.
FRACTION_FORMATS = {1: "#,##0.0", 2: "#,##0.00"}
SCORE_FORMAT = "0.0"
MONTH_FORMAT = "mmmm yyyy"
HEADER_ROWS = 2
# Employee, month, efficiency, efficiency trend; then the KPI groups.
FIRST_KPI_COLUMN = 4
KPI_GROUP_WIDTH = 4


@dataclass(frozen=True)
class Currency:
    symbol: str
    position: str = "after"  # the symbol goes "before" or "after" the amount
    decimals: int = 2


@dataclass(frozen=True)
class Kpi:
    key: object  # identity of the KPI, e.g. its database id
    code: str
    name: str


@dataclass(frozen=True)
class Line:
    kpi: Kpi
    unit: str  # count / amount / percent / number
    target: float
    actual: float
    previous_actual: float
    completion: float
    zone: str  # none / red / yellow / green
    trend: str  # up / down / flat
    direction: str = "higher"  # higher / lower is better
    weight: float = 1.0
    score: float = 0.0
    trend_reference: float | None = None  # what the trend compared with; None: nothing
    trend_basis: str = "month"  # month / prorated / none
    measure: str = "flow"  # flow / balance / ratio / checklist
    numerator: float | None = None  # ratios
    denominator: float | None = None
    overdue: float | None = None  # balances with a due date


@dataclass(frozen=True)
class Scorecard:
    month: date
    employee: str
    team: str | None  # None: the employee is in no sales team
    efficiency: float
    efficiency_trend: str | None = None
    currency: Currency | None = None
    lines: tuple = ()
    team_key: object = None  # identity of the team (default: its name), so that namesakes get their own sheets
    state: str = "open"  # open / closed


@dataclass
class Labels:
    """The texts of the workbook, translated by the caller."""

    employee: str = "Employee"
    month: str = "Month"
    efficiency: str = "Eff. (%)"
    efficiency_trend: str = "Eff. Trend"
    plan: str = "Plan"
    actual: str = "Actual"
    completion: str = "Completion (%)"
    trend: str = "Trend"
    no_team: str = "No team"
    lines_sheet: str = "Lines"
    team: str = "Sales Team"
    kpi_code: str = "KPI Code"
    kpi: str = "KPI"
    unit: str = "Unit"
    previous_actual: str = "Previous Month"
    zone: str = "Zone"
    weight: str = "Weight"
    score: str = "Score"
    trend_reference: str = "Compared With"
    trend_basis: str = "Trend Against"
    measure: str = "Measured As"
    numerator: str = "Numerator"
    denominator: str = "Denominator"
    overdue: str = "Of Which Overdue"
    state: str = "Status"
    average: str = "Team average"
    states: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)
    trends: dict = field(default_factory=dict)
    trend_bases: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)


def write_workbook(scorecards, labels=None):
    """The workbook of ``scorecards`` (:class:`Scorecard` rows), as the bytes of an .xlsx file."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    WorkbookWriter(workbook, labels or Labels()).write_sheets(list(scorecards))
    workbook.close()
    return output.getvalue()


def sheet_names(titles, fallback="Sheet"):
    """Valid and distinct Excel sheet names for ``titles``, in order.

    Excel wants at most 31 characters, none of ``[]:*?/\\``, no apostrophe at either end, and names that differ
    regardless of case; a repeated name gets a " (2)", " (3)"... suffix.
    """
    names = []
    seen = set(SHEET_NAMES_RESERVED)
    for title in titles:
        base = SHEET_NAME_INVALID.sub(" ", title or "").strip().strip("'").strip() or fallback
        name = base[:SHEET_NAME_MAX]
        number = 1
        while name.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def amount_format(currency):
    """Excel number format of an amount in ``currency`` (a :class:`Currency` or None)."""
    if currency is None:
        return UNIT_FORMATS["number"]
    number = "#,##0" + ("." + "0" * currency.decimals if currency.decimals > 0 else "")
    # A double quote cannot be escaped inside an Excel format literal.
    symbol = currency.symbol.replace('"', "").strip()
    if not symbol:
        return number
    return f'"{symbol}"{number}' if currency.position == "before" else f'{number} "{symbol}"'


def value_format(unit, currency):
    return amount_format(currency) if unit == "amount" else UNIT_FORMATS.get(unit, UNIT_FORMATS["number"])


def plan_format(unit, currency, value):
    """The format of a plan: that of its unit, with the decimals a count was typed with (7.5 is not shown as 8)."""
    if unit == "count":
        for decimals in (0, 1):
            if abs(value - round(value, decimals)) < 1e-9:
                return FRACTION_FORMATS[decimals] if decimals else UNIT_FORMATS["count"]
        return FRACTION_FORMATS[2]
    return value_format(unit, currency)


def trend_colour(trend, direction="higher"):
    """Green when the value moved the good way for the KPI, red when it moved the bad way, grey when flat."""
    if trend not in ("up", "down"):
        return FLAT_COLOUR
    good = (trend == "up") == (direction != "lower")
    return GOOD_COLOUR if good else BAD_COLOUR


class WorkbookWriter:
    """Lays the rows out on the sheets of an xlsxwriter workbook; formats are made once and shared."""

    def __init__(self, workbook, labels):
        self.workbook = workbook
        self.labels = labels
        self._formats = {}

    def fmt(self, **properties):
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def header_fmt(self, **properties):
        return self.fmt(
            bold=True, bg_color=HEADER_FILL, border=1, align="center", valign="vcenter", text_wrap=True, **properties
        )

    def zone_fmt(self, zone, **properties):
        if zone in ZONE_COLOURS:
            fill, font = ZONE_COLOURS[zone]
            properties.update(bg_color=fill, font_color=font)
        return self.fmt(**properties)

    def arrow_fmt(self, trend, direction):
        return self.fmt(align="center", bold=True, font_color=trend_colour(trend, direction))

    def write_sheets(self, scorecards):
        teams = {}
        for scorecard in scorecards:
            key = scorecard.team_key if scorecard.team_key is not None else scorecard.team
            teams.setdefault(key, []).append(scorecard)
        # Teams in alphabetical order, the scorecards without a team last.
        groups = sorted(teams.values(), key=lambda group: (group[0].team is None, (group[0].team or "").casefold()))
        for group in groups:
            group.sort(key=lambda sc: (sc.month, sc.employee.casefold()))
        titles = [group[0].team if group[0].team is not None else self.labels.no_team for group in groups]
        lines_name, *team_names = sheet_names([self.labels.lines_sheet, *titles])
        for name, group in zip(team_names, groups, strict=True):
            self.write_team_sheet(self.workbook.add_worksheet(name), group)
        self.write_lines_sheet(self.workbook.add_worksheet(lines_name), [sc for group in groups for sc in group])

    def write_team_sheet(self, sheet, scorecards):
        labels = self.labels
        kpis = {}
        for scorecard in scorecards:
            for line in scorecard.lines:
                kpis.setdefault(line.kpi.key, line.kpi)
        header = self.header_fmt()
        for column, text in enumerate([labels.employee, labels.month, labels.efficiency, labels.efficiency_trend]):
            sheet.merge_range(0, column, 1, column, text, header)
        for index, kpi in enumerate(kpis.values()):
            first = FIRST_KPI_COLUMN + index * KPI_GROUP_WIDTH
            sheet.merge_range(0, first, 0, first + KPI_GROUP_WIDTH - 1, kpi.name, header)
            for offset, text in enumerate([labels.plan, labels.actual, labels.completion, labels.trend]):
                sheet.write_string(1, first + offset, text, header)
            sheet.set_column(first, first + 1, 14)
            sheet.set_column(first + 2, first + 2, 13)
            sheet.set_column(first + 3, first + 3, 7)
        width = max([len(labels.employee), *(len(sc.employee) for sc in scorecards)]) + 2
        sheet.set_column(0, 0, min(width, 40))
        sheet.set_column(1, 1, 15)
        sheet.set_column(2, 3, 10)
        sheet.set_row(1, 30)
        state_column = FIRST_KPI_COLUMN + len(kpis) * KPI_GROUP_WIDTH
        sheet.merge_range(0, state_column, 1, state_column, labels.state, header)
        sheet.set_column(state_column, state_column, 11)
        for row, scorecard in enumerate(scorecards, start=HEADER_ROWS):
            sheet.write_string(row, state_column, labels.states.get(scorecard.state, scorecard.state or ""))
            sheet.write_string(row, 0, scorecard.employee)
            sheet.write_datetime(row, 1, scorecard.month, self.fmt(num_format=MONTH_FORMAT, align="left"))
            sheet.write_number(row, 2, scorecard.efficiency, self.fmt(num_format=PERCENT_FORMAT, bold=True))
            if scorecard.efficiency_trend in TREND_ARROWS:
                arrow = TREND_ARROWS[scorecard.efficiency_trend]
                sheet.write_string(row, 3, arrow, self.arrow_fmt(scorecard.efficiency_trend, "higher"))
            lines = {line.kpi.key: line for line in scorecard.lines}
            for index, key in enumerate(kpis):
                line = lines.get(key)
                if line is not None:
                    self.write_kpi_group(sheet, row, FIRST_KPI_COLUMN + index * KPI_GROUP_WIDTH, line, scorecard)
        self.write_average_row(sheet, scorecards, list(kpis))
        sheet.freeze_panes(HEADER_ROWS, 1)

    def write_average_row(self, sheet, scorecards, kpi_keys):
        """The team's averages under the scorecards: formulas over the cells above, with their values computed here
        too (read by programs that do not recalculate). Empty cells do not count, as Excel's AVERAGE has it."""
        first, row = HEADER_ROWS, HEADER_ROWS + len(scorecards)
        last = row - 1
        bold = {"bold": True, "top": 1}
        sheet.write_string(row, 0, self.labels.average, self.fmt(**bold))

        def average(column, values, num_format):
            values = [value for value in values if value is not None]
            if not values:
                return
            cells = f"{xl_rowcol_to_cell(first, column)}:{xl_rowcol_to_cell(last, column)}"
            sheet.write_formula(
                row, column, f"=AVERAGE({cells})", self.fmt(num_format=num_format, **bold), sum(values) / len(values)
            )

        average(2, [scorecard.efficiency for scorecard in scorecards], PERCENT_FORMAT)
        for index, key in enumerate(kpi_keys):
            column = FIRST_KPI_COLUMN + index * KPI_GROUP_WIDTH
            lines = [line for scorecard in scorecards for line in scorecard.lines if line.kpi.key == key]
            if not lines:
                continue
            currency = next((sc.currency for sc in scorecards if sc.currency), None)
            number = value_format(lines[0].unit, currency)
            average(column, [line.target for line in lines], number)
            average(column + 1, [line.actual for line in lines], number)
            average(column + 2, [line.completion if line.zone != "none" else None for line in lines], PERCENT_FORMAT)

    def write_kpi_group(self, sheet, row, column, line, scorecard):
        number = self.fmt(num_format=value_format(line.unit, scorecard.currency))
        sheet.write_number(
            row, column, line.target, self.fmt(num_format=plan_format(line.unit, scorecard.currency, line.target))
        )
        sheet.write_number(row, column + 1, line.actual, number)
        # Without a plan there is no completion: an empty cell says so better than 0 %.
        if line.zone != "none":
            sheet.write_number(row, column + 2, line.completion, self.zone_fmt(line.zone, num_format=PERCENT_FORMAT))
        if line.trend in TREND_ARROWS:
            sheet.write_string(row, column + 3, TREND_ARROWS[line.trend], self.arrow_fmt(line.trend, line.direction))

    def write_lines_sheet(self, sheet, scorecards):
        labels = self.labels
        headers = [
            (labels.month, 15),
            (labels.team, 20),
            (labels.employee, 25),
            (labels.kpi_code, 14),
            (labels.kpi, 30),
            (labels.unit, 10),
            (labels.plan, 14),
            (labels.actual, 14),
            (labels.previous_actual, 14),
            (labels.completion, 13),
            (labels.zone, 10),
            (labels.trend, 10),
            (labels.weight, 9),
            (labels.score, 9),
            (labels.trend_reference, 14),
            (labels.trend_basis, 22),
            (labels.measure, 14),
            (labels.numerator, 14),
            (labels.denominator, 14),
            (labels.overdue, 14),
            (labels.state, 11),
        ]
        header = self.header_fmt()
        for column, (text, width) in enumerate(headers):
            sheet.write_string(0, column, text, header)
            sheet.set_column(column, column, width)
        row = 0
        for scorecard in scorecards:
            team = scorecard.team if scorecard.team is not None else labels.no_team
            for line in scorecard.lines:
                row += 1
                number = self.fmt(num_format=value_format(line.unit, scorecard.currency))
                sheet.write_datetime(row, 0, scorecard.month, self.fmt(num_format=MONTH_FORMAT, align="left"))
                sheet.write_string(row, 1, team)
                sheet.write_string(row, 2, scorecard.employee)
                sheet.write_string(row, 3, line.kpi.code or "")
                sheet.write_string(row, 4, line.kpi.name or "")
                sheet.write_string(row, 5, labels.units.get(line.unit, line.unit))
                sheet.write_number(
                    row, 6, line.target, self.fmt(num_format=plan_format(line.unit, scorecard.currency, line.target))
                )
                sheet.write_number(row, 7, line.actual, number)
                sheet.write_number(row, 8, line.previous_actual, number)
                sheet.write_number(row, 9, line.completion, self.fmt(num_format=PERCENT_FORMAT))
                sheet.write_string(row, 10, labels.zones.get(line.zone, line.zone), self.zone_fmt(line.zone))
                sheet.write_string(row, 11, labels.trends.get(line.trend, line.trend or ""))
                sheet.write_number(row, 12, line.weight)
                sheet.write_number(row, 13, line.score, self.fmt(num_format=SCORE_FORMAT))
                if line.trend_reference is not None and line.trend_basis != "none":
                    sheet.write_number(row, 14, line.trend_reference, number)
                sheet.write_string(row, 15, labels.trend_bases.get(line.trend_basis, line.trend_basis or ""))
                sheet.write_string(row, 16, labels.measures.get(line.measure, line.measure or ""))
                # A ratio's parts and a balance's overdue part have the units of what they count: plain numbers.
                for column, value in ((17, line.numerator), (18, line.denominator), (19, line.overdue)):
                    if value is not None:
                        sheet.write_number(row, column, value, self.fmt(num_format=UNIT_FORMATS["number"]))
                sheet.write_string(row, 20, labels.states.get(scorecard.state, scorecard.state or ""))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
