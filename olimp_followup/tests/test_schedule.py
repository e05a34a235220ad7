from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestSchedule(FollowupCase):
    @freeze_time("2025-03-10 10:00:00")
    def test_order_confirmed(self):
        rule = self._rule(delay_days=3)
        order = self._order()
        order.with_user(self.salesman).action_confirm()
        followup = order.olimp_followup_ids
        self.assertEqual(len(followup), 1)
        self.assertRecordValues(
            followup,
            [
                {
                    "rule_id": rule.id,
                    "task_type": "feedback",
                    "partner_id": self.customer.id,
                    "order_id": order.id,
                    "user_id": self.salesman.id,
                    "team_id": self.team.id,
                    "manager_user_id": self.manager.id,
                    "trigger_date": date(2025, 3, 10),
                    "date_deadline": date(2025, 3, 13),
                    "date_activity": date(2025, 3, 10),  # 7 days before the deadline, not before the trigger
                    "state": "planned",
                    "is_overdue": False,
                    "on_time": False,
                    "done_early": False,
                }
            ],
        )
        self.assertEqual(followup.order_ids, order)
        # Post-sale work is about the customer: the activity is on the customer and names the order, with a link;
        # the order's own activities stay Odoo's.
        activity = followup.activity_id
        self.assertFalse(self._activities(order))
        self.assertEqual(self._activities(self.customer), activity)
        self.assertRecordValues(
            activity,
            [
                {
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "date_deadline": date(2025, 3, 13),
                    "summary": f"Feedback call · {order.name}",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "automated": True,
                }
            ],
        )
        self.assertIn("How do you like it?", activity.note)
        self.assertIn(f'<a href="/odoo/sale.order/{order.id}">{order.name}</a>', activity.note)
        # A standard activity: it is in the salesperson's activities of contacts.
        self.assertIn(activity, self.customer.with_user(self.salesman).activity_ids)
        self.assertEqual(order.olimp_followup_count, 1)
        self.assertEqual(self.customer.olimp_followup_count, 1)

    @freeze_time("2025-03-10 10:00:00")
    def test_contact_order_belongs_to_commercial_partner(self):
        self._rule()
        order = self._order(partner=self.contact, confirm=True)
        self.assertEqual(order.olimp_followup_ids.partner_id, self.customer)

    @freeze_time("2025-03-10 10:00:00")
    def test_deadline_of_each_step(self):
        for delay in (0, 3, 14, 30, 60, 80):
            self._rule(name=f"Step {delay}", delay_days=delay)
        order = self._order(confirm=True)
        followups = order.olimp_followup_ids.sorted("date_deadline")
        self.assertEqual(
            followups.mapped("date_deadline"),
            [date(2025, 3, 10), date(2025, 3, 13), date(2025, 3, 24), date(2025, 4, 9), date(2025, 5, 9)]
            + [date(2025, 5, 29)],
        )
        # Planned at once, but only the steps due within a week have their activity yet.
        self.assertEqual(self._activities(self.customer), followups[:2].activity_id)
        self.assertEqual(len(followups.activity_id), 2)

    def test_responsible_types(self):
        rules = {
            "order_salesperson": self._rule(name="R1", responsible="order_salesperson"),
            "partner_salesperson": self._rule(name="R2", responsible="partner_salesperson"),
            "team_leader": self._rule(name="R3", responsible="team_leader"),
            "user": self._rule(name="R4", responsible="user", user_id=self.admin.id),
        }
        order = self._order(confirm=True)
        users = {f.rule_id: f.user_id for f in order.olimp_followup_ids}
        self.assertEqual(users[rules["order_salesperson"]], self.salesman)
        self.assertEqual(users[rules["partner_salesperson"]], self.salesman_2)
        self.assertEqual(users[rules["team_leader"]], self.leader)
        self.assertEqual(users[rules["user"]], self.admin)
        activity_users = {a.summary.split(" · ")[0]: a.user_id for a in self._activities(self.customer)}
        self.assertEqual(
            activity_users, {"R1": self.salesman, "R2": self.salesman_2, "R3": self.leader, "R4": self.admin}
        )

    def test_team_leader_falls_back_to_employee_manager(self):
        rule = self._rule(responsible="team_leader")
        order = self._order(team=self.env["crm.team"], confirm=True)
        self.assertFalse(order.team_id.user_id)
        self.assertEqual(order.olimp_followup_ids.filtered(lambda f: f.rule_id == rule).user_id, self.manager)

    def test_missing_responsible_falls_back_to_salesperson(self):
        self._rule(responsible="partner_salesperson")
        order = self._order(partner=self.customer_2, confirm=True)
        self.assertFalse(self.customer_2.user_id)
        self.assertEqual(order.olimp_followup_ids.user_id, self.salesman)

    def test_nobody_responsible(self):
        self._rule(responsible="partner_salesperson")
        order = self._order(partner=self.customer_2, user=self.env["res.users"], team=self.env["crm.team"])
        with self.assertLogs("odoo.addons.olimp_followup.services.followup_scheduler", "WARNING") as logs:
            order.action_confirm()
        self.assertIn("nobody responsible", logs.output[0])
        self.assertFalse(order.olimp_followup_ids)

    def test_conditions(self):
        big = self._rule(name="Big orders", domain="[('amount_untaxed', '>=', 1000)]")
        everyone = self._rule(name="Every order")
        small_order = self._order(amount=100)
        big_order = self._order(amount=5000)
        (small_order | big_order).action_confirm()
        self.assertEqual(small_order.olimp_followup_ids.rule_id, everyone)
        self.assertEqual(big_order.olimp_followup_ids.rule_id, big | everyone)

    def test_rule_company(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        self._rule(company_id=other_company.id)
        order = self._order(confirm=True)
        self.assertFalse(order.olimp_followup_ids)

    def test_archived_rule_does_not_fire(self):
        self._rule(active=False)
        self.assertFalse(self._order(confirm=True).olimp_followup_ids)

    def test_trigger_twice_no_duplicate(self):
        self._rule()
        self._rule(name="Invoice paid", trigger="invoice_paid")
        order = self._order(confirm=True)
        first = order.olimp_followup_ids
        again = self.Followup._schedule_orders("order_confirmed", order)
        self.assertFalse(again)
        self.Followup._schedule_orders("order_confirmed", order | order)
        self.assertEqual(order.olimp_followup_ids, first)
        self.assertEqual(len(self._activities(self.customer)), 1)

    def test_batch_confirmation(self):
        self._rule(name="A")
        self._rule(name="B", delay_days=10)
        customers = self.env["res.partner"].create([{"name": f"Batch customer {index}"} for index in range(4)])
        orders = self.env["sale.order"].concat(*(self._order(partner=customer) for customer in customers))
        orders |= self._order(partner=customers[0])  # a customer's second order joins its follow-ups
        orders.action_confirm()
        followups = orders.olimp_followup_ids
        self.assertEqual(len(followups), 8)
        self.assertEqual(len(followups.filtered(lambda f: len(f.order_ids) == 2)), 2)
        # B is due in 10 days: its activities appear in 3 days.
        self.assertEqual(followups.activity_id, followups.filtered(lambda f: f.rule_id.name == "A").activity_id)
        self.assertEqual(len(self._activities(customers)), 4)
        self.assertEqual(set(followups.activity_id.mapped("res_id")), set(customers.ids))

    def test_several_rules_for_a_customer_nobody_follows(self):
        """A customer made without tracking (an import) has no follower: the salesperson is subscribed once."""
        for name in ("A", "B", "C"):
            self._rule(name=name)
        order = self._order()
        self.customer.message_unsubscribe(partner_ids=self.customer.message_partner_ids.ids)
        self.assertFalse(self.customer.message_partner_ids)
        order.with_context(tracking_disable=True).action_confirm()
        self.assertEqual(len(order.olimp_followup_ids), 3)
        self.assertEqual(len(self._activities(self.customer)), 3)
        followers = self.customer.message_follower_ids.filtered(lambda f: f.partner_id == self.salesman.partner_id)
        self.assertEqual(len(followers), 1)

    def test_two_no_order_rules_reach_a_customer_nobody_follows(self):
        """Two 'No order' rules reach the same customer in one scan, for a salesperson who does not follow it."""
        with freeze_time("2025-01-10 10:00:00"):
            self._order(confirm=True)
        self._rule(name="Silent 60", trigger="no_order", no_order_days=60, responsible="partner_salesperson")
        self._rule(name="Silent 90", trigger="no_order", no_order_days=90, responsible="partner_salesperson")
        self.customer.message_unsubscribe(partner_ids=self.salesman_2.partner_id.ids)
        with freeze_time("2025-06-01"):
            created, __ = self.Followup._schedule_no_order()
        reactivations = created.filtered(lambda f: f.partner_id == self.customer)
        self.assertEqual(len(reactivations.activity_id), 2)
        self.assertEqual(reactivations.user_id, self.salesman_2)
        followers = self.customer.message_follower_ids.filtered(lambda f: f.partner_id == self.salesman_2.partner_id)
        self.assertEqual(len(followers), 1)

    def test_queries_do_not_grow_with_orders(self):
        self._rule(name="A", domain="[('amount_untaxed', '>', 0)]")
        self._rule(name="B", responsible="team_leader")
        self._rule(name="C", responsible="partner_salesperson")

        def count_queries(customers, expected):
            orders = self.env["sale.order"].browse([self._order(customer).id for customer in customers])
            orders.write({"state": "sale"})
            self.env.invalidate_all()
            self.env.flush_all()
            orders = orders.browse(orders.ids)
            before = self.cr.sql_log_count
            followups = self.Followup._schedule_orders("order_confirmed", orders)
            self.env.flush_all()
            self.assertEqual(len(followups), expected)
            return self.cr.sql_log_count - before

        def customers(size):
            return self.env["res.partner"].create([{"name": f"Query customer {index}"} for index in range(size)])

        count_queries(customers(3), 9)  # warm-up: caches of models, activity types, translations
        few, many = customers(3), customers(12)
        # New customers: a follow-up per rule and customer; the same customers again: their orders join them.
        self.assertEqual(count_queries(few, 9), count_queries(many, 36))
        self.assertEqual(count_queries(few, 0), count_queries(many, 0))

    @freeze_time("2025-03-10 10:00:00")
    def test_invoice_paid(self):
        rule = self._rule(name="After payment", trigger="invoice_paid", delay_days=5)
        order = self._order(confirm=True)
        self.assertFalse(order.olimp_followup_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertFalse(order.olimp_followup_ids)
        with freeze_time("2025-03-20 10:00:00"):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(
            order.olimp_followup_ids,
            [{"rule_id": rule.id, "trigger_date": date(2025, 3, 20), "date_deadline": date(2025, 3, 25)}],
        )

    def test_invoice_partly_paid_does_not_fire(self):
        self._rule(name="After payment", trigger="invoice_paid")
        order = self._order(confirm=True, amount=1000)
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 100}
        )._create_payments()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertFalse(order.olimp_followup_ids)

    def test_cancel_order_cancels_open_followups(self):
        self._rule(name="A")
        self._rule(name="B")
        order = self._order(confirm=True)
        done, planned = order.olimp_followup_ids
        done.action_done()
        order._action_cancel()
        self.assertEqual(done.state, "done")
        self.assertRecordValues(planned, [{"state": "cancelled", "cancel_reason": "order", "activity_id": False}])
        self.assertFalse(self._activities(self.customer))

    @freeze_time("2025-03-10 10:00:00")
    def test_reconfirmed_order_revives_followups(self):
        self._rule(delay_days=3)
        order = self._order(confirm=True)
        followup = order.olimp_followup_ids
        order._action_cancel()
        order.action_draft()
        with freeze_time("2025-03-12 10:00:00"):
            order.action_confirm()
        self.assertEqual(order.olimp_followup_ids, followup)
        self.assertRecordValues(
            followup, [{"state": "planned", "cancel_reason": False, "date_deadline": date(2025, 3, 15)}]
        )
        self.assertEqual(followup.order_ids, order)
        self.assertEqual(self._activities(self.customer), followup.activity_id)

    def test_cancelled_by_user_is_not_revived(self):
        self._rule(trigger="invoice_paid")
        order = self._order(confirm=True)
        self.Followup._schedule_orders("invoice_paid", order)
        followup = order.olimp_followup_ids
        followup.action_cancel()
        self.Followup._schedule_orders("invoice_paid", order)
        self.assertEqual(followup.state, "cancelled")
        self.assertFalse(self._activities(self.customer))

    def test_draft_order_is_ignored(self):
        self._rule()
        order = self._order()
        self.assertFalse(self.Followup._schedule_orders("order_confirmed", order))


