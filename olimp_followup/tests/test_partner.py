from ast import literal_eval
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestPassport(FollowupCase):
    def test_completeness(self):
        customer = self.customer
        self.assertEqual((customer.olimp_passport_completeness, customer.olimp_passport_key_filled), (0, False))
        customer.write({"olimp_passport_needs": "Faster deliveries", "olimp_passport_products": "   "})
        self.assertEqual(customer.olimp_passport_completeness, 17)  # 1 of 6 (blank text does not count)
        customer.write(
            {
                "olimp_passport_decision_maker_id": self.contact.id,
                "olimp_passport_products": "Our service",
            }
        )
        self.assertEqual(customer.olimp_passport_completeness, 50)
        self.assertTrue(customer.olimp_passport_key_filled)
        self.contact.olimp_passport_role = "decision_maker"
        self.assertEqual(customer.olimp_passport_contact_ids, self.contact)
        customer.write({"olimp_passport_competitors": "Acme", "olimp_passport_purchase_cycle": "quarterly"})
        self.assertEqual(customer.olimp_passport_completeness, 100)

    def _fill(self, partner, reviewed_on):
        partner.write(
            {
                "olimp_passport_decision_maker_id": self.contact.id,
                "olimp_passport_needs": "Faster deliveries",
                "olimp_passport_products": "Our service",
                "olimp_passport_date": reviewed_on,
            }
        )

    @freeze_time("2025-06-30 12:00:00")
    def test_freshness_boundaries(self):
        self.company.olimp_passport_validity_days = 30
        Partner = self.env["res.partner"]
        self._fill(self.customer, date(2025, 5, 31))  # exactly 30 days ago: still up to date
        self._fill(self.customer_2, date(2025, 5, 30))  # 31 days ago: to review
        self.assertTrue(self.customer.olimp_passport_up_to_date)
        self.assertFalse(self.customer_2.olimp_passport_up_to_date)
        both = [("id", "in", (self.customer | self.customer_2).ids)]
        self.assertEqual(Partner.search([*both, ("olimp_passport_up_to_date", "=", True)]), self.customer)
        self.assertEqual(Partner.search([*both, ("olimp_passport_up_to_date", "=", False)]), self.customer_2)
        self.assertEqual(Partner.search([*both, ("olimp_passport_up_to_date", "!=", True)]), self.customer_2)

    @freeze_time("2025-06-30 12:00:00")
    def test_fresh_but_incomplete_is_not_up_to_date(self):
        self._fill(self.customer, date(2025, 6, 29))
        self.assertTrue(self.customer.olimp_passport_up_to_date)
        self.customer.olimp_passport_needs = False
        self.assertFalse(self.customer.olimp_passport_up_to_date)
        self.assertFalse(
            self.env["res.partner"].search([("id", "=", self.customer.id), ("olimp_passport_up_to_date", "=", True)])
        )

    @freeze_time("2025-06-30 12:00:00")
    def test_change_counts_as_review(self):
        self.customer.olimp_passport_competitors = "Acme"
        self.assertEqual(self.customer.olimp_passport_date, date(2025, 6, 30))
        self.customer_2.action_olimp_passport_reviewed()
        self.assertEqual(self.customer_2.olimp_passport_date, date(2025, 6, 30))


