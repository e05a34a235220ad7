"""The regulation follows the customer: one open follow-up per step, whatever the number of orders.

A customer's orders join the open follow-up of a rule; a new order ends the steps it fulfils (repeat-order
reminder, favourable terms) and the rule starts over from it; a touch covers the orders placed before it (minimum
interval); activities appear on the customer a few days before their deadline, and "on time" means within that
window.
"""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import FollowupCase

STEPS = ["feedback", "support", "needs", "offer", "reorder"]


@tagged("post_install", "-at_install")
class TestCustomerCycle(FollowupCase):
    def _regulation(self):
        """The default regulation of the article: feedback 3, help 14, needs 30, offer 60, reorder 80 days."""
        rules = self.Rule.browse([self.env.ref(f"olimp_followup.rule_{step}").id for step in STEPS])
        rules.write({"active": True})
        return {rule.task_type: rule for rule in rules}

    def _order_on(self, day, partner=None, user=None):
        with freeze_time(f"{day} 10:00:00"):
            return self._order(partner=partner, user=user, confirm=True)

    def _of(self, rule, partner=None):
        return self.Followup.search(
            [("rule_id", "=", rule.id), ("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def test_four_orders_in_a_week(self):
        """Orders on days 2, 4, 6 and 9: at most one planned follow-up per step, and one activity, on the customer."""
        rules = self._regulation()
        orders = self.env["sale.order"]
        for day in ("2025-03-02", "2025-03-04", "2025-03-06", "2025-03-09"):
            orders |= self._order_on(day)
        first, last = orders[0], orders[-1]
        planned = self.Followup.search([("partner_id", "=", self.customer.id), ("state", "=", "planned")])
        self.assertEqual(len(planned), 5)
        self.assertEqual(planned.rule_id, self.Rule.concat(*rules.values()))
        for step in ("feedback", "support", "needs"):
            followup = planned.filtered(lambda f, step=step: f.task_type == step)
            # One call about all four orders, counted from the first one.
            self.assertEqual(followup.order_ids, orders, step)
            self.assertEqual(followup.order_id, first, step)
        for step, days in (("offer", 60), ("reorder", 80)):
            followups = self._of(rules[step])
            followup = followups.filtered(lambda f: f.state == "planned")
            # Counted from the latest order; the earlier ones ended by the order after them.
            self.assertEqual((followup.order_id, followup.trigger_date), (last, date(2025, 3, 9)), step)
            self.assertEqual((followup.date_deadline - date(2025, 3, 9)).days, days)
            ended = followups - followup
            self.assertEqual(ended.mapped("cancel_reason"), ["new_order"] * 3)
            self.assertEqual(ended.mapped("ended_by_order_id").ids, orders[1:].ids)
            self.assertEqual(ended[0].cancel_description, f"Repeat order {orders[1].name} received")
        # Only the feedback call is due within a week: one activity, on the customer, none on the orders.
        activities = self._activities(self.customer)
        self.assertEqual(activities, planned.filtered(lambda f: f.task_type == "feedback").activity_id)
        self.assertFalse(self._activities(orders))
        for order in orders:
            self.assertIn(order.name, activities.note)
        self.assertEqual(first.olimp_followup_count, 3 + 2)  # the three steps it shares, and the two it started

    def test_a_repeat_order_moves_the_reminder(self):
        rules = self._regulation()
        first = self._order_on("2025-01-01")
        reminder = self._of(rules["reorder"])
        self.assertEqual(reminder.date_deadline, date(2025, 3, 22))
        second = self._order_on("2025-03-01")  # day 59
        self.assertRecordValues(
            reminder, [{"state": "cancelled", "cancel_reason": "new_order", "ended_by_order_id": second.id}]
        )
        self.assertEqual(reminder.cancel_description, f"Repeat order {second.name} received")
        new = self._of(rules["reorder"]) - reminder
        self.assertRecordValues(new, [{"state": "planned", "order_id": second.id, "date_deadline": date(2025, 5, 20)}])
        # The favourable terms too; the steps about the purchase itself go on.
        self.assertEqual(self._of(rules["offer"]).mapped("state"), ["cancelled", "planned"])
        self.assertEqual(self._of(rules["needs"]).order_ids, first | second)
        self.assertEqual(self.customer.olimp_cycle_order, second.name)

    def test_an_earlier_order_joins_instead_of_ending(self):
        """An order dated before the open follow-up's start (entered late) does not restart the cycle."""
        rules = self._regulation()
        latest = self._order_on("2025-03-10")
        earlier = self._order()
        earlier.write({"state": "sale"})  # confirmed without firing the triggers: the test fires them
        with freeze_time("2025-03-12 10:00:00"):
            self.Followup._schedule_orders("order_confirmed", earlier, {earlier.id: date(2025, 3, 5)})
        reminder = self._of(rules["reorder"])
        self.assertEqual(len(reminder), 1)
        self.assertEqual((reminder.order_id, reminder.order_ids), (latest, latest | earlier))

    def test_a_touch_covers_the_orders_before_the_minimum_interval(self):
        rule = self._rule(delay_days=3, min_interval_days=30)
        first = self._order_on("2025-03-01")
        followup = first.olimp_followup_ids
        second = self._order_on("2025-03-02")
        self.assertEqual(followup.order_ids, first | second, "joined while open")
        self.assertIn(second.name, followup.activity_id.note)
        self.assertEqual(followup.activity_id.summary, f"Feedback call · {first.name}, {second.name}")
        with freeze_time("2025-03-04 10:00:00"):
            followup.action_done(feedback="Both fine")
        # Due on the 8th, 4 days after the touch: covered by it, nothing new to do.
        third = self._order_on("2025-03-05")
        self.assertEqual(self._of(rule), followup)
        self.assertEqual(followup.order_ids, first | second | third)
        self.assertEqual(third.olimp_followup_ids, followup)
        # A month after the touch: the next one.
        fourth = self._order_on("2025-04-05")
        self.assertEqual(len(self._of(rule)), 2)
        self.assertEqual(fourth.olimp_followup_ids.state, "planned")

    def test_default_interval_plans_the_next_touch(self):
        """By default (the rule's delay) an order placed after the touch gets its own follow-up."""
        rule = self._rule(delay_days=3)
        self.assertEqual(rule.min_interval_days, 3)
        first = self._order_on("2025-03-01")
        with freeze_time("2025-03-04 10:00:00"):
            first.olimp_followup_ids.action_done()
        second = self._order_on("2025-03-05")
        self.assertEqual(len(self._of(rule)), 2)
        self.assertEqual(second.olimp_followup_ids.order_ids, second)
        rule.delay_days = 10
        self.assertEqual(rule.min_interval_days, 10, "follows the delay unless set")

    def test_rules_say_whether_a_new_order_ends_them(self):
        rules = self._regulation()
        self.assertEqual(
            {step: rule.ends_on_new_order for step, rule in rules.items()},
            {"feedback": False, "support": False, "needs": False, "offer": True, "reorder": True},
        )
        self.assertTrue(self.env.ref("olimp_followup.rule_reactivation").ends_on_new_order)
        rules["reorder"].ends_on_new_order = False
        self._order_on("2025-01-01")
        second = self._order_on("2025-03-01")
        reminder = self._of(rules["reorder"])
        self.assertEqual(len(reminder), 1)
        self.assertIn(second, reminder.order_ids)

    def test_activity_appears_a_week_before_the_deadline(self):
        rule = self._rule(name="Needs", delay_days=30)
        order = self._order_on("2025-03-10")
        followup = order.olimp_followup_ids
        self.assertRecordValues(followup, [{"date_deadline": date(2025, 4, 9), "date_activity": date(2025, 4, 2)}])
        self.assertFalse(followup.activity_id)
        with freeze_time("2025-04-01 01:00:00"):
            self.Followup._cron_create_activities()
        self.assertFalse(followup.activity_id)
        with freeze_time("2025-04-02 01:00:00"):
            self.Followup._cron_create_activities()
            self.Followup._cron_create_activities()
        self.assertEqual(self._activities(self.customer), followup.activity_id)
        self.assertRecordValues(
            followup.activity_id,
            [{"res_model": "res.partner", "date_deadline": date(2025, 4, 9), "user_id": self.salesman.id}],
        )
        # 0 days: on the day of the deadline.
        rule.activity_lead_days = 0
        later = self._order_on("2025-05-10", partner=self.customer_2)
        self.assertEqual(later.olimp_followup_ids.date_activity, date(2025, 6, 9))

    def test_cron_in_batches(self):
        self._rule(delay_days=10)
        customers = self.env["res.partner"].create([{"name": f"Cron customer {index}"} for index in range(5)])
        with freeze_time("2025-03-01 10:00:00"):
            orders = self.env["sale.order"].concat(*(self._order(partner=customer) for customer in customers))
            orders.action_confirm()
        followups = orders.olimp_followup_ids
        self.assertFalse(followups.activity_id)
        with freeze_time("2025-03-04 01:00:00"):
            self.Followup._cron_create_activities(batch_size=3)
            self.assertEqual(len(followups.activity_id), 3)
            self.Followup._cron_create_activities(batch_size=3)
        self.assertEqual(len(followups.activity_id), 5)
        self.assertEqual(len(self._activities(customers)), 5)

    def test_a_longer_lead_time_shows_the_planned_activities_at_once(self):
        rule = self._rule(delay_days=30)
        order = self._order_on("2025-03-10")
        followup = order.olimp_followup_ids
        with freeze_time("2025-03-20 10:00:00"):
            rule.activity_lead_days = 21
        self.assertEqual(followup.date_activity, date(2025, 3, 19))
        self.assertTrue(followup.activity_id)

    def test_on_time_means_within_the_window(self):
        rule = self._rule(delay_days=30)  # window: 7 days before the deadline of April 9
        customers = self.env["res.partner"].create([{"name": f"Window customer {index}"} for index in range(3)])
        with freeze_time("2025-03-10 10:00:00"):
            orders = self.env["sale.order"].concat(*(self._order(partner=customer) for customer in customers))
            orders.action_confirm()
        early, in_window, late = (order.olimp_followup_ids for order in orders)
        # Marked done a month before its step: possible, visible, not on time.
        with freeze_time("2025-03-12 10:00:00"):
            wizard = Form(
                self.env["olimp.followup.done.wizard"]
                .with_user(self.salesman)
                .with_context(default_followup_ids=early.ids)
            )
            self.assertEqual(wizard.early_count, 1)
            wizard.feedback = "Called early"
            wizard.save().action_confirm()
        with freeze_time("2025-04-05 10:00:00"):
            self.Followup._cron_create_activities()
            in_window.activity_id.with_user(self.salesman).action_done()
        with freeze_time("2025-04-10 10:00:00"):
            late.with_user(self.salesman).action_done()
        self.assertRecordValues(
            early | in_window | late,
            [
                {"state": "done", "on_time": False, "done_early": True, "is_overdue": False},
                {"state": "done", "on_time": True, "done_early": False, "is_overdue": False},
                {"state": "done", "on_time": False, "done_early": False, "is_overdue": True},
            ],
        )
        # The customer's chatter tells it, although the activity had not appeared yet.
        self.assertIn("Called early", customers[0].message_ids[0].body)
        # Team leaders see the early ones apart.
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action")
        self.assertIn("search_default_group_partner", action["context"])
        found = self.Followup.with_user(self.leader).search([("done_early", "=", True), ("rule_id", "=", rule.id)])
        self.assertEqual(found, early)

    def test_cancelled_order_leaves_the_followups_it_shared(self):
        rules = self._regulation()
        first = self._order_on("2025-03-01")
        second = self._order_on("2025-03-03")
        support = self._of(rules["support"])
        reminder = self._of(rules["reorder"]).filtered(lambda f: f.state == "planned")
        ended = self._of(rules["reorder"]) - reminder
        self.assertEqual(support.order_ids, first | second)
        first._action_cancel()
        # The shared step goes on for the other order, counted from it.
        self.assertRecordValues(support, [{"state": "planned", "order_id": second.id}])
        self.assertEqual(support.order_ids, second)
        second._action_cancel()
        self.assertRecordValues(support, [{"state": "cancelled", "cancel_reason": "order"}])
        self.assertEqual(reminder.state, "cancelled")
        # The reminder the second order had ended is not planned again: its own order is cancelled too.
        self.assertEqual(ended.state, "cancelled")
        # Confirmed again, the second order gets its follow-ups back.
        second.action_draft()
        with freeze_time("2025-03-05 10:00:00"):
            second.action_confirm()
        self.assertEqual(support.state, "planned")
        self.assertEqual(reminder.state, "planned")

    def test_cancelling_the_order_that_ended_a_step_plans_it_again(self):
        rules = self._regulation()
        self._order_on("2025-03-01")
        second = self._order_on("2025-03-20")
        reminders = self._of(rules["reorder"])
        self.assertEqual(reminders.mapped("state"), ["cancelled", "planned"])
        second._action_cancel()
        self.assertEqual(reminders.mapped("state"), ["planned", "cancelled"])
        self.assertFalse(reminders[0].ended_by_order_id)

    def test_deleting_a_cancelled_order_removes_its_followups_and_their_activities(self):
        self._rule()
        order = self._order_on("2025-03-01")
        self.assertTrue(self._activities(self.customer))
        order._action_cancel()
        order.unlink()
        self.assertFalse(self.Followup.search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self._activities(self.customer))

    def test_customer_cycle_at_a_glance(self):
        rules = self._regulation()
        order = self._order_on("2025-03-01", partner=self.contact)
        with freeze_time("2025-03-02"):
            customer = self.customer.with_user(self.salesman)
            self.assertEqual(customer.olimp_next_step_date, date(2025, 3, 4))
            self.assertEqual(customer.olimp_next_step, f"{rules['feedback'].name} · {order.name} (Sam Seller)")
            self.assertEqual(customer.olimp_cycle_order, order.name)
            self.assertEqual(customer.olimp_last_order_date, date(2025, 3, 1))
            self.assertEqual(customer.olimp_next_order_date, date(2025, 5, 30))
            # The contact who ordered shows its company's cycle.
            self.assertEqual(self.contact.olimp_next_step_date, date(2025, 3, 4))
        cycle = self.env["olimp.followup.cycle"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(cycle, [{"order_id": order.id, "date_start": date(2025, 3, 1)}])
        form = self.customer.with_user(self.salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="olimp_next_step"', form)

    def test_followups_grouped_by_customer(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.olimp_followup_action_my")
        self.assertIn("search_default_group_partner", action["context"])
        self._rule()
        self._order_on("2025-03-01")
        self._order_on("2025-03-01", partner=self.customer_2)
        groups = self.Followup.with_user(self.salesman).read_group([], ["partner_id"], ["partner_id"])
        self.assertEqual({group["partner_id"][0] for group in groups}, {self.customer.id, self.customer_2.id})

    def test_orders_of_another_company_have_their_own_cycle(self):
        rule = self._rule()
        other = self.env["res.company"].create({"name": "Cycle Company B"})
        self.salesman.write({"company_ids": [Command.link(other.id)]})
        mine = self._order_on("2025-03-01")
        with freeze_time("2025-03-02 10:00:00"):
            theirs = (
                self.env["sale.order"]
                .with_company(other)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "user_id": self.salesman.id,
                        "company_id": other.id,
                        "order_line": [Command.create({"product_id": self.product.id, "tax_id": [Command.clear()]})],
                    }
                )
            )
            theirs.action_confirm()
        followups = self._of(rule)
        self.assertEqual(len(followups), 2)
        self.assertEqual({f.company_id: f.order_ids for f in followups}, {self.company: mine, other: theirs})
        self.assertEqual(len(self.env["olimp.followup.cycle"].search([("partner_id", "=", self.customer.id)])), 2)
