import pytest
from olimp_kpi_engine import plans
from olimp_kpi_engine.plans import PlanInputError

RUSSIAN = {"decimal_point": ",", "thousands_sep": "\u00a0"}
ENGLISH = {"decimal_point": ".", "thousands_sep": ","}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1,5", RUSSIAN, 1.5),
        ("1.5", RUSSIAN, 1.5),  # the other mark is the decimal point when it does not group thousands
        ("500 000", RUSSIAN, 500000.0),
        ("500\u00a0000,50", RUSSIAN, 500000.5),
        ("1.5", ENGLISH, 1.5),
        ("500,000", ENGLISH, 500000.0),
        ("1,234,567.25", ENGLISH, 1234567.25),
        ("500 000", ENGLISH, 500000.0),
        ("  10 ", ENGLISH, 10.0),
        ("100 %", ENGLISH, 100.0),
        (".5", ENGLISH, 0.5),
        ("-3", ENGLISH, -3.0),  # read, then refused by plan_problem with its own reason
        ("", ENGLISH, None),
        ("   ", RUSSIAN, None),
        (None, ENGLISH, None),
        (7.5, ENGLISH, 7.5),
    ],
)
def test_parse_plan_reads_the_users_language(text, language, expected):
    assert plans.parse_plan(text, **language) == expected


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("1,5", ENGLISH, plans.BAD_GROUPING),  # not 15
        ("1,50,000", ENGLISH, plans.BAD_GROUPING),
        ("1e3", ENGLISH, plans.SCIENTIFIC),
        ("2E+5", RUSSIAN, plans.SCIENTIFIC),
        ("1,5,5", RUSSIAN, plans.NOT_A_NUMBER),
        ("abc", ENGLISH, plans.NOT_A_NUMBER),
        ("12a", ENGLISH, plans.NOT_A_NUMBER),
        ("1.2.3", ENGLISH, plans.NOT_A_NUMBER),
        ("10 00", RUSSIAN, plans.BAD_GROUPING),
        ("-", ENGLISH, plans.NOT_A_NUMBER),
        (".", ENGLISH, plans.NOT_A_NUMBER),
        ("1.", ENGLISH, plans.NOT_A_NUMBER),
        (float("nan"), ENGLISH, plans.NOT_A_NUMBER),
    ],
)
def test_parse_plan_refuses_what_is_no_number(text, language, reason):
    with pytest.raises(PlanInputError) as caught:
        plans.parse_plan(text, **language)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("value", "unit", "kind", "reason"),
    [
        (10, "count", "quantitative", None),
        (7.5, "count", "quantitative", plans.NOT_WHOLE),
        (7.5, "amount", "quantitative", None),
        (-1, "amount", "quantitative", plans.NEGATIVE),
        (150, "percent", "qualitative", plans.OVER_100),
        (100, "percent", "qualitative", None),
        (150, "percent", "quantitative", None),  # a quantitative percentage may exceed 100
        (2e12, "amount", "quantitative", plans.TOO_LARGE),
        (0, "count", "quantitative", None),
        (None, "count", "quantitative", None),
    ],
)
def test_plan_problem(value, unit, kind, reason):
    assert plans.plan_problem(value, unit, kind) == reason


def test_prorate_counts_and_amounts_only():
    assert plans.prorate(10, 8, 21, "count") == 4.0  # 3.81 meetings: whole
    assert plans.prorate(500000, 8, 21, "amount") == 190476.0
    assert plans.prorate(100, 8, 21, "percent") == 100
    assert plans.prorate(10, 21, 21, "count") == 10
    assert plans.prorate(10, 0, 21, "count") == 0.0
    assert plans.prorate(10, 5, 0, "count") == 10
    assert plans.prorate(0, 5, 21, "count") == 0
    assert not plans.is_prorated("amount", "balance")


def test_scale_rounds_as_the_unit_is_planned():
    assert plans.scale(10, 5, "count") == 11.0  # 10.5 rounds half up
    assert plans.scale(500000, 7, "amount") == 535000.0
    assert plans.scale(95, 10, "percent", "qualitative") == 100.0
    assert plans.scale(1.25, 10, "number") == 1.38
    assert plans.scale(10, -200, "count") == 0.0


def test_round_plan_and_decimals_shown():
    assert plans.round_plan(2.5, "count") == 3.0
    assert plans.round_plan(0.125, "number") == 0.13
    assert plans.decimals_shown(7.5) == 1
    assert plans.decimals_shown(8.0) == 0
    assert plans.decimals_shown(1.25) == 2
    assert plans.decimals_shown(1.255) == 2
