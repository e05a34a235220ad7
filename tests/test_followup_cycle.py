"""The post-sale cycle planner of olimp_followup (``olimp_followup/engine/cycle.py``), without Odoo."""

import importlib.util
import sys
from datetime import date

import pytest
from conftest import ROOT


def _load():
    name = "olimp_followup_cycle"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "olimp_followup" / "engine" / "cycle.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cycle = _load()
FEEDBACK = cycle.StepRule(delay_days=3, min_interval_days=3)
REORDER = cycle.StepRule(delay_days=80, min_interval_days=80, ends_on_new_order=True)


def day(number):
    """Day ``number`` of March 2025 (days past 31 run into April)."""
    return date.fromordinal(date(2025, 3, 1).toordinal() + number - 1)


def test_first_order_plans_a_followup():
    plan = cycle.plan_step(FEEDBACK, [(1, day(2))])
    assert [(new.starter, new.date_deadline, new.order_ids) for new in plan.new] == [(1, day(5), [1])]
    assert not (plan.joins or plan.covers or plan.ended)


def test_four_orders_in_a_week_share_one_followup():
    orders = [(1, day(2)), (2, day(4)), (3, day(6)), (4, day(9))]
    plan = cycle.plan_step(FEEDBACK, orders)
    assert len(plan.new) == 1
    assert plan.new[0].order_ids == [1, 2, 3, 4]
    assert plan.new[0].date_deadline == day(5)


def test_orders_are_taken_in_date_order():
    plan = cycle.plan_step(FEEDBACK, [(9, day(6)), (7, day(2))])
    assert (plan.new[0].starter, plan.new[0].order_ids) == (7, [7, 9])


def test_orders_join_the_open_followup():
    plan = cycle.plan_step(FEEDBACK, [(5, day(4)), (6, day(6))], open_followup=cycle.OpenFollowup(40, day(2)))
    assert plan.joins == {40: [5, 6]}
    assert not plan.new


def test_a_later_order_ends_the_step_it_fulfils_and_restarts_it():
    plan = cycle.plan_step(REORDER, [(5, day(59))], open_followup=cycle.OpenFollowup(40, day(1)))
    assert plan.ended == {40: 5}
    assert [(new.starter, new.date_deadline) for new in plan.new] == [(5, day(139))]


def test_an_order_of_the_same_day_joins_a_step_it_would_end():
    plan = cycle.plan_step(REORDER, [(5, day(1))], open_followup=cycle.OpenFollowup(40, day(1)))
    assert plan.joins == {40: [5]}
    assert not plan.ended


def test_an_earlier_order_joins_a_step_it_would_end():
    plan = cycle.plan_step(REORDER, [(5, day(3))], open_followup=cycle.OpenFollowup(40, day(10)))
    assert plan.joins == {40: [5]}


def test_ends_within_one_batch():
    plan = cycle.plan_step(REORDER, [(1, day(2)), (2, day(4)), (3, day(4)), (4, day(9))])
    assert [(new.starter, new.order_ids, new.ended_by) for new in plan.new] == [
        (1, [1], 2),
        (2, [2, 3], 4),
        (4, [4], None),
    ]


@pytest.mark.parametrize(
    ("interval", "order_day", "covered"),
    [
        (3, 3, True),  # due on the 6th, 2 days after the touch of the 4th
        (3, 4, False),  # due on the 7th: 3 days after
        (30, 20, True),
        (30, 31, False),
        (0, 1, False),  # no interval: due on the day of the touch, planned all the same
    ],
)
def test_a_touch_covers_orders_within_the_minimum_interval(interval, order_day, covered):
    rule = cycle.StepRule(delay_days=3, min_interval_days=interval)
    plan = cycle.plan_step(rule, [(8, day(order_day))], last_touch=cycle.Touch(30, day(4)))
    assert (plan.covers == {30: [8]}) is covered
    assert bool(plan.new) is not covered


def test_a_dead_followup_is_planned_again_for_its_order():
    plan = cycle.plan_step(FEEDBACK, [(8, day(5))], dead={8: 77})
    assert plan.new[0].revive_id == 77


def test_nothing_to_do():
    plan = cycle.plan_step(FEEDBACK, [])
    assert not plan


def test_activity_date_opens_the_window_before_the_deadline():
    deadline = date(2026, 3, 20)
    assert cycle.activity_date(deadline, 7) == date(2026, 3, 13)
    assert cycle.activity_date(deadline, 0) == deadline, "0: on the day"
    assert cycle.activity_date(deadline, -3) == deadline, "a negative lead time is no lead time"
    # A step due within the lead time gets its activity on its trigger day, not before.
    assert cycle.activity_date(deadline, 7, trigger=date(2026, 3, 17)) == date(2026, 3, 17)
    assert cycle.activity_date(deadline, 7, trigger=date(2026, 3, 1)) == date(2026, 3, 13)
