"""Plans as people type them: reading a typed number, judging whether a plan makes sense, pro-rating and scaling.

The plan grid sends the text of a cell as typed; :func:`parse_plan` reads it with the separators of the user's
language (Russian "1,5" is one and a half, English "1,5" is refused rather than read as 15, and "1e3" is refused:
nobody plans in scientific notation). :func:`plan_problem` says why a number cannot be a plan of a KPI (negative,
a fraction of a count, more than 100 % of a checklist). :func:`prorate` scales a month's plan to the working days
of an employee who starts or leaves during the month; :func:`scale` raises a plan by a percentage when a year is
copied forward. Every function takes and returns plain values, so the rules are tested without Odoo.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

# Reasons a text is not a number, or a number is not a plan (the model turns them into sentences).
NOT_A_NUMBER = "not_a_number"
SCIENTIFIC = "scientific"
BAD_GROUPING = "bad_grouping"
NEGATIVE = "negative"
NOT_WHOLE = "not_whole"
OVER_100 = "over_100"
TOO_LARGE = "too_large"

# The highest plan accepted: beyond it a number is a typing accident (and would lose its cents as a float).
MAX_PLAN = 1e12
# Spaces people put between thousands, whatever their language says.
SPACES = {" ", "\u00a0", "\u202f", "\u2009"}
EXPONENT = re.compile(r"\d\s*[eE]\s*[-+]?\s*\d")
# Counts are whole; amounts are planned in whole units of the currency; the rest keeps two decimals.
DECIMALS = {"count": 0, "amount": 0}
DEFAULT_DECIMALS = 2


class PlanInputError(ValueError):
    """A typed text that is not a plan; ``reason`` is one of the constants above."""

    def __init__(self, reason, text=""):
        super().__init__(reason)
        self.reason = reason
        self.text = text


def parse_plan(text, decimal_point=".", thousands_sep=","):
    """The number typed in ``text``, read with the separators of the user's language; ``None`` for an empty text.

    Thousands separators are accepted only between groups of three digits (so English "1,5" is refused instead of
    becoming 15), spaces always count as thousands separators, and the other one of "." and "," is read as the
    decimal point when the language does not use it for thousands (Russian "1.5" is 1.5 too). A trailing "%" is
    allowed. Raises :class:`PlanInputError`.
    """
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
        if not math.isfinite(value):
            raise PlanInputError(NOT_A_NUMBER, str(text))
        return value
    raw = str(text)
    cleaned = raw.strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    if not cleaned:
        return None
    if EXPONENT.search(cleaned):
        raise PlanInputError(SCIENTIFIC, raw)
    sign = ""
    if cleaned[0] in "-+\u2212":
        sign = "-" if cleaned[0] != "+" else ""
        cleaned = cleaned[1:].strip()
    thousands = {thousands_sep} | SPACES if thousands_sep else set(SPACES)
    decimal_marks = {decimal_point}
    other = "," if decimal_point == "." else "." if decimal_point == "," else None
    if other and other not in thousands and decimal_point not in cleaned:
        decimal_marks.add(other)
    integer, fraction = cleaned, ""
    marks = [index for index, char in enumerate(cleaned) if char in decimal_marks]
    if len(marks) > 1:
        raise PlanInputError(BAD_GROUPING if {cleaned[i] for i in marks} & thousands else NOT_A_NUMBER, raw)
    if marks:
        integer, fraction = cleaned[: marks[0]], cleaned[marks[0] + 1 :]
        if not fraction.isdigit():
            raise PlanInputError(NOT_A_NUMBER, raw)
    groups = re.split("|".join(re.escape(sep) for sep in sorted(thousands)), integer) if integer else [""]
    if not all(group.isdigit() for group in groups[1:]) or not (groups[0].isdigit() or (groups[0] == "" and marks)):
        raise PlanInputError(NOT_A_NUMBER, raw)
    if len(groups) > 1 and (not groups[0] or len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:])):
        raise PlanInputError(BAD_GROUPING, raw)
    if not (integer or fraction):
        raise PlanInputError(NOT_A_NUMBER, raw)
    value = float(f"{sign}{''.join(groups) or '0'}.{fraction or '0'}")
    if not math.isfinite(value):
        raise PlanInputError(NOT_A_NUMBER, raw)
    return value


def plan_problem(value, unit, kind="quantitative"):
    """Why ``value`` cannot be a plan of a KPI of ``unit`` and ``kind``, or ``None`` when it can.

    A plan is not negative; a count is whole (7.5 meetings cannot be held); a checklist KPI is planned as the share
    of questions answered yes, so 100 % at most (a plan of 150 % makes every perfect checklist red).
    """
    if value is None:
        return None
    if not math.isfinite(value):
        return NOT_A_NUMBER
    if value < 0:
        return NEGATIVE
    if value > MAX_PLAN:
        return TOO_LARGE
    if kind == "qualitative" and value > 100.0 + 1e-9:
        return OVER_100
    if unit == "count" and abs(value - round(value)) > 1e-9:
        return NOT_WHOLE
    return None


def round_plan(value, unit):
    """``value`` rounded as a plan of ``unit`` is kept: counts and amounts whole (half up), others to 2 decimals."""
    decimals = DECIMALS.get(unit, DEFAULT_DECIMALS)
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def is_prorated(unit, period_mode="flow"):
    """Whether a plan of ``unit`` shrinks with the days worked: counts and amounts of things done in the month do,
    percentages, ratios and balances (a state at the month's end) do not."""
    return unit in ("count", "amount") and period_mode != "balance"


def prorate(target, worked_days, month_days, unit):
    """The month's plan ``target`` for an employee working ``worked_days`` of the month's ``month_days`` working days.

    Plans of other units, and months the employee works in full (or a month without working days), stay as they
    are.
    """
    if not target or not is_prorated(unit) or not month_days or worked_days >= month_days:
        return target
    return round_plan(target * max(worked_days, 0) / month_days, unit)


def scale(target, percent, unit, kind="quantitative"):
    """``target`` raised (or lowered, when ``percent`` is negative) by ``percent`` %, rounded as a plan of ``unit``;
    a checklist plan stays within 100 %."""
    value = round_plan((target or 0.0) * (100.0 + percent) / 100.0, unit)
    if kind == "qualitative":
        value = min(value, 100.0)
    return max(value, 0.0)


def decimals_shown(value):
    """How many decimals show ``value`` as it was typed (at most 2): ``7.5`` has 1, ``8.0`` none."""
    for decimals in range(DEFAULT_DECIMALS):
        if abs(value - round(value, decimals)) < 1e-9:
            return decimals
    return DEFAULT_DECIMALS
