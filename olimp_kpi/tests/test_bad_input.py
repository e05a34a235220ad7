"""Bad input, fed through JSON-RPC as the web client would: a clear error or a defined result, never a traceback
(an unexpected exception type), never partial data.

Each case of ``CASES`` names the user who acts, the call, and what must come back: the name of the exception
(``ValidationError`` or ``UserError``) or ``None`` with a check of the defined result.
"""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL, mute_logger

TABLES = [
    "olimp_kpi",
    "olimp_kpi_checklist_item",
    "olimp_kpi_profile",
    "olimp_kpi_profile_line",
    "olimp_kpi_scorecard",
    "olimp_kpi_scorecard_line",
    "olimp_kpi_scorecard_answer",
    "hr_employee",
]


@tagged("post_install", "-at_install")
class TestBadInput(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.admin = new_test_user(env, "bad_admin", groups="olimp_kpi.group_kpi_admin,hr.group_hr_user")
        cls.manager = new_test_user(env, "bad_manager", groups="olimp_kpi.group_kpi_manager")
        cls.seller = new_test_user(env, "bad_seller", groups="olimp_kpi.group_kpi_user")
        cls.kpi = env["olimp.kpi"].create(
            {
                "name": "Bad input leads",
                "code": "BAD_LEADS",
                "model_id": env["ir.model"]._get_id("crm.lead"),
                "aggregation": "count",
                "date_field_id": env["ir.model.fields"]._get("crm.lead", "date_deadline").id,
                "user_field_id": env["ir.model.fields"]._get("crm.lead", "user_id").id,
            }
        )
        cls.archived = env["olimp.kpi"].create({"name": "Old", "code": "BAD_OLD", "kind": "qualitative"})
        cls.archived.active = False
        cls.profile = env["olimp.kpi.profile"].create(
            {"name": "Bad input", "line_ids": [Command.create({"kpi_id": cls.kpi.id, "target": 5})]}
        )
        cls.empty_profile = env["olimp.kpi.profile"].create({"name": "Empty"})
        cls.employee = env["hr.employee"].create(
            {"name": "Seller", "user_id": cls.seller.id, "parent_id": False, "olimp_kpi_profile_id": cls.profile.id}
        )
        env["hr.employee"].create({"name": "Seller's manager", "user_id": cls.manager.id})
        cls.employee.parent_id = env["hr.employee"].search([("user_id", "=", cls.manager.id)])
        cls.no_user = env["hr.employee"].create({"name": "No user"})
        cls.quiet = env["hr.employee"].create(
            {
                "name": "Quiet",
                "user_id": new_test_user(env, "bad_quiet", groups="olimp_kpi.group_kpi_user").id,
                "olimp_kpi_profile_id": cls.empty_profile.id,
            }
        )
        cls.scorecard = env["olimp.kpi.scorecard"].generate("2026-11-01", cls.employee)
        cls.closed = env["olimp.kpi.scorecard"].generate("2026-10-01", cls.employee)
        cls.closed.action_close()

    def _field(self, model, name):
        return self.env["ir.model.fields"]._get(model, name).id

    def _kpi_values(self, **values):
        base = {
            "name": "New",
            "code": "BAD_NEW",
            "model_id": self.env["ir.model"]._get_id("crm.lead"),
            "aggregation": "count",
            "date_field_id": self._field("crm.lead", "date_deadline"),
            "user_field_id": self._field("crm.lead", "user_id"),
        }
        base.update(values)
        return base

    def _call(self, user, model, method, args, kwargs=None):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        )

    def _snapshot(self):
        self.env.flush_all()
        counts = {}
        for table in TABLES:
            self.env.cr.execute(SQL("SELECT count(*), max(write_date) FROM %s", SQL.identifier(table)))
            counts[table] = self.env.cr.fetchone()
        return counts

    def _expect_error(self, expected, user, model, method, args, kwargs=None):
        before = self._snapshot()
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http", "odoo.sql_db"):
            self._call(user, model, method, args, kwargs)
        self.assertIn(expected, str(caught.exception), f"{model}.{method}{args}")
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before, f"partial data left by {model}.{method}")

    def test_invalid_kpi_definitions(self):
        lead = "crm.lead"
        cases = [
            {"domain": "[('type', '=', "},
            {"domain": "[('no_such_field', '=', 1)]"},
            {"domain": "__import__('os').system('echo pwned')"},
            {"domain": "[('user_id', '=', uid)]"},
            {"domain": "[('name', 'resembles', 'x')]"},
            {"domain": "42"},
            {"aggregation": "sum", "measure_field_id": self._field(lead, "name")},
            {"aggregation": "avg"},
            {"date_field_id": self._field(lead, "name")},
            {"date_field_id": self._field("sale.order", "date_order")},
            {"user_field_id": self._field(lead, "partner_id")},
            {"model_id": False},
            {"yellow_from": 110, "green_from": 100},
            {"yellow_from": -5},
            {"code": "BAD_LEADS"},
        ]
        for values in cases:
            with self.subTest(values=values):
                self._expect_error("ValidationError", self.admin, "olimp.kpi", "create", [[self._kpi_values(**values)]])

    def test_invalid_plans(self):
        line_model = "olimp.kpi.profile.line"
        profile = self.profile.id
        for values in [
            {"weight": -1},
            {"target": -10},
            {"floor": 120, "cap": 100},
            {"cap": 0},
            {"kpi_id": self.archived.id},
            {"kpi_id": self.kpi.id},  # already in the profile
        ]:
            with self.subTest(values=values):
                vals = {"profile_id": profile, "kpi_id": self.archived.id if "kpi_id" not in values else None}
                vals = {"profile_id": profile, "kpi_id": values.get("kpi_id", self._other_kpi().id), **values}
                self._expect_error("ValidationError", self.admin, line_model, "create", [[vals]])
        line = self.scorecard.line_ids[:1]
        for values in [{"target": -1}, {"weight": -2}]:
            with self.subTest(values=values):
                self._expect_error(
                    "ValidationError", self.manager, "olimp.kpi.scorecard.line", "write", [line.ids, values]
                )

    def _other_kpi(self):
        return self.env["olimp.kpi"].search([("code", "=", "BAD_OTHER")]) or self.env["olimp.kpi"].create(
            {"name": "Other", "code": "BAD_OTHER", "kind": "qualitative"}
        )

    def test_employees(self):
        # An employee without user cannot get a profile: KPIs are credited to users.
        self._expect_error(
            "ValidationError",
            self.admin,
            "hr.employee",
            "write",
            [self.no_user.ids, {"olimp_kpi_profile_id": self.profile.id}],
        )
        # A user already linked to an employee of the company cannot be linked to a second one.
        self._expect_error(
            "ValidationError", self.admin, "hr.employee", "create", [[{"name": "Twin", "user_id": self.seller.id}]]
        )

    def test_scorecards(self):
        self._expect_error("UserError", self.manager, "olimp.kpi.scorecard", "generate", ["not a date"])
        self._expect_error(
            "UserError", self.manager, "olimp.kpi.scorecard", "write", [self.closed.ids, {"note": "late"}]
        )
        self._expect_error(
            "UserError",
            self.manager,
            "olimp.kpi.scorecard.line",
            "write",
            [self.closed.line_ids[:1].ids, {"target": 1}],
        )

    def test_defined_results(self):
        # Empty profile: no scorecard for that employee, the others are made.
        result = self._call(self.manager, "olimp.kpi.scorecard", "generate", ["2026-12-15"], {"employees": None})
        made = self.env["olimp.kpi.scorecard"].browse(result)
        self.assertIn(self.employee, made.employee_id)
        self.assertNotIn(self.quiet, made.employee_id)
        # A month with no data at all: zeros, red, efficiency 0, and no error.
        december = made.filtered(lambda sc: sc.employee_id == self.employee)
        self._call(self.manager, "olimp.kpi.scorecard", "action_refresh", [december.ids])
        december.invalidate_recordset()
        self.assertEqual(december.line_ids.mapped("actual"), [0.0])
        self.assertEqual(december.line_ids.zone, "red")
        self.assertEqual(december.efficiency, 0)