@tagged("post_install", "-at_install")
class TestDefaultRegulation(FollowupCase):
    @freeze_time("2025-03-10 10:00:00")
    def test_confirmation_schedules_the_regulation(self):
        steps = ["feedback", "support", "needs", "offer", "reorder"]
        rules = self.Rule.browse([self.env.ref(f"olimp_followup.rule_{step}").id for step in steps])
        rules.write({"active": True})
        order = self._order()
        order.with_user(self.salesman).action_confirm()
        followups = order.olimp_followup_ids
        self.assertEqual(followups.rule_id, rules)
        self.assertEqual(set(followups.user_id), {self.salesman})
        self.assertEqual(
            sorted(followups.mapped("date_deadline")),
            [date(2025, 3, 13), date(2025, 3, 24), date(2025, 4, 9), date(2025, 5, 9), date(2025, 5, 29)],
        )
        # The feedback call is due within a week: its activity is there at once, on the customer; the other steps
        # get theirs from the daily scheduled action, a week before their deadline.
        activities = self.env["mail.activity"].with_user(self.salesman).search([("user_id", "=", self.salesman.id)])
        feedback = followups.filtered(lambda f: f.task_type == "feedback")
        self.assertEqual(activities, feedback.activity_id)
        self.assertEqual((activities.res_model, activities.res_id), ("res.partner", self.customer.id))
        self.assertFalse(self._activities(order))
        with freeze_time("2025-03-17 01:00:00"):
            self.Followup._cron_create_activities()
        self.assertEqual(len(followups.activity_id), 2)
        with freeze_time("2025-05-22 01:00:00"):
            self.Followup._cron_create_activities()
        self.assertEqual(len(followups.activity_id), 5)
        # The activity view of contacts shows them (same data the web client asks for).
        data = (
            self.env["mail.activity"]
            .with_user(self.salesman)
            .get_activity_data("res.partner", [("id", "=", self.customer.id)])
        )
        self.assertEqual(data["activity_res_ids"], [self.customer.id])
        self.assertEqual(sum(len(group["ids"]) for group in data["grouped_activities"][self.customer.id].values()), 5)


