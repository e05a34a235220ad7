"""Completion, zone, trend, score and efficiency: the arithmetic of a scorecard.

Every value here is a plain number or string, so that the ORM's computed fields (a plan edited by hand) and the
batch refresh (thousands of lines written in one statement) share exactly the same rules:

- completion, higher is better: ``actual / target × 100``; lower is better: ``target / actual × 100`` (an actual
  of 0 or less reaches the cap). No target (0 or unset): no completion, zone ``none``, left out of efficiency;
- zone: ``green`` from ``green_from`` % of plan, ``yellow`` from ``yellow_from`` %, else ``red``;
- ratio KPIs: ``numerator ÷ denominator × 100``; a denominator of 0 gives no ratio (zone ``none``);
- trend: the actual against a reference: the previous month's actual for a month that is over, for balances
  (a state against a state), ratios and checklists; for counts and sums of a month still running, the previous
  month's actual pro-rated to the working days elapsed (like with like); no previous figure: flat, basis ``none``;
- score: 0 under the floor, else the completion limited to the cap;
- efficiency: ``Σ weight × score / Σ weight`` over lines with a plan.
"""

from collections import namedtuple

ZONE_NONE = "none"
ZONE_RED = "red"
ZONE_YELLOW = "yellow"
ZONE_GREEN = "green"

TREND_UP = "up"
TREND_DOWN = "down"
TREND_FLAT = "flat"

HIGHER = "higher"
LOWER = "lower"

# What a line's trend compares its actual with.
BASIS_MONTH = "month"  # the previous month's whole figure
BASIS_PRORATED = "prorated"  # the previous month's figure pro-rated to the working days elapsed
BASIS_NONE = "none"  # no previous figure: the trend is flat

# Values closer than this are equal: actuals are sums of monetary amounts rounded to cents.
EPSILON = 1e-6

LineResult = namedtuple("LineResult", "completion zone score counted")
Summary = namedtuple("Summary", "efficiency counted red yellow green")


def completion(actual, target, direction=HIGHER, cap=100.0):
    """Completion in % of plan, or ``None`` when there is no plan."""
    if not target or target <= 0:
        return None
    actual = actual or 0.0
    if direction == LOWER:
        if actual <= EPSILON:
            return float(cap)
        return target / actual * 100.0
    return actual / target * 100.0


def zone(completion_pct, yellow_from=100.0, green_from=100.0):
    if completion_pct is None:
        return ZONE_NONE
    if completion_pct + EPSILON >= green_from:
        return ZONE_GREEN
    if completion_pct + EPSILON >= yellow_from:
        return ZONE_YELLOW
    return ZONE_RED


def ratio(numerator, denominator):
    """``numerator ÷ denominator × 100``, or ``None`` when the denominator is 0 (there is no ratio)."""
    if denominator is None or abs(denominator) <= EPSILON:
        return None
    return (numerator or 0.0) / denominator * 100.0


def trend_reference(previous_actual, prorate=False, elapsed=0, total=0):
    """What the actual is compared with, and on which basis (``BASIS_*``).

    :param previous_actual: the previous month's figure, ``None`` when there is none
    :param prorate: the month is still running and the KPI adds up over the month (a count or a sum)
    :param elapsed: working days of the month elapsed; ``total``: its working days
    """
    if previous_actual is None:
        return None, BASIS_NONE
    if not prorate:
        return previous_actual, BASIS_MONTH
    share = min(1.0, elapsed / total) if total else 1.0
    return previous_actual * share, BASIS_PRORATED


def trend(actual, previous_actual):
    """``up``, ``down`` or ``flat``: ``actual`` against ``previous_actual`` (or a trend reference); no reference
    (``None``): flat."""
    if previous_actual is None:
        return TREND_FLAT
    delta = (actual or 0.0) - previous_actual
    if delta > EPSILON:
        return TREND_UP
    if delta < -EPSILON:
        return TREND_DOWN
    return TREND_FLAT


