"""Scheduling of follow-ups: from rules to follow-ups and activities, in batches, exactly once.

How it works
------------
A trigger (order confirmed, invoice paid, order delivered) hands a batch of sales orders to
:meth:`FollowupScheduler.schedule_orders`; the nightly scan of silent customers calls
:meth:`FollowupScheduler.schedule_no_order`. Both work with a number of queries that does not grow with the size
of the batch. For orders:

1. read the active rules of the trigger (one query) and, for each rule with conditions, the orders of the batch
   that match them (one query per rule);
2. lock the cycles of the orders' customers (``olimp.followup.cycle._lock``, one upsert): a concurrent
   transaction working on one of these customers is waited for, then this one fails and is retried, seeing its
   work;
3. read what the rules hold for these customers (two queries): the open follow-up of each rule, the last one done
   (the last touch), the orders a follow-up already covers (never scheduled twice) and the follow-ups cancelled
   with their order (planned again when the order is confirmed again);
4. plan each (rule, customer) with :func:`..engine.cycle.plan_step`, in plain Python: join, end, cover or create;
5. write the plans: the ended follow-ups cancelled, the joined and covered orders added in one statement, the new
   follow-ups inserted in one (``olimp.followup._insert_scheduled``) with their responsible users resolved from the
   loaded employee hierarchy, and the activities of those whose window is open created in one ``create``.

Exactly once: partial unique indexes stand behind step 3 (see ``olimp.followup.init``). The silent-customer scan
does not lock cycles; PostgreSQL's snapshot isolation hides a row a concurrent transaction committed after ours
began, so its insert runs in a savepoint; on a unique violation (or the serialization failure PostgreSQL raises
instead under repeatable read) the batch is inserted again row by row, each in its own savepoint, and the rows
another transaction already inserted are skipped.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pgerrors

from odoo import Command, fields
from odoo.addons.olimp_kpi.services import create_skipping_duplicates
from odoo.osv import expression
from odoo.tools import SQL

from ..engine.cycle import ORDER_TRIGGERS, OpenFollowup, StepRule, Touch, plan_step

_logger = logging.getLogger(__name__)

CONCURRENT_INSERT_ERRORS = (pgerrors.UniqueViolation, pgerrors.SerializationFailure)
# Contexts of batch creation: no chatter message nor follower per follow-up.
QUIET_CREATE = {"mail_create_nolog": True, "mail_create_nosubscribe": True, "tracking_disable": True}


RULE = "olimp.followup.rule"


def _cycle_key(order):
    """A customer's cycle: the commercial entity of the order's customer, in the order's company."""
    return order.partner_id.commercial_partner_id.id, order.company_id.id


class _StepState:
    """What the rules already hold for the customers of a batch (see :meth:`FollowupScheduler._step_state`)."""

    def __init__(self):
        self.open = {}
        self.touches = {}
        self.handled = defaultdict(set)
        self.dead = defaultdict(dict)


def period_key(last_order_date, today, days):
    """The silent period of a customer: last order date and the number of ``days``-long periods since.

    A rule on silence fires once per period: a customer silent for 100 days with a 90-day rule is in period 1, and
    gets another follow-up at 180 days (period 2); a new order starts over from its own date.
    """
    return f"{last_order_date.isoformat()}/{(today - last_order_date).days // days}"


