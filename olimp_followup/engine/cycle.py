"""The post-sale cycle of one customer: what a rule does with the orders that reach it.

Plain Python, no ORM: the scheduler reads the state of each (rule, customer, company), asks :func:`plan_step`
what to do, and writes the answers of every customer of a batch together.

How it works
------------
A rule holds at most one open (planned) follow-up per customer. The orders of a trigger reach the rule in the order
of their trigger dates (confirmation, payment, delivery); for each order:

1. while a follow-up is open, the order **joins** it (the follow-up then covers both orders: one call about both),
   unless the rule *ends on a new order* (repeat-order reminder, favourable terms: a new order is what they were
   for) and the order is later than the one the follow-up counts from: then the open follow-up **ends** ("repeat
   order S00042 received") and the order starts the rule over, as if nothing were open;
2. with nothing open, a follow-up is planned from the order (**create**), due ``delay_days`` after its trigger
   date; unless its deadline would come less than ``min_interval_days`` after the customer's last touch by this
   rule (its last follow-up done): then the order is **covered** by that touch and nothing is planned;
3. an order whose own follow-up was cancelled with the order (the order was cancelled, then confirmed again) gets
   that follow-up back (**revive**) instead of a new one, when it starts one.

Orders that already belong to a follow-up of the rule never reach :func:`plan_step` (the scheduler leaves them
out): running a trigger twice plans nothing twice.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

# The triggers whose orders start or restart a customer's cycle (the rule's trigger field holds one of them, or
# "no_order" for silent customers).
ORDER_TRIGGERS = ("order_confirmed", "invoice_paid", "order_delivered")


@dataclass(frozen=True)
class StepRule:
    """What :func:`plan_step` needs of a rule."""

    delay_days: int
    min_interval_days: int = 0
    ends_on_new_order: bool = False


@dataclass(frozen=True)
class OpenFollowup:
    """The follow-up of the rule open for the customer: its id and the date its deadline counts from."""

    id: int
    trigger_date: date


@dataclass(frozen=True)
class Touch:
    """The customer's last follow-up of the rule done: its id and when."""

    id: int
    date_done: date


@dataclass
class NewFollowup:
    """A follow-up to plan: ``starter`` is the order it counts from (its ``order_id``); ``revive_id`` the cancelled
    follow-up of that order to plan again instead of creating one; ``ended_by`` the later order that ended it in
    the same batch (it is then made cancelled)."""

    starter: int
    trigger_date: date
    date_deadline: date
    order_ids: list = field(default_factory=list)
    revive_id: int = None
    ended_by: int = None


@dataclass
class StepPlan:
    """What to write for one (rule, customer, company)."""

    new: list = field(default_factory=list)  # NewFollowup, in the order they were planned
    joins: dict = field(default_factory=dict)  # existing follow-up id -> [order ids]
    covers: dict = field(default_factory=dict)  # done follow-up id (last touch) -> [order ids]
    ended: dict = field(default_factory=dict)  # existing open follow-up id -> id of the order that ended it

    def __bool__(self):
        return bool(self.new or self.joins or self.covers or self.ended)


def plan_step(rule, orders, open_followup=None, last_touch=None, dead=None):
    """Plan the follow-ups of one rule for one customer's new orders.

    :param rule: a :class:`StepRule`
    :param orders: ``[(order id, trigger date)]``, orders no follow-up of the rule covers yet
    :param open_followup: the customer's :class:`OpenFollowup` of the rule, if any
    :param last_touch: the customer's last :class:`Touch` by the rule, if any
    :param dead: ``{order id: follow-up id}``, follow-ups cancelled together with their order
    :return: a :class:`StepPlan`
    """
    dead = dead or {}
    plan = StepPlan()
    current = open_followup  # an OpenFollowup, a NewFollowup of this plan, or None
    for order_id, trigger_date in sorted(orders, key=lambda item: (item[1], item[0])):
        if current is not None and rule.ends_on_new_order and trigger_date > current.trigger_date:
            if isinstance(current, NewFollowup):
                current.ended_by = order_id
            else:
                plan.ended[current.id] = order_id
            current = None
        if current is not None:
            if isinstance(current, NewFollowup):
                current.order_ids.append(order_id)
            else:
                plan.joins.setdefault(current.id, []).append(order_id)
            continue
        deadline = trigger_date + timedelta(days=rule.delay_days)
        if last_touch is not None and (deadline - last_touch.date_done).days < rule.min_interval_days:
            plan.covers.setdefault(last_touch.id, []).append(order_id)
            continue
        current = NewFollowup(order_id, trigger_date, deadline, [order_id], revive_id=dead.get(order_id))
        plan.new.append(current)
    return plan


def activity_date(deadline, lead_days, trigger=None):
    """The day a follow-up's activity appears (the start of its step's window): ``lead_days`` before its
    ``deadline`` (0 or less: on the day), never before its ``trigger`` day (a step due within the lead time gets its
    activity at once)."""
    day = deadline - timedelta(days=max(lead_days, 0))
    return max(day, trigger) if trigger else day
