import pytest
from olimp_kpi_engine import scoring


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (491970, 500000, "higher", 98.394),
        (10, 10, "higher", 100.0),
        (0, 10, "higher", 0.0),
        (50, 100, "lower", 200.0),
        (200, 100, "lower", 50.0),
        (0, 100, "lower", 100.0),  # nothing owed: the cap
        (5, 0, "higher", None),
        (5, None, "lower", None),
        (5, -1, "higher", None),
    ],
)
def test_completion(actual, target, direction, expected):
    result = scoring.completion(actual, target, direction, cap=100.0)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, rel=1e-4)


def test_lower_is_better_with_nothing_owed_reaches_the_cap():
    assert scoring.completion(0, 100, "lower", cap=130) == 130


@pytest.mark.parametrize(
    ("completion", "yellow", "green", "zone"),
    [
        (None, 80, 100, "none"),
        (79.99, 80, 100, "red"),
        (80, 80, 100, "yellow"),
        (99.99, 80, 100, "yellow"),
        (100, 80, 100, "green"),
        (98.4, 100, 100, "red"),  # the article: under plan is red
        (0, 0, 0, "green"),
    ],
)
def test_zone(completion, yellow, green, zone):
    assert scoring.zone(completion, yellow, green) == zone


@pytest.mark.parametrize(
    ("actual", "previous", "trend"),
    [(491970, 420500, "up"), (1, 2, "down"), (3, 3, "flat"), (0, None, "flat"), (0.0000001, 0, "flat")],
)
def test_trend(actual, previous, trend):
    assert scoring.trend(actual, previous) == trend


@pytest.mark.parametrize(
    ("completion", "floor", "cap", "score"),
    [(None, 0, 100, 0.0), (40, 50, 120, 0.0), (50, 50, 120, 50), (150, 50, 120, 120), (98.4, 0, 100, 98.4)],
)
def test_score(completion, floor, cap, score):
    assert scoring.score(completion, floor, cap) == pytest.approx(score)


def test_evaluate_line_article_example():
    result = scoring.evaluate_line(491970, 500000)
    assert result.zone == "red"
    assert result.completion == pytest.approx(98.394)
    assert result.score == pytest.approx(98.394)
    assert result.counted


def test_evaluate_line_without_plan():
    result = scoring.evaluate_line(10, 0)
    assert result == scoring.LineResult(0.0, "none", 0.0, False)


def test_efficiency_weights_and_exclusions():
    value, counted = scoring.efficiency([(3, 100, True), (1, 20, True), (5, 0, False), (0, 90, True)])
    assert value == pytest.approx(80)
    assert counted == 2


def test_efficiency_without_counted_lines_is_zero():
    assert scoring.efficiency([(1, 50, False)]) == (0.0, 0)
    assert scoring.efficiency([]) == (0.0, 0)


def test_summary_counts_zones_and_leaves_lines_without_plan_out():
    result = scoring.summary([(3, 100, "green"), (1, 20, "red"), (5, 0, "none"), (2, 90, "yellow"), (1, 10, "red")])
    assert result.efficiency == pytest.approx((300 + 20 + 180 + 10) / 7)
    assert (result.counted, result.red, result.yellow, result.green) == (4, 2, 1, 1)
    assert scoring.summary([]) == scoring.Summary(0.0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("answers", "share"), [([], 0.0), (["yes", "no", "yes", "yes"], 75.0), (["yes", False, None], 100 / 3)]
)
def test_checklist_completion(answers, share):
    assert scoring.checklist_completion(answers) == pytest.approx(share)


def test_ratio():
    assert scoring.ratio(2, 4) == 50.0
    assert scoring.ratio(5, 0) is None
    assert scoring.ratio(0, 0) is None
    assert scoring.ratio(None, 4) == 0.0


def test_a_ratio_without_denominator_is_judged_like_a_line_without_plan():
    result = scoring.evaluate_line(0.0, 40, measurable=False)
    assert (result.zone, result.score, result.counted) == ("none", 0.0, False)


@pytest.mark.parametrize(
    ("previous", "prorate", "elapsed", "total", "reference", "basis"),
    [
        (None, True, 10, 21, None, "none"),
        (42, False, 10, 21, 42, "month"),
        (42, True, 10, 21, 20, "prorated"),
        (42, True, 0, 21, 0, "prorated"),  # the 1st: nothing expected yet
        (42, True, 25, 21, 42, "prorated"),
        (42, True, 0, 0, 42, "prorated"),  # no working day at all: the whole month
    ],
)
def test_trend_reference(previous, prorate, elapsed, total, reference, basis):
    result = scoring.trend_reference(previous, prorate, elapsed, total)
    assert result == (pytest.approx(reference) if reference is not None else None, basis)


def test_trend_without_reference_is_flat():
    assert scoring.trend(5, None) == "flat"
    assert scoring.trend(0, 0.0) == "flat"
    assert scoring.trend(1, 0.5) == "up"


def test_reference_summary_is_the_efficiency_at_the_previous_pace():
    lines = [
        # weight, reference, target, direction, yellow, green, floor, cap, measurable
        (3, 250, 500, "higher", 100, 100, 0, 100, True),
        (1, None, 10, "higher", 100, 100, 0, 100, True),  # no reference: left out
        (1, 20, 10, "higher", 100, 100, 0, 100, True),
    ]
    assert scoring.reference_summary(lines) == pytest.approx((3 * 50 + 1 * 100) / 4)
    assert scoring.reference_summary([(1, None, 10, "higher", 100, 100, 0, 100, True)]) is None


def test_judge_follows_completion_zone_and_score():
    """The refresh's one-call judgement gives what completion(), zone() and score() give, line by line."""
    for actual in (None, -5.0, 0.0, 1e-9, 3.0, 49.9999995, 50.0, 80.0, 100.0, 250.0):
        for target in (None, -1.0, 0.0, 40.0, 50.0, 100.0):
            for direction in (scoring.HIGHER, scoring.LOWER):
                for yellow_from, green_from, floor, cap in ((80.0, 100.0, 0.0, 100.0), (50.0, 90.0, 60.0, 120.0)):
                    for measurable in (True, False):
                        pct = scoring.completion(actual, target, direction, cap) if measurable else None
                        expected = (
                            pct if pct is not None else 0.0,
                            scoring.zone(pct, yellow_from, green_from),
                            scoring.score(pct, floor, cap),
                        )
                        args = (actual, target, direction, yellow_from, green_from, floor, cap, measurable)
                        assert scoring.judge(*args) == expected, args
                        assert scoring.evaluate_line(*args) == (*expected, pct is not None), args


def test_summary_is_efficiency_with_the_zones_counted():
    lines = [(3, 100.0, "green"), (0, 70.0, "yellow"), (None, 10.0, "red"), (2, 55.5, "none"), (1.5, 0.1, "red")]
    for count in range(len(lines) + 1):
        some = lines[:count]
        result = scoring.summary(some)
        value, counted = scoring.efficiency((weight, score, zone != "none") for weight, score, zone in some)
        zones = [zone for __, __, zone in some]
        assert result == (value, counted, zones.count("red"), zones.count("yellow"), zones.count("green"))
