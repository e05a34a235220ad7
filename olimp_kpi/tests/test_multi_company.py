"""Two companies, A and B, with their own currency (USD, EUR) and time zone (Moscow, New York).

A salesperson works in both (an employee in each, one KPI profile each). Definitions, profiles and scorecards are
company-bound; a user of A never sees nor computes B's figures, over the ORM and over JSON-RPC; a user of both sees
the companies active in their session; each scorecard counts its company's records only, in that company's months.
"""

from contextlib import contextmanager

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

MONTH = "2026-11-01"
MODELS = [
    "olimp.kpi",
    "olimp.kpi.checklist.item",
    "olimp.kpi.profile",
    "olimp.kpi.profile.line",
    "olimp.kpi.scorecard",
    "olimp.kpi.scorecard.line",
    "olimp.kpi.scorecard.answer",
]


@tagged("post_install", "-at_install")
@freeze_time("2026-11-15")
class TestMultiCompany(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        (eur | usd).active = True
        cls.company_a = env["res.company"].create({"name": "Olimp A", "currency_id": usd.id})
        cls.company_b = env["res.company"].create({"name": "Olimp B", "currency_id": eur.id})
        cls.company_a.partner_id.tz = "Europe/Moscow"
        cls.company_b.partner_id.tz = "America/New_York"
        both = cls.company_a | cls.company_b

        def user(login, groups, companies):
            return new_test_user(
                env, login, groups=groups, company_id=companies[0].id, company_ids=[Command.set(companies.ids)]
            )

        cls.seller = user("mc_seller", "olimp_kpi.group_kpi_user", both)
        cls.admin_ab = user("mc_admin_ab", "olimp_kpi.group_kpi_admin", both)
        cls.admin_a = user("mc_admin_a", "olimp_kpi.group_kpi_admin,hr.group_hr_user", cls.company_a)
        cls.leader_a = user("mc_leader_a", "olimp_kpi.group_kpi_manager", cls.company_a)

        def kpi(code, company, model="crm.lead", date_field="date_deadline", **values):
            Field = env["ir.model.fields"]
            return env["olimp.kpi"].create(
                {
                    "name": code.title(),
                    "code": code,
                    "model_id": env["ir.model"]._get_id(model),
                    "date_field_id": Field._get(model, date_field).id,
                    "user_field_id": Field._get(model, "user_id").id,
                    "company_id": company.id,
                    **values,
                }
            )

        cls.sales = kpi(
            "MC_SALES",
            env["res.company"],
            "sale.order",
            "date_order",
            aggregation="sum",
            measure_field_id=env["ir.model.fields"]._get("sale.order", "amount_untaxed").id,
            domain="[('state', '=', 'sale')]",
        )
        cls.leads_a = kpi("MC_LEADS", cls.company_a)
        cls.leads_b = kpi("MC_LEADS", cls.company_b)  # the same code in another company
        cls.check_b = env["olimp.kpi"].create(
            {
                "name": "Leaflets",
                "code": "MC_CHECK",
                "kind": "qualitative",
                "company_id": cls.company_b.id,
                "checklist_item_ids": [Command.create({"name": "Has leaflets"})],
            }
        )

        def profile(name, company, kpis):
            lines = [Command.create({"kpi_id": k.id, "target": 100 if k.kind == "qualitative" else 2}) for k in kpis]
            return env["olimp.kpi.profile"].create({"name": name, "company_id": company.id, "line_ids": lines})

        cls.profile_a = profile("Seller A", cls.company_a, cls.sales | cls.leads_a)
        cls.profile_b = profile("Seller B", cls.company_b, cls.sales | cls.leads_b | cls.check_b)
        Employee = env["hr.employee"]
        cls.employee_a = Employee.create(
            {"name": "Seller in A", "user_id": cls.seller.id, "company_id": cls.company_a.id}
        )
        cls.employee_b = Employee.create(
            {"name": "Seller in B", "user_id": cls.seller.id, "company_id": cls.company_b.id}
        )
        cls.employee_a.olimp_kpi_profile_id = cls.profile_a
        cls.employee_b.olimp_kpi_profile_id = cls.profile_b
        Employee.create({"name": "Leader A", "user_id": cls.leader_a.id, "company_id": cls.company_a.id})
        cls.employee_a.parent_id = Employee.search([("user_id", "=", cls.leader_a.id)])

        customer = env["res.partner"].create({"name": "Shared customer"})
        product = env["product.product"].create({"name": "MC service", "type": "service", "list_price": 1})

        def order(company, amount, when):
            sale = (
                env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": customer.id,
                        "user_id": cls.seller.id,
                        "company_id": company.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "price_unit": amount, "tax_id": [Command.clear()]}
                            )
                        ],
                    }
                )
            )
            sale.write({"state": "sale", "date_order": when})
            return sale

        # Moscow is UTC+3: 22:30 UTC on November 30 is already December there; 20:30 on October 31 is still October.
        cls.orders_a = order(cls.company_a, 100, "2026-11-05 10:00:00") | order(
            cls.company_a, 200, "2026-11-20 10:00:00"
        )
        order(cls.company_a, 400, "2026-11-30 22:30:00")
        order(cls.company_a, 50, "2026-10-31 20:30:00")
        # New York is UTC-5: 03:00 UTC on December 1 is still November 30 there; on November 1, still October.
        order(cls.company_b, 1000, "2026-11-10 12:00:00")
        order(cls.company_b, 500, "2026-12-01 03:00:00")
        order(cls.company_b, 70, "2026-11-01 03:00:00")
        for company, count in ((cls.company_a, 1), (cls.company_b, 2)):
            for _index in range(count):
                env["crm.lead"].create(
                    {
                        "name": "MC lead",
                        "user_id": cls.seller.id,
                        "company_id": company.id,
                        "date_deadline": "2026-11-10",
                    }
                )
        cls.scorecards = env["olimp.kpi.scorecard"].with_context(allowed_company_ids=both.ids).generate(MONTH)
        cls.card_a = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_a)
        cls.card_b = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_b)
        cls.scorecards.action_refresh()
        cls.records_of = {
            company: {
                "olimp.kpi": cls.leads_a if company == cls.company_a else cls.leads_b | cls.check_b,
                "olimp.kpi.checklist.item": env["olimp.kpi.checklist.item"]
                if company == cls.company_a
                else cls.check_b.checklist_item_ids,
                "olimp.kpi.profile": cls.profile_a if company == cls.company_a else cls.profile_b,
                "olimp.kpi.profile.line": (cls.profile_a if company == cls.company_a else cls.profile_b).line_ids,
                "olimp.kpi.scorecard": cls.card_a if company == cls.company_a else cls.card_b,
                "olimp.kpi.scorecard.line": (cls.card_a if company == cls.company_a else cls.card_b).line_ids,
                "olimp.kpi.scorecard.answer": (cls.card_a if company == cls.company_a else cls.card_b).answer_ids,
            }
            for company in both
        }

    def _line(self, scorecard, kpi):
        return scorecard.line_ids.filtered(lambda ln: ln.kpi_id == kpi)

    def _rpc(self, user, model, method, args, kwargs=None, companies=None):
        self.authenticate(user.login, user.login)
        kwargs = dict(kwargs or {})
        if companies is not None:
            kwargs["context"] = {"allowed_company_ids": companies.ids}
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs}
        )

    def _all_ids(self, model):
        return [rec.id for company in self.records_of.values() for rec in company[model]]

    def test_scorecards_in_the_employees_company(self):
        self.assertEqual(self.scorecards.employee_id, self.employee_a | self.employee_b)
        self.assertEqual(self.card_a.company_id, self.company_a)
        self.assertEqual(self.card_b.company_id, self.company_b)
        self.assertEqual(self.card_a.currency_id.name, "USD")
        self.assertEqual(self.card_b.currency_id.name, "EUR")
        self.assertEqual(self.card_a.line_ids.kpi_id, self.sales | self.leads_a)
        self.assertEqual(self.card_b.line_ids.kpi_id, self.sales | self.leads_b | self.check_b)
        self.assertEqual(self.card_a.line_ids.company_id, self.company_a)
        self.assertEqual(self.card_b.answer_ids.company_id, self.company_b)

    def test_kpis_count_the_scorecard_company_only(self):
        """The salesperson sells in both companies: each scorecard counts its company's orders, in its months."""
        sales_a, sales_b = self._line(self.card_a, self.sales), self._line(self.card_b, self.sales)
        self.assertEqual((sales_a.actual, sales_a.previous_actual), (300, 50))
        self.assertEqual((sales_b.actual, sales_b.previous_actual), (1500, 70))
        self.assertEqual(self._line(self.card_a, self.leads_a).actual, 1)
        self.assertEqual(self._line(self.card_b, self.leads_b).actual, 2)
        action = sales_a.action_open_records()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), self.orders_a)

    def test_generate_for_the_active_companies_only(self):
        Scorecard = self.env["olimp.kpi.scorecard"]
        made = Scorecard.with_user(self.admin_a).generate("2026-12-01")
        self.assertEqual(made.employee_id, self.employee_a, "employees of company A only")
        made = (
            Scorecard.with_user(self.admin_ab)
            .with_context(allowed_company_ids=self.company_b.ids)
            .generate("2026-12-01")
        )
        self.assertEqual(made.employee_id, self.employee_b)
        self.assertEqual(made.company_id, self.company_b)
        # Naming an employee of another company changes nothing, over the ORM or over JSON-RPC.
        self.assertFalse(Scorecard.with_user(self.admin_a).generate("2027-01-01", self.employee_b))
        self.assertEqual(
            self._rpc(self.admin_a, "olimp.kpi.scorecard", "generate", ["2027-01-01", [self.employee_b.id]]), []
        )
        self.assertFalse(Scorecard.search([("employee_id", "=", self.employee_b.id), ("date_from", "=", "2027-01-01")]))
        self.assertEqual(
            self._rpc(self.admin_a, "olimp.kpi.scorecard", "generate", ["2027-01-01", [self.employee_a.id]]),
            Scorecard.search([("employee_id", "=", self.employee_a.id), ("date_from", "=", "2027-01-01")]).ids,
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_user_of_company_a_never_sees_company_b(self):
        for model in MODELS:
            with self.subTest(model=model):
                found = self.env[model].with_user(self.admin_a).search([("id", "in", self._all_ids(model))])
                self.assertEqual(found, self.records_of[self.company_a][model])
                others = self.records_of[self.company_b][model]
                with self.assertRaises(AccessError):
                    others.with_user(self.admin_a).read(["display_name"])
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.admin_a).action_refresh()
        with self.assertRaises(AccessError):
            self.env["olimp.kpi.scorecard"].with_user(self.admin_a).with_context(
                allowed_company_ids=self.company_b.ids
            ).search([])
        # The team leader of A, and HR of A, as well.
        self.assertEqual(
            self.env["olimp.kpi.scorecard"].with_user(self.leader_a).search([("id", "in", self.scorecards.ids)]),
            self.card_a,
        )
        self.assertEqual(self.employee_b.with_user(self.admin_a).sudo(False).olimp_scorecard_count, 0)

    @mute_logger("odoo.http")
    def test_user_of_company_a_never_sees_company_b_over_json_rpc(self):
        for model in MODELS:
            with self.subTest(model=model):
                rows = self._rpc(self.admin_a, model, "search_read", [[("id", "in", self._all_ids(model))], ["id"]])
                self.assertEqual({row["id"] for row in rows}, set(self.records_of[self.company_a][model].ids))
                others = self.records_of[self.company_b][model]
                with self.assertRaises(JsonRpcException) as caught:
                    self._rpc(self.admin_a, model, "read", [others.ids, ["display_name"]])
                self.assertIn("AccessError", str(caught.exception))
        with self.assertRaises(JsonRpcException) as caught:
            self._rpc(self.admin_a, "olimp.kpi.scorecard", "action_refresh", [self.card_b.ids])
        self.assertIn("AccessError", str(caught.exception))
        # A company the user does not belong to cannot be made active.
        with self.assertRaises(JsonRpcException) as caught:
            self._rpc(self.admin_a, "olimp.kpi.scorecard", "search_read", [[], ["id"]], companies=self.company_b)
        self.assertIn("AccessError", str(caught.exception))

    @mute_logger("odoo.http")
    def test_user_of_both_companies_sees_the_active_ones(self):
        for user in (self.admin_ab, self.seller):
            for companies, expected in (
                (self.company_a, self.card_a),
                (self.company_b, self.card_b),
                (self.company_a | self.company_b, self.scorecards),
            ):
                with self.subTest(user=user.login, companies=companies.mapped("name")):
                    found = (
                        self.env["olimp.kpi.scorecard"]
                        .with_user(user)
                        .with_context(allowed_company_ids=companies.ids)
                        .search([("id", "in", self.scorecards.ids)])
                    )
                    self.assertEqual(found, expected)
                    rows = self._rpc(
                        user,
                        "olimp.kpi.scorecard.line",
                        "search_read",
                        [[("scorecard_id", "in", self.scorecards.ids)], ["company_id"]],
                        companies=companies,
                    )
                    self.assertEqual({row["id"] for row in rows}, set(expected.line_ids.ids))

    @contextmanager
    def _refused(self, message):
        """``assertRaises`` (with its savepoint, unlike ``assertRaisesRegex``) and the message."""
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertIn(message, str(caught.exception))

    def test_company_consistency_of_definitions_and_profiles(self):
        Line = self.env["olimp.kpi.profile.line"]
        with self._refused("belongs to Olimp B"):
            Line.create({"profile_id": self.profile_a.id, "kpi_id": self.check_b.id})
        shared = self.env["olimp.kpi.profile"].create({"name": "Shared", "company_id": False})
        with self._refused("which is shared by all companies"):
            Line.create({"profile_id": shared.id, "kpi_id": self.leads_a.id})
        Line.create({"profile_id": shared.id, "kpi_id": self.sales.id})
        with self._refused("The KPI profile Seller A belongs to Olimp A"):
            self.employee_b.olimp_kpi_profile_id = self.profile_a
        with self._refused("cannot be part of profile Seller B, which is Olimp A"):
            self.profile_b.company_id = self.company_a
        with self._refused("Leaflets belongs to Olimp A: it cannot be part of profile Seller B"):
            self.check_b.company_id = self.company_a
        # Codes are unique per company, a shared KPI's code in every company (including those the user cannot see).
        with self._refused("already used"):
            self.env["olimp.kpi"].with_user(self.admin_a).create(
                {"name": "Shared leads", "code": "MC_LEADS", "kind": "qualitative", "company_id": False}
            )
        with self._refused("already used"):
            self.env["olimp.kpi"].create({"name": "Sales A", "code": "MC_SALES", "kind": "qualitative"})