@tagged("post_install", "-at_install")
class TestBulkInsert(FollowupCase):
    @freeze_time("2025-03-10 10:00:00")
    def test_insert_stores_what_the_orm_would(self):
        """The regulation inserts its follow-ups with SQL: every stored value is the one ``create`` computes."""
        rule = self._rule(delay_days=30, activity_lead_days=10)
        order = self._order()
        order.write({"state": "sale"})
        customers = self.env["res.partner"].create([{"name": "Bulk 1"}, {"name": "Bulk 2"}])
        common = {
            "rule_id": rule.id,
            "user_id": self.salesman.id,
            "team_id": self.team.id,
            "manager_user_id": self.manager.id,
            "company_id": self.company.id,
            "trigger_date": date(2025, 3, 1),
            "date_deadline": date(2025, 3, 5),  # already overdue
        }
        inserted = self.Followup._insert_scheduled(
            [{**common, "partner_id": customers[0].id, "order_id": order.id, "order_ids": order.ids}]
        )
        created = self.Followup.create(
            [{**common, "partner_id": customers[1].id, "period_key": "bulk", "order_ids": [Command.set(order.ids)]}]
        )
        fields = [
            name
            for name, field in self.Followup._fields.items()
            if field.store
            and field.column_type
            and name not in ("id", "partner_id", "order_id", "period_key")
            and not name.startswith(("create_", "write_"))
        ]
        self.assertEqual(inserted.read(fields)[0] | {"id": 0}, created.read(fields)[0] | {"id": 0})
        self.assertRecordValues(
            inserted,
            [{"task_type": "feedback", "date_activity": date(2025, 3, 1), "is_overdue": True, "state": "planned"}],
        )
        self.assertEqual(inserted.order_ids, order)
        self.assertIn(inserted, order.olimp_followup_ids)
        self.assertIn(inserted, customers[0].olimp_followup_ids)
