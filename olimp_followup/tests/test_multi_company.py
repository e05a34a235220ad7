"""Follow-up rules and follow-ups in two companies, A and B (USD and EUR, Moscow and New York).

A rule of a company fires on that company's orders only, and counts a customer's silence from that company's
orders; a shared rule fires in every company, each follow-up belonging to the company of its order or silence;
users of A never see B's rules or follow-ups (ORM and JSON-RPC); follow-up KPIs count the scorecard's company.
"""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

TODAY = "2026-06-01"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestFollowupMultiCompany(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        env["olimp.followup.rule"].search([]).write({"active": False})
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        (eur | usd).active = True
        cls.company_a = env["res.company"].create({"name": "Follow A", "currency_id": usd.id})
        cls.company_b = env["res.company"].create({"name": "Follow B", "currency_id": eur.id})
        cls.company_a.partner_id.tz = "Europe/Moscow"
        cls.company_b.partner_id.tz = "America/New_York"
        both = cls.company_a | cls.company_b

        def user(login, groups, companies):
            return new_test_user(
                env,
                login,
                groups=groups,
                company_id=companies[0].id,
                company_ids=[Command.set(companies.ids)],
                tz="UTC",
            )

        cls.seller_a = user("fmc_seller_a", "sales_team.group_sale_salesman", cls.company_a)
        cls.seller_b = user("fmc_seller_b", "sales_team.group_sale_salesman", cls.company_b)
        cls.seller_ab = user("fmc_seller_ab", "sales_team.group_sale_salesman", both)
        cls.admin_a = user("fmc_admin_a", "sales_team.group_sale_manager", cls.company_a)
        cls.admin_ab = user("fmc_admin_ab", "sales_team.group_sale_manager", both)

        activity_type = env.ref("mail.mail_activity_data_call")

        def rule(name, trigger, company, **values):
            return env["olimp.followup.rule"].create(
                {
                    "name": name,
                    "trigger": trigger,
                    "delay_days": 2,
                    "activity_type_id": activity_type.id,
                    "company_id": company.id,
                    **values,
                }
            )

        Company = env["res.company"]
        cls.confirmed_a = rule("Feedback A", "order_confirmed", cls.company_a)
        cls.confirmed_b = rule("Feedback B", "order_confirmed", cls.company_b)
        cls.confirmed_shared = rule("Feedback everywhere", "order_confirmed", Company)
        cls.silent_shared = rule("Reactivate everywhere", "no_order", Company, no_order_days=90, task_type="reorder")
        cls.silent_a = rule("Reactivate A", "no_order", cls.company_a, no_order_days=60, task_type="reorder")
        cls.silent_b = rule("Reactivate B", "no_order", cls.company_b, no_order_days=60, task_type="reorder")

        Partner = env["res.partner"]
        # Buys in both companies: recently in A, not for 100 days in B.
        cls.both_customer = Partner.create({"name": "Buys in both", "is_company": True})
        # Buys in B only, not for 100 days.
        cls.b_customer = Partner.create({"name": "Buys in B", "is_company": True})
        product = env["product.product"].create({"name": "FMC service", "type": "service", "list_price": 10})
        today = fields.Date.to_date(TODAY)

        def order(company, partner, seller, days_ago):
            sale = (
                env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": partner.id,
                        "user_id": seller.id,
                        "company_id": company.id,
                        "order_line": [Command.create({"product_id": product.id, "tax_id": [Command.clear()]})],
                    }
                )
            )
            # Confirmed without firing the triggers: the tests fire them.
            sale.write({"state": "sale", "date_order": f"{today - timedelta(days=days_ago)} 10:00:00"})
            return sale

        cls.order_a = order(cls.company_a, cls.both_customer, cls.seller_a, 10)
        cls.order_b_old = order(cls.company_b, cls.both_customer, cls.seller_b, 100)
        cls.order_b = order(cls.company_b, cls.b_customer, cls.seller_b, 100)

    def _rpc(self, user, model, method, args, kwargs=None):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        )

    def _followups(self, rules):
        return self.env["olimp.followup"].search([("rule_id", "in", rules.ids)])

    def test_order_rules_fire_in_their_company(self):
        self.env["olimp.followup"]._schedule_orders("order_confirmed", self.order_a | self.order_b)
        followups = self._followups(self.confirmed_a | self.confirmed_b | self.confirmed_shared)
        found = {(f.rule_id, f.order_id, f.company_id, f.user_id) for f in followups}
        self.assertEqual(
            found,
            {
                (self.confirmed_a, self.order_a, self.company_a, self.seller_a),
                (self.confirmed_shared, self.order_a, self.company_a, self.seller_a),
                (self.confirmed_b, self.order_b, self.company_b, self.seller_b),
                (self.confirmed_shared, self.order_b, self.company_b, self.seller_b),
            },
        )

    def test_silence_is_counted_per_company(self):
        created, remaining = self.env["olimp.followup"]._schedule_no_order()
        self.assertEqual(remaining, 0)
        found = {(f.rule_id, f.partner_id, f.company_id, f.user_id) for f in created}
        self.assertEqual(
            found,
            {
                # Silent in B for 100 days, though it bought in A 10 days ago: B reactivates it, A does not.
                (self.silent_shared, self.both_customer, self.company_b, self.seller_b),
                (self.silent_b, self.both_customer, self.company_b, self.seller_b),
                # Never bought in A: A's rule ignores it; B's rules and the shared one reactivate it in B.
                (self.silent_shared, self.b_customer, self.company_b, self.seller_b),
                (self.silent_b, self.b_customer, self.company_b, self.seller_b),
            },
        )
        self.assertEqual(set(created.mapped("period_key")), {"2026-02-21/1"})
        # Once per rule, customer, company and period.
        again, __ = self.env["olimp.followup"]._schedule_no_order()
        self.assertFalse(again)
        # Silent in A too, 61 days later: A's own rule fires for it, in A.
        with freeze_time("2026-08-01"):
            later, __ = self.env["olimp.followup"]._schedule_no_order()
        self.assertIn(
            (self.silent_a, self.both_customer, self.company_a, self.seller_a),
            {(f.rule_id, f.partner_id, f.company_id, f.user_id) for f in later},
        )

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_company_a_never_sees_company_b(self):
        self.env["olimp.followup"]._schedule_orders("order_confirmed", self.order_a | self.order_b)
        self.env["olimp.followup"]._schedule_no_order()
        all_rules = self.confirmed_a | self.confirmed_b | self.confirmed_shared
        all_rules |= self.silent_shared | self.silent_a | self.silent_b
        followups = self._followups(all_rules)
        in_a = followups.filtered(lambda f: f.company_id == self.company_a)
        in_b = followups - in_a
        self.assertTrue(in_a and in_b)
        Followup = self.env["olimp.followup"]
        self.assertEqual(Followup.with_user(self.admin_a).search([("id", "in", followups.ids)]), in_a)
        self.assertEqual(
            self.env["olimp.followup.rule"].with_user(self.admin_a).search([("id", "in", all_rules.ids)]),
            self.confirmed_a | self.confirmed_shared | self.silent_shared | self.silent_a,
        )
        with self.assertRaises(AccessError):
            in_b.with_user(self.admin_a).read(["state"])
        with self.assertRaises(AccessError):
            in_b[:1].with_user(self.admin_a).action_done()
        # Each salesperson sees the follow-ups of their company; the one of both, per active company.
        self.assertEqual(Followup.with_user(self.seller_b).search([("id", "in", followups.ids)]), in_b)
        self.assertFalse(Followup.with_user(self.seller_a).search([("id", "in", in_b.ids)]))
        self.assertEqual(
            Followup.with_user(self.admin_ab)
            .with_context(allowed_company_ids=self.company_a.ids)
            .search([("id", "in", followups.ids)]),
            in_a,
        )
        self.assertEqual(Followup.with_user(self.admin_ab).search([("id", "in", followups.ids)]), followups)

    @mute_logger("odoo.http")
    def test_company_a_never_sees_company_b_over_json_rpc(self):
        self.env["olimp.followup"]._schedule_orders("order_confirmed", self.order_a | self.order_b)
        self.env["olimp.followup"]._schedule_no_order()
        followups = self.env["olimp.followup"].search(
            [("partner_id", "in", (self.both_customer | self.b_customer).ids)]
        )
        in_a = followups.filtered(lambda f: f.company_id == self.company_a)
        rows = self._rpc(self.admin_a, "olimp.followup", "search_read", [[("id", "in", followups.ids)], ["id"]])
        self.assertEqual({row["id"] for row in rows}, set(in_a.ids))
        rows = self._rpc(
            self.admin_a, "olimp.followup.rule", "search_read", [[("id", "in", self.confirmed_b.ids)], ["id"]]
        )
        self.assertEqual(rows, [])
        for method, args in (
            ("read", [(followups - in_a).ids, ["state"]]),
            ("action_done", [(followups - in_a).ids]),
            ("write", [self.confirmed_b.ids, {"delay_days": 9}]),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException) as caught:
                self._rpc(self.admin_a, "olimp.followup" if method != "write" else "olimp.followup.rule", method, args)
            self.assertIn("AccessError", str(caught.exception))
        self.assertEqual(self.confirmed_b.delay_days, 2)

    def test_followup_kpis_count_the_scorecard_company(self):
        """A salesperson working in both companies: each month's scorecard counts that company's follow-ups."""
        on_time = self.env.ref("olimp_followup.kpi_followups_on_time")
        Employee = self.env["hr.employee"]
        employees = Employee.create(
            [
                {"name": "Both in A", "user_id": self.seller_ab.id, "company_id": self.company_a.id},
                {"name": "Both in B", "user_id": self.seller_ab.id, "company_id": self.company_b.id},
            ]
        )
        for employee in employees:
            employee.olimp_kpi_profile_id = self.env["olimp.kpi.profile"].create(
                {
                    "name": f"Follow-ups {employee.company_id.name}",
                    "company_id": employee.company_id.id,
                    "line_ids": [Command.create({"kpi_id": on_time.id, "target": 2})],
                }
            )
        Followup = self.env["olimp.followup"]
        for company, count in ((self.company_a, 1), (self.company_b, 2)):
            for index in range(count):
                followup = Followup.create(
                    {
                        "rule_id": self.silent_shared.id,
                        "partner_id": self.b_customer.id,
                        "period_key": f"kpi/{company.id}/{index}",
                        "user_id": self.seller_ab.id,
                        "company_id": company.id,
                        "date_deadline": "2026-05-20",
                    }
                )
                # Within the step's window (from a week before the deadline): on time.
                followup.action_done(date_done=fields.Date.to_date("2026-05-15"))
                followup.flush_recordset()  # done before the next one of the rule and customer is planned
        scorecards = (
            self.env["olimp.kpi.scorecard"]
            .with_context(allowed_company_ids=(self.company_a | self.company_b).ids)
            .generate("2026-05-01", employees)
        )
        scorecards.action_refresh()
        actual = {sc.company_id: sc.line_ids.actual for sc in scorecards}
        self.assertEqual(actual, {self.company_a: 1, self.company_b: 2})