def score(completion_pct, floor=0.0, cap=100.0):
    if completion_pct is None or completion_pct + EPSILON < (floor or 0.0):
        return 0.0
    return min(completion_pct, cap)


def evaluate_line(
    actual, target, direction=HIGHER, yellow_from=100.0, green_from=100.0, floor=0.0, cap=100.0, measurable=True
):
    """Completion (0 when there is no plan), zone, score and whether the line counts in efficiency.

    A line that is not ``measurable`` (a ratio whose denominator is 0) is judged like a line without a plan.
    """
    pct, line_zone, line_score = judge(actual, target, direction, yellow_from, green_from, floor, cap, measurable)
    return LineResult(completion=pct, zone=line_zone, score=line_score, counted=line_zone != ZONE_NONE)


def judge(actual, target, direction=HIGHER, yellow_from=100.0, green_from=100.0, floor=0.0, cap=100.0, measurable=True):
    """:func:`evaluate_line` as a plain ``(completion, zone, score)``: :func:`completion`, :func:`zone` and
    :func:`score` in one call, for the refresh that judges thousands of lines (a line counts when its zone is not
    ``none``)."""
    if not measurable or not target or target <= 0:
        return 0.0, ZONE_NONE, 0.0
    actual = actual or 0.0
    if direction == LOWER:
        pct = float(cap) if actual <= EPSILON else target / actual * 100.0
    else:
        pct = actual / target * 100.0
    reached = pct + EPSILON
    if reached >= green_from:
        line_zone = ZONE_GREEN
    elif reached >= yellow_from:
        line_zone = ZONE_YELLOW
    else:
        line_zone = ZONE_RED
    return pct, line_zone, 0.0 if reached < (floor or 0.0) else min(pct, cap)


def efficiency(lines):
    """Weighted average score over the lines that count.

    :param lines: iterable of ``(weight, score, counted)``
    :return: ``(efficiency, number of lines that counted)``; efficiency is 0 when no line counts
    """
    total_weight = 0.0
    total = 0.0
    counted = 0
    for weight, line_score, line_counted in lines:
        if not line_counted or not weight or weight <= 0:
            continue
        total_weight += weight
        total += weight * line_score
        counted += 1
    if not counted:
        return 0.0, 0
    return total / total_weight, counted


def summary(lines):
    """Efficiency and number of lines per zone of a scorecard.

    :param lines: iterable of ``(weight, score, zone)``; a line counts in efficiency when it has a zone (a plan)
    """
    # The arithmetic of efficiency(), in one pass (a refresh summarises thousands of scorecards).
    total_weight = total = 0.0
    counted = red = yellow = green = 0
    for weight, line_score, line_zone in lines:
        if line_zone == ZONE_NONE:
            continue
        if line_zone == ZONE_RED:
            red += 1
        elif line_zone == ZONE_YELLOW:
            yellow += 1
        elif line_zone == ZONE_GREEN:
            green += 1
        if not weight or weight <= 0:
            continue
        total_weight += weight
        total += weight * line_score
        counted += 1
    return Summary(total / total_weight if counted else 0.0, counted, red, yellow, green)


def reference_summary(lines):
    """Efficiency the scorecard would have with every line at its trend reference: the efficiency trend of a
    month still running compares the efficiency so far with it (each KPI at the previous month's pace).

    :param lines: iterable of ``(weight, reference, target, direction, yellow_from, green_from, floor, cap,
        measurable)``; a line without reference (``None``) takes no part
    """
    evaluated = []
    for weight, reference, target, direction, yellow_from, green_from, floor, cap, measurable in lines:
        if reference is None:
            continue
        result = evaluate_line(reference, target, direction, yellow_from, green_from, floor, cap, measurable)
        evaluated.append((weight, result.score, result.zone))
    return summary(evaluated).efficiency if evaluated else None


def checklist_completion(answers):
    """Share, in %, of checklist items answered yes; ``answers`` holds ``'yes'``, ``'no'`` or empty values."""
    answers = list(answers)
    if not answers:
        return 0.0
    return sum(1 for value in answers if value == "yes") * 100.0 / len(answers)