@tagged("post_install", "-at_install")
class TestRepeatOrder(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2025-01-10 10:00:00"):
            cls.order = cls._order(partner=cls.contact, confirm=True)

    def test_last_order_date_on_commercial_entity(self):
        self.assertEqual(self.customer.olimp_last_order_date, date(2025, 1, 10))
        self.assertFalse(self.contact.olimp_last_order_date)
        self.assertEqual(self.customer_2.olimp_reorder_state, "none")
        with freeze_time("2025-02-01 10:00:00"):
            self._order(confirm=True)
            self._order()  # a quotation is not an order
        self.assertEqual(self.customer.olimp_last_order_date, date(2025, 2, 1))

    def test_cancelled_order_does_not_count(self):
        with freeze_time("2025-02-01 10:00:00"):
            order = self._order(confirm=True)
        order._action_cancel()
        self.assertEqual(self.customer.olimp_last_order_date, date(2025, 1, 10))

    def test_states_at_their_boundaries(self):
        # Expected next order: 2025-01-10 + 90 days = 2025-04-10; due from 14 days before it.
        Partner = self.env["res.partner"]
        expected = date(2025, 4, 10)
        cases = [
            (expected - timedelta(days=15), "ok"),
            (expected - timedelta(days=14), "due"),
            (expected, "due"),
            (expected + timedelta(days=1), "overdue"),
        ]
        for today, state in cases:
            with self.subTest(today=today), freeze_time(today):
                self.customer.invalidate_recordset(["olimp_reorder_state", "olimp_next_order_date"])
                self.assertEqual(self.customer.olimp_next_order_date, expected)
                self.assertEqual(self.customer.olimp_reorder_state, state)
                found = Partner.search([("id", "=", self.customer.id), ("olimp_reorder_state", "=", state)])
                self.assertEqual(found, self.customer)
                others = [s for s in ("none", "ok", "due", "overdue") if s != state]
                self.assertFalse(Partner.search([("id", "=", self.customer.id), ("olimp_reorder_state", "in", others)]))
                self.assertEqual(
                    Partner.search([("id", "=", self.customer.id), ("olimp_reorder_state", "not in", others)]),
                    self.customer,
                )

    def test_state_search_includes_customers_without_order(self):
        Partner = self.env["res.partner"]
        pair = [("id", "in", (self.customer | self.customer_2).ids)]
        with freeze_time("2025-01-20"):
            self.assertEqual(Partner.search([*pair, ("olimp_reorder_state", "!=", "ok")]), self.customer_2)
            self.assertEqual(Partner.search([*pair, ("olimp_reorder_state", "=", "none")]), self.customer_2)
            self.assertEqual(Partner.search([*pair, ("olimp_next_order_date", "=", date(2025, 4, 10))]), self.customer)

    def test_rhythm_follows_the_no_order_rule(self):
        self._rule(trigger="no_order", no_order_days=30)
        with freeze_time("2025-02-05"):
            self.customer.invalidate_recordset(["olimp_reorder_state", "olimp_next_order_date"])
            self.assertEqual(self.customer.olimp_next_order_date, date(2025, 2, 9))
            self.assertEqual(self.customer.olimp_reorder_state, "due")

    def test_due_list_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_followup.res_partner_action_reorder")
        with freeze_time("2025-04-01"):
            due = self.env["res.partner"].search(literal_eval(action["domain"]))
        self.assertIn(self.customer, due)
        self.assertNotIn(self.customer_2, due)


@tagged("post_install", "-at_install")
class TestNoOrderRule(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2025-01-10 10:00:00"):
            cls._order(partner=cls.customer, confirm=True)
            cls._order(partner=cls.customer_2, user=cls.salesman_2, confirm=True)
        with freeze_time("2025-03-01 10:00:00"):
            cls.third = cls.env["res.partner"].create({"name": "Recent Customer", "user_id": cls.salesman.id})
            cls._order(partner=cls.third, confirm=True)
        cls.rule = cls._rule(
            name="Reactivate",
            trigger="no_order",
            no_order_days=90,
            delay_days=2,
            task_type="reorder",
            responsible="partner_salesperson",
        )

    def test_silent_customers_get_a_reactivation_followup(self):
        with freeze_time("2025-04-09"):  # 89 days of silence
            created, remaining = self.Followup._schedule_no_order()
        self.assertFalse(created)
        self.assertEqual(remaining, 0)
        with freeze_time("2025-04-10"):  # 90 days
            created, remaining = self.Followup._schedule_no_order()
        self.assertEqual(created.partner_id, self.customer | self.customer_2)
        followup = created.filtered(lambda f: f.partner_id == self.customer)
        self.assertRecordValues(
            followup,
            [
                {
                    "rule_id": self.rule.id,
                    "order_id": False,
                    "task_type": "reorder",
                    "period_key": "2025-01-10/1",
                    "user_id": self.salesman_2.id,
                    "trigger_date": date(2025, 4, 10),
                    "date_deadline": date(2025, 4, 12),
                }
            ],
        )
        activity = followup.activity_id
        self.assertRecordValues(
            activity, [{"res_model": "res.partner", "res_id": self.customer.id, "user_id": self.salesman_2.id}]
        )
        # Customer 2 has no salesperson: the salesperson of its last order does the follow-up.
        self.assertEqual(created.filtered(lambda f: f.partner_id == self.customer_2).user_id, self.salesman_2)

    def test_nobody_responsible_is_skipped_not_remaining(self):
        with freeze_time("2025-01-10 10:00:00"):
            orphan = self.env["res.partner"].create({"name": "Orphan Customer"})
            self._order(partner=orphan, user=self.env["res.users"], team=self.env["crm.team"], confirm=True)
        with (
            freeze_time("2025-04-10"),
            self.assertLogs("odoo.addons.olimp_followup.services.followup_scheduler", "WARNING") as logs,
        ):
            created, remaining = self.Followup._schedule_no_order(limit=5)
        self.assertIn("nobody responsible for 1 customers (Orphan Customer)", logs.output[0])
        self.assertNotIn(orphan, created.partner_id)
        self.assertEqual(remaining, 0)

    def test_rerun_is_idempotent_within_the_period(self):
        with freeze_time("2025-04-10"):
            first, __ = self.Followup._schedule_no_order()
        with freeze_time("2025-05-20"):
            again, __ = self.Followup._schedule_no_order()
        self.assertTrue(first)
        self.assertFalse(again)
        # Still open at the next period: never two open follow-ups of a rule for one customer.
        open_one = first.filtered(lambda f: f.partner_id == self.customer_2)
        with freeze_time("2025-05-20"):
            (first - open_one).action_done()
        with freeze_time("2025-07-09"):  # 180 days: the next period
            next_period, __ = self.Followup._schedule_no_order()
        self.assertNotIn(self.customer_2, next_period.partner_id)
        same_customers = next_period.filtered(lambda f: f.partner_id in first.partner_id)
        self.assertEqual(same_customers.partner_id, self.customer)
        self.assertEqual(set(same_customers.mapped("period_key")), {"2025-01-10/2"})
        # The third customer, silent since March, reaches its first period.
        self.assertEqual((next_period - same_customers).mapped("period_key"), ["2025-03-01/1"])
        # Done, the open one lets the rule plan the next period's.
        with freeze_time("2025-07-10"):
            open_one.action_done()
            later, __ = self.Followup._schedule_no_order()
        self.assertEqual(later.partner_id, self.customer_2)

    def test_new_order_starts_a_new_period(self):
        with freeze_time("2025-04-10"):
            created, __ = self.Followup._schedule_no_order()
        reactivation = created.filtered(lambda f: f.partner_id == self.customer)
        with freeze_time("2025-04-15 10:00:00"):
            order = self._order(partner=self.customer, confirm=True)
        # The order is what the reactivation was for: it ends it, with the order as the reason.
        self.assertRecordValues(
            reactivation,
            [{"state": "cancelled", "cancel_reason": "new_order", "ended_by_order_id": order.id, "activity_id": False}],
        )
        self.assertEqual(reactivation.cancel_description, f"Repeat order {order.name} received")
        with freeze_time("2025-05-20"):
            created, __ = self.Followup._schedule_no_order()
        self.assertNotIn(self.customer, created.partner_id)
        with freeze_time("2025-07-14"):
            created, __ = self.Followup._schedule_no_order()
        self.assertEqual(created.filtered(lambda f: f.partner_id == self.customer).period_key, "2025-04-15/1")

    def test_conditions_on_customers(self):
        self.rule.domain = f"[('user_id', '=', {self.salesman_2.id})]"
        with freeze_time("2025-04-10"):
            created, __ = self.Followup._schedule_no_order()
        self.assertEqual(created.partner_id, self.customer)

    def test_cron_batches_with_progress(self):
        with freeze_time("2025-07-01"):
            created, remaining = self.Followup._schedule_no_order(limit=1)
            self.assertEqual((len(created), remaining), (1, 2))
            self.Followup._cron_schedule_no_order(batch_size=2)
            created, remaining = self.Followup._schedule_no_order(limit=1)
        self.assertEqual((len(created), remaining), (0, 0))
        self.assertEqual(
            self.Followup.search([("rule_id", "=", self.rule.id)]).partner_id,
            self.customer | self.customer_2 | self.third,
        )

    def test_archived_rule_does_not_run(self):
        self.rule.active = False
        with freeze_time("2025-07-01"):
            created, __ = self.Followup._schedule_no_order()
        self.assertFalse(created)


@tagged("post_install", "-at_install")
class TestMeetingProtocol(FollowupCase):
    def test_protocol_fields(self):
        event = self.env["calendar.event"].create(
            {
                "name": "Review",
                "user_id": self.salesman.id,
                "start": "2025-03-10 09:00:00",
                "stop": "2025-03-10 10:00:00",
                "partner_ids": [Command.set([self.salesman.partner_id.id, self.contact.id])],
            }
        )
        self.assertEqual(event.olimp_partner_id, self.customer)
        self.assertFalse(event.olimp_has_protocol)
        event.write({"olimp_protocol": "<p><br></p>"})
        self.assertFalse(event.olimp_has_protocol)
        event.write({"olimp_protocol": "<p>Agreed on a pilot.</p>", "olimp_next_step": "Send the quotation"})
        self.assertTrue(event.olimp_has_protocol)
        event.action_olimp_mark_held()
        self.assertTrue(event.olimp_held)
        # The customer chosen by hand stays.
        event.olimp_partner_id = self.customer_2
        event.partner_ids = [Command.link(self.customer.id)]
        self.assertEqual(event.olimp_partner_id, self.customer_2)