class FollowupScheduler:
    def __init__(self, env):
        # Rules are the company's regulation: they fire whoever confirms, pays or delivers.
        self.env = env(su=True)
        self.Followup = self.env["olimp.followup"]
        self._managers = {}

    # -- order triggers ------------------------------------------------------------------------------------------
    def schedule_orders(self, trigger, orders, trigger_dates=None):
        """Follow-ups of the active rules of ``trigger`` for confirmed ``orders``, per customer.

        See :mod:`..engine.cycle` for what a rule does with each order (join the open follow-up, end it, cover the
        order by the last touch, or plan a new one); the customers' cycles are locked first (see
        ``olimp.followup.cycle._lock``). A confirmation also ends the pending follow-ups of the customers' silence
        whose rule ends on a new order.

        :param trigger: one of ``ORDER_TRIGGERS``
        :param orders: ``sale.order`` recordset
        :param trigger_dates: ``{order id: date}``; default: the order date for confirmations, else today
        :return: the follow-ups created or brought back, planned (those ended within the batch left out)
        """
        assert trigger in ORDER_TRIGGERS, trigger
        orders = orders.with_env(self.env).filtered(lambda o: o.state == "sale")
        rules = self._rules(trigger)
        silent_rules = self._silent_rules_ended_by_orders() if trigger == "order_confirmed" else self.env[RULE]
        if not orders or not (rules or silent_rules):
            return self.Followup
        trigger_dates = self._trigger_dates(trigger, orders, trigger_dates)
        matching = {rule: self._matching(rule, orders) for rule in rules}
        touched = orders.browse().union(*matching.values()) if rules else orders.browse()
        if silent_rules:
            touched |= orders
        if not touched:
            return self.Followup
        self.env["olimp.followup.cycle"]._lock(self._cycle_starts(trigger, touched, trigger_dates))
        if silent_rules:
            self._end_silent_followups(silent_rules, orders, trigger_dates)
        if not rules:
            return self.Followup
        self._load_managers(
            orders.user_id | orders.team_id.user_id | orders.partner_id.commercial_partner_id.user_id | rules.user_id
        )
        return self._apply(self._plans(rules, matching, self._step_state(rules, touched), trigger_dates), touched)

    def _plans(self, rules, matching, state, trigger_dates):
        """``{(rule, (customer id, company id)): StepPlan}`` for the orders no follow-up of the rule covers yet."""
        plans = {}
        for rule in rules:
            step_rule = StepRule(rule.delay_days, rule.min_interval_days, rule.ends_on_new_order)
            groups = defaultdict(list)
            for order in matching[rule]:
                if order.id not in state.handled[rule.id]:
                    groups[_cycle_key(order)].append((order.id, trigger_dates[order.id]))
            for key, group in groups.items():
                plan = plan_step(
                    step_rule,
                    group,
                    open_followup=state.open.get((rule.id, *key)),
                    last_touch=state.touches.get((rule.id, *key)),
                    dead=state.dead[rule.id],
                )
                if plan:
                    plans[rule, key] = plan
        return plans

    def _trigger_dates(self, trigger, orders, trigger_dates):
        trigger_dates = dict(trigger_dates or {})
        today = fields.Date.context_today(self.Followup)
        for order in orders:
            if order.id not in trigger_dates:
                trigger_dates[order.id] = (
                    fields.Date.context_today(order, order.date_order)
                    if trigger == "order_confirmed" and order.date_order
                    else today
                )
        return trigger_dates

    @staticmethod
    def _cycle_starts(trigger, orders, trigger_dates):
        """The cycles to lock; a confirmation restarts each from the customer's latest order of the batch."""
        starts = {}
        for order in orders:
            key = _cycle_key(order)
            if trigger != "order_confirmed":
                starts.setdefault(key, None)
            elif key not in starts or (trigger_dates[order.id], order.id) > (starts[key][1], starts[key][0]):
                starts[key] = (order.id, trigger_dates[order.id])
        return starts

    def _step_state(self, rules, orders):
        """What the rules already hold for the customers of ``orders``, in four queries, each on an index (one
        query with the conditions joined by OR made PostgreSQL scan the whole table: seconds on a large one).

        ``open``: the planned follow-up per (rule, customer, company); ``touches``: the last one done; ``handled``:
        per rule, the orders a follow-up already covers (running a trigger again plans nothing); ``dead``: per
        rule, the follow-ups cancelled together with their order, to plan again if the order starts one.
        """
        partners = orders.partner_id.commercial_partner_id
        state = _StepState()
        for followup in self.Followup.search_fetch(
            [("rule_id", "in", rules.ids), ("partner_id", "in", partners.ids), ("state", "=", "planned")],
            ["rule_id", "partner_id", "company_id", "trigger_date", "date_deadline"],
        ):
            key = (followup.rule_id.id, followup.partner_id.id, followup.company_id.id)
            state.open[key] = OpenFollowup(followup.id, followup.trigger_date or followup.date_deadline)
        for followup in self.Followup.search_fetch(
            [
                ("rule_id", "in", rules.ids),
                ("order_id", "in", orders.ids),
                ("state", "=", "cancelled"),
                ("cancel_reason", "=", "order"),
            ],
            ["rule_id", "order_id"],
        ):
            state.dead[followup.rule_id.id][followup.order_id.id] = followup.id
        for rule_id, order_id in self.env.execute_query(
            SQL(
                """SELECT followup.rule_id, rel.order_id
                     FROM olimp_followup_sale_order_rel AS rel
                     JOIN olimp_followup AS followup ON followup.id = rel.followup_id
                    WHERE rel.order_id = ANY(%s) AND followup.rule_id = ANY(%s)
                      AND (followup.state != 'cancelled' OR followup.cancel_reason IS DISTINCT FROM 'order')""",
                orders.ids,
                rules.ids,
            )
        ):
            state.handled[rule_id].add(order_id)
        # The last touch of each rule and customer: one row each, however long the history.
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (rule_id, partner_id, company_id) rule_id, partner_id, company_id, id, date_done
                     FROM olimp_followup
                    WHERE state = 'done' AND rule_id = ANY(%s) AND partner_id = ANY(%s)
                    ORDER BY rule_id, partner_id, company_id, date_done DESC, id DESC""",
                rules.ids,
                partners.ids,
            )
        )
        for rule_id, partner_id, company_id, followup_id, date_done in rows:
            state.touches[rule_id, partner_id, company_id] = Touch(followup_id, date_done)
        return state

    def _apply(self, plans, orders):
        """Write the plans of a batch: ended follow-ups, orders joined or covered, new follow-ups, activities.

        ``orders`` are the orders of the batch: records are taken from it, so that reading their fields (and their
        customers', salespeople's, teams') is one query for the batch, not one per follow-up.
        """
        order_of = {order.id: order for order in orders}
        ended = {followup_id: order_id for plan in plans.values() for followup_id, order_id in plan.ended.items()}
        joins = [(fid, oid) for plan in plans.values() for fid, order_ids in plan.joins.items() for oid in order_ids]
        covers = [(fid, oid) for plan in plans.values() for fid, order_ids in plan.covers.items() for oid in order_ids]
        # The open follow-ups to end or join are locked: one being done or changed by a user meanwhile makes this
        # transaction retry (and see it), never join an order to a follow-up that is no longer open.
        self.Followup.browse(list(ended) + [fid for fid, __ in joins])._lock_open()
        by_order = defaultdict(list)
        for followup_id, order_id in ended.items():
            by_order[order_id].append(followup_id)
        for order_id, followup_ids in by_order.items():
            self.Followup.browse(followup_ids).with_context(tracking_disable=True)._cancel(
                "new_order", ended_by=order_of[order_id]
            )
        self.Followup._add_orders(joins + covers)
        self.Followup.browse([fid for fid, __ in joins])._refresh_activity_texts()

        unassigned = defaultdict(list)
        vals_list, revive = [], []
        for (rule, (partner_id, company_id)), plan in plans.items():
            for new in plan.new:
                starter = order_of[new.starter]
                partner = starter.partner_id.commercial_partner_id
                user, order = self._new_responsible(rule, partner, [order_of[oid] for oid in new.order_ids])
                if not user:
                    unassigned[rule].append(starter.name)
                    continue
                vals = {
                    "user_id": user.id,
                    "team_id": (order.team_id or user.sale_team_id).id,
                    "manager_user_id": self._manager(user, starter.company_id).id,
                    "trigger_date": new.trigger_date,
                    "date_deadline": new.date_deadline,
                    "order_ids": list(new.order_ids),
                    **self._end_values(new),
                }
                if new.revive_id:
                    revive.append((self.Followup.browse(new.revive_id), vals))
                    continue
                vals.update(
                    {
                        "rule_id": rule.id,
                        "task_type": rule.task_type,
                        "partner_id": partner_id,
                        "order_id": new.starter,
                        "company_id": company_id,
                    }
                )
                vals_list.append(vals)
        self._warn_unassigned(unassigned, "orders")
        followups = self._create(vals_list) | self._revive(revive)
        followups = followups.filtered(lambda f: f.state == "planned")
        followups._create_due_activities()
        return followups

    @staticmethod
    def _end_values(new):
        """A follow-up planned and ended by a later order of the same batch is made cancelled at once."""
        if not new.ended_by:
            return {"state": "planned", "cancel_reason": False, "ended_by_order_id": False, "date_done": False}
        return {"state": "cancelled", "cancel_reason": "new_order", "ended_by_order_id": new.ended_by}

    def _new_responsible(self, rule, partner, orders):
        """The responsible of a new follow-up, from the order that starts it, else from the others it covers."""
        for order in orders:
            user = self._responsible(rule, partner, order=order)
            if user:
                return user, order
        return None, orders[0]

    def _revive(self, revive):
        """Follow-ups cancelled with their order, planned again now that the order is confirmed again."""
        revived = self.Followup
        for followup, vals in revive:
            followup.with_context(tracking_disable=True).write(dict(vals, order_ids=[Command.set(vals["order_ids"])]))
            revived |= followup
        return revived

    def _silent_rules_ended_by_orders(self):
        return self._rules("no_order").filtered("ends_on_new_order")

    def _end_silent_followups(self, rules, orders, trigger_dates):
        """A confirmed order ends the customer's open follow-ups of silence (rules ending on a new order) planned
        before it, in the order's company."""
        latest = {}
        for order in orders.sorted(lambda o: (trigger_dates[o.id], o.id)):
            latest[_cycle_key(order)] = order
        open_followups = self.Followup.search_fetch(
            [
                ("rule_id", "in", rules.ids),
                ("state", "=", "planned"),
                ("partner_id", "in", list({key[0] for key in latest})),
            ],
            ["partner_id", "company_id", "trigger_date"],
        )
        by_order = defaultdict(list)
        for followup in open_followups:
            order = latest.get((followup.partner_id.id, followup.company_id.id))
            if order and (not followup.trigger_date or trigger_dates[order.id] >= followup.trigger_date):
                by_order[order].append(followup.id)
        self.Followup.browse([fid for ids in by_order.values() for fid in ids])._lock_open()
        for order, followup_ids in by_order.items():
            self.Followup.browse(followup_ids).with_context(tracking_disable=True)._cancel("new_order", ended_by=order)

    # -- silent customers ----------------------------------------------------------------------------------------
    def schedule_no_order(self, rules=None, limit=None, today=None):
        """Reactivation follow-ups for the customers without order for the rule's number of days.

        Silence is counted per company: a rule of a company looks at the customer's orders in that company only,
        and a rule shared by all companies fires in each company where the customer stopped ordering, the
        follow-up belonging to that company (so that its sales people see it). One follow-up per (rule, customer,
        company, silent period): running it again the same period does nothing.

        :param rules: the ``no_order`` rules to run (default: all active ones)
        :param limit: at most this many follow-ups are made by one call
        :return: ``(follow-ups created, number of follow-ups still to make)``
        """
        today = today or fields.Date.context_today(self.Followup)
        rules = rules.with_env(self.env) if rules is not None else self._rules("no_order")
        rules = rules.filtered(lambda r: r.active and r.trigger == "no_order")
        Partner = self.env["res.partner"].with_context(active_test=True)
        candidates = {}
        for rule in rules:
            domain = expression.AND(
                [
                    rule._parsed_domain(),
                    [("olimp_last_order_date", "!=", False)],
                    [("company_id", "in", [rule.company_id.id, False])] if rule.company_id else [],
                ]
            )
            candidates[rule] = Partner.search(domain)
        last_orders = self._last_orders(Partner.union(*candidates.values()))
        companies_of = defaultdict(list)
        for partner_id, company_id in last_orders:
            companies_of[partner_id].append(company_id)
        todo = []
        for rule, partners in candidates.items():
            oldest = today - timedelta(days=rule.no_order_days)
            keys = {}
            for partner in partners:
                for company_id in [rule.company_id.id] if rule.company_id else companies_of[partner.id]:
                    last = last_orders.get((partner.id, company_id))
                    if last and last[0] <= oldest:
                        keys[partner, company_id] = period_key(last[0], today, rule.no_order_days)
            # Made for this period already, or still open from an earlier one (never two open per customer).
            done, still_open = set(), set()
            for followup in self.Followup.search_fetch(
                [
                    ("rule_id", "=", rule.id),
                    ("order_id", "=", False),
                    ("partner_id", "in", list({partner.id for partner, __ in keys})),
                    "|",
                    ("period_key", "in", list(set(keys.values()))),
                    ("state", "=", "planned"),
                ],
                ["partner_id", "company_id", "period_key", "state"],
            ):
                done.add((followup.partner_id.id, followup.company_id.id, followup.period_key))
                if followup.state == "planned":
                    still_open.add((followup.partner_id.id, followup.company_id.id))
            todo += [
                (rule, partner, company_id, key)
                for (partner, company_id), key in keys.items()
                if (partner.id, company_id, key) not in done and (partner.id, company_id) not in still_open
            ]
        # The longest silent first, as one batch of a cron run may not make them all.
        todo.sort(key=lambda item: (last_orders[item[1].id, item[2]][0], item[1].id, item[2], item[0].id))
        self._load_managers(
            Partner.union(*(partner for __, partner, __, __ in todo)).user_id.union(
                *(salesperson for __, salesperson in last_orders.values())
            )
            | rules.user_id
        )
        # Customers nobody is responsible for are left out before batching: they are not "remaining" work.
        ready = []
        unassigned = defaultdict(list)
        for rule, partner, company_id, key in todo:
            user = self._responsible(rule, partner, salesperson=last_orders[partner.id, company_id][1])
            if user:
                ready.append((rule, partner, company_id, key, user))
            else:
                unassigned[rule].append(partner.display_name)
        self._warn_unassigned(unassigned, "customers")
        batch = ready[:limit] if limit else ready
        Company = self.env["res.company"]
        vals_list = []
        for rule, partner, company_id, key, user in batch:
            vals_list.append(
                {
                    "rule_id": rule.id,
                    "task_type": rule.task_type,
                    "partner_id": partner.id,
                    "period_key": key,
                    "user_id": user.id,
                    "team_id": user.sale_team_id.id,
                    "manager_user_id": self._manager(user, Company.browse(company_id)).id,
                    "company_id": company_id,
                    "trigger_date": today,
                    "date_deadline": today + timedelta(days=rule.delay_days),
                }
            )
        followups = self._create(vals_list)
        followups._create_due_activities()
        return followups, len(ready) - len(batch)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _rules(self, trigger):
        return (
            self.env["olimp.followup.rule"]
            .with_context(active_test=True)
            .search([("trigger", "=", trigger)], order="sequence, delay_days, id")
        )

    def _matching(self, rule, orders):
        """Orders of ``orders`` in the rule's company that satisfy its conditions."""
        if rule.company_id:
            orders = orders.filtered(lambda order: order.company_id == rule.company_id)
        domain = rule._parsed_domain()
        if not orders or not domain:
            return orders
        matching = set(orders.search(expression.AND([[("id", "in", orders.ids)], domain]))._ids)
        return orders.filtered(lambda order: order.id in matching)

    def _responsible(self, rule, partner, order=None, salesperson=None):
        """Who does the follow-up, falling back to the salespeople and the team leader when nobody is set.

        For rules on silent customers (no order), the "order's salesperson" is the salesperson of the customer's
        last order (``salesperson``).
        """
        if order:
            salesperson, team = order.user_id, order.team_id
        else:
            salesperson = salesperson or partner.user_id
            team = (partner.user_id or salesperson).sale_team_id
        team_leader = team.user_id
        candidates = {
            "order_salesperson": salesperson,
            "partner_salesperson": partner.user_id,
            "team_leader": team_leader or self._manager(salesperson, order.company_id if order else None),
            "user": rule.user_id,
        }
        for user in (candidates[rule.responsible], salesperson, partner.user_id, candidates["team_leader"]):
            if user and user.active:
                return user
        return None

    def _load_managers(self, users):
        """Managers of ``users`` in the employee hierarchy, in one query: the team leader when there is no team."""
        self._managers = self.Followup._manager_users(users)

    def _last_orders(self, partners):
        """``{(commercial partner id, company id): (date of the last confirmed order, its salesperson)}``.

        One query for all ``partners`` (commercial entities), over their orders and their contacts'. The
        salesperson is that of the last order that has one (an empty recordset when none has).
        """
        if not partners:
            return {}
        dates, salespeople = {}, {}
        for partner, company, user, date_order in (
            self.env["sale.order"]
            .with_context(active_test=False)
            ._read_group(
                [("partner_id.commercial_partner_id", "in", partners.ids), ("state", "=", "sale")],
                ["partner_id", "company_id", "user_id"],
                ["date_order:max"],
            )
        ):
            if not date_order:
                continue
            key = (partner.commercial_partner_id.id, company.id)
            day = fields.Date.context_today(self.Followup, date_order)
            dates[key] = max(dates.get(key, day), day)
            if user and (key not in salespeople or date_order > salespeople[key][0]):
                salespeople[key] = (date_order, user)
        User = self.env["res.users"]
        return {key: (day, salespeople[key][1] if key in salespeople else User) for key, day in dates.items()}

    @staticmethod
    def _warn_unassigned(unassigned, what):
        for rule, names in unassigned.items():
            _logger.warning(
                "Follow-up rule %s (%s): nobody responsible for %s %s (%s), no follow-up scheduled.",
                rule.name,
                rule.id,
                len(names),
                what,
                ", ".join(names[:10]),
            )

    def _manager(self, user, company=None):
        """The manager of ``user`` (preferably as an employee of ``company``), from the loaded hierarchy."""
        if not user:
            return user
        return self._managers.get((user.id, company.id) if company else None) or self._managers.get(
            user.id, user.browse()
        )

    def _create(self, vals_list):
        """Create follow-ups, skipping those another transaction inserted meanwhile (see the module docstring)."""
        Followup = self.Followup.with_context(**QUIET_CREATE)
        return create_skipping_duplicates(Followup, vals_list, Followup._insert_scheduled, CONCURRENT_INSERT_ERRORS)
