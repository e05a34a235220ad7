"""Bad input, fed through JSON-RPC as the web client would: a clear error or a defined result, never a traceback
(an unexpected exception type), never partial data.

Each case names the user who acts, the call, and what must come back: the name of the exception (``ValidationError``
or ``UserError``, read from the JSON-RPC response with the message the user sees), or a defined result.
"""

import json
import logging
import re
import unittest
from pathlib import Path

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger
from odoo.tools.translate import code_translations

_logger = logging.getLogger(__name__)

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


class BadInputMixin:
    """Calls over JSON-RPC that must fail with a clear error and change nothing; reused by other add-ons, which set
    ``tables`` (the tables whose rows must not change)."""

    tables = TABLES
    inputs_tried = 0

    @classmethod
    def _count_inputs(cls):
        cls.inputs_tried = 0
        cls.addClassCleanup(
            lambda: _logger.info("%s: %s bad inputs tried over JSON-RPC", cls.__name__, cls.inputs_tried)
        )

    def _call(self, user, model, method, args, kwargs=None):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        )

    def _snapshot(self):
        self.env.flush_all()
        counts = {}
        for table in self.tables:
            self.env.cr.execute(SQL("SELECT count(*), max(write_date) FROM %s", SQL.identifier(table)))
            counts[table] = self.env.cr.fetchone()
        return counts

    def _rpc_error(self, user, model, method, args, kwargs=None):
        """The error a JSON-RPC call ends with, as the web client gets it: (exception name, message)."""
        self.authenticate(user.login, user.login)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 0,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        with mute_logger("odoo.http", "odoo.sql_db"):
            response = self.url_open(
                "/web/dataset/call_kw", json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
            )
        body = response.json()
        self.assertIn("error", body, f"{model}.{method}{args} succeeded")
        return body["error"]["data"]["name"], body["error"]["data"]["message"]

    def _expect_error(self, expected, user, model, method, args, kwargs=None):
        """The call fails with ``expected`` (an exception name), a message for the user, and changes nothing."""
        before = self._snapshot()
        name, message = self._rpc_error(user, model, method, args, kwargs)
        self.assertIn(expected, name, f"{model}.{method}{args}: {message}")
        self.assertTrue(message and "Traceback" not in message, message)
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before, f"partial data left by {model}.{method}")
        type(self).inputs_tried += 1
        return message


@tagged("post_install", "-at_install")
class TestBadInput(BadInputMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._count_inputs()
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

    def _shared_kpi(self):
        return self.env["olimp.kpi"].create(
            {"name": "Shared", "code": "BAD_SHARED", "kind": "qualitative", "company_id": False}
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

    def test_generate_with_bad_employees(self):
        for employees in ("not ids", ["x"], [None], {"id": 1}):
            with self.subTest(employees=employees):
                self._expect_error(
                    "UserError",
                    self.manager,
                    "olimp.kpi.scorecard",
                    "generate",
                    ["2026-12-01"],
                    {"employees": employees},
                )
        # Ids that do not exist, or of employees without profile: nothing made, no error.
        result = self._call(
            self.manager, "olimp.kpi.scorecard", "generate", ["2027-02-01"], {"employees": [10**9, self.no_user.id]}
        )
        self.assertEqual(result, [])

    def test_impossible_scorecards(self):
        Scorecard = "olimp.kpi.scorecard"
        values = {"employee_id": self.employee.id, "user_id": self.seller.id, "company_id": self.env.company.id}
        # Not the first day of a month; a second scorecard of the employee for a month.
        self._expect_error(
            "ValidationError", self.manager, Scorecard, "create", [[{**values, "date_from": "2026-11-15"}]]
        )
        self._expect_error(
            "ValidationError", self.manager, Scorecard, "create", [[{**values, "date_from": "2026-11-01"}]]
        )

    def _closed_checklist(self):
        """A closed scorecard with a checklist: the seller's, in a month of its own."""
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        check = env["olimp.kpi"].create(
            {
                "name": "Closed checklist",
                "code": "BAD_CLOSED_CHECK",
                "kind": "qualitative",
                "checklist_item_ids": [Command.create({"name": "Leaflets"}), Command.create({"name": "Slides"})],
            }
        )
        self.profile.line_ids = [Command.create({"kpi_id": check.id, "target": 100})]
        scorecard = env["olimp.kpi.scorecard"].generate("2026-09-01", self.employee)
        scorecard.answer_ids[:1].value = "yes"
        scorecard.with_context(olimp_unanswered_as_no=True).action_close()
        return scorecard, check

    def test_closed_scorecard_over_json_rpc(self):
        """Nothing changes a closed scorecard over JSON-RPC: not its plan, lines, answers or the scorecard."""
        closed, check = self._closed_checklist()
        line = closed.line_ids.filtered(lambda ln: ln.kpi_id == check)
        answer = line.answer_ids.filtered(lambda a: a.value == "no")
        extra_item = self.env["olimp.kpi.checklist.item"].create({"kpi_id": check.id, "name": "Extra"})
        answers = "olimp.kpi.scorecard.answer"
        lines = "olimp.kpi.scorecard.line"
        cases = [
            (self.manager, answers, "write", [answer.ids, {"value": "yes"}]),
            (self.manager, answers, "write", [answer.ids, {"comment": "Seen them after all"}]),
            (self.manager, answers, "create", [[{"line_id": line.id, "item_id": extra_item.id}]]),
            (self.admin, answers, "unlink", [line.answer_ids.ids]),
            (self.manager, lines, "write", [line.ids, {"weight": 3}]),
            (self.manager, lines, "write", [closed.line_ids.ids, {"target": 0}]),
            (self.manager, lines, "create", [[{"scorecard_id": closed.id, "kpi_id": self._other_kpi().id}]]),
            (self.admin, lines, "unlink", [line.ids]),
            (self.admin, "olimp.kpi.scorecard", "unlink", [closed.ids]),
            (self.manager, "olimp.kpi.scorecard", "write", [closed.ids, {"efficiency": 100}]),
        ]
        for user, model, method, args in cases:
            with self.subTest(model=model, method=method, args=args):
                self._expect_error("UserError", user, model, method, args)
        # Refreshing or closing it again: a defined result, nothing changes.
        for method in ("action_refresh", "action_close"):
            before = self._snapshot()
            self.assertTrue(self._call(self.manager, "olimp.kpi.scorecard", method, [closed.ids]))
            self.env.invalidate_all()
            self.assertEqual(self._snapshot(), before, method)
        self.assertEqual(line.actual, 50)

    def _abroad(self):
        """An order of the seller in a currency without any exchange rate, counted by a sales KPI of the profile."""
        code = "EUR" if self.env.company.currency_id.name != "EUR" else "USD"
        currency = self.env.ref(f"base.{code}")
        currency.active = True
        currency.rate_ids.unlink()
        sales = self.env["olimp.kpi"].create(
            self._kpi_values(
                code="BAD_SALES",
                model_id=self.env["ir.model"]._get_id("sale.order"),
                aggregation="sum",
                measure_field_id=self._field("sale.order", "amount_untaxed"),
                date_field_id=self._field("sale.order", "date_order"),
                user_field_id=self._field("sale.order", "user_id"),
                domain="[('state', '=', 'sale')]",
            )
        )
        self.profile.line_ids = [Command.create({"kpi_id": sales.id, "target": 1000})]
        pricelist = self.env["product.pricelist"].create({"name": "Abroad", "currency_id": currency.id})
        product = self.env["product.product"].create({"name": "Export", "type": "service", "taxes_id": False})
        self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Abroad customer"}).id,
                "user_id": self.seller.id,
                "pricelist_id": pricelist.id,
                "state": "sale",
                "date_order": "2026-08-10 10:00:00",
                "order_line": [Command.create({"product_id": product.id, "price_unit": 100})],
            }
        )
        return currency, self.env["olimp.kpi.scorecard"].generate("2026-08-01", self.employee)

    def test_missing_currency_rate_over_json_rpc(self):
        currency, scorecard = self._abroad()
        message = self._expect_error("UserError", self.admin, "olimp.kpi.scorecard", "action_refresh", [scorecard.ids])
        self.assertIn(f"There is no exchange rate for {currency.name}", message)
        self.assertFalse(scorecard.refreshed_on)

    def test_missing_currency_rate_in_the_cron(self):
        """The daily refresh goes on for the other scorecards; the failing ones stay due, untouched, and logged."""
        currency, scorecard = self._abroad()
        with self.assertRaises(UserError):
            scorecard.action_refresh()
        other = self.env["olimp.kpi.scorecard"].generate("2026-08-01", self.quiet.with_context(active_test=False))
        other |= self.env["olimp.kpi.scorecard"].search([("refreshed_on", "=", False), ("state", "=", "open")])
        other -= scorecard
        other_company = self.env["res.company"].create({"name": "Bad input elsewhere"})
        elsewhere = self.env["hr.employee"].create(
            {
                "name": "Elsewhere",
                "company_id": other_company.id,
                "user_id": new_test_user(
                    self.env, "bad_elsewhere", company_id=other_company.id, company_ids=[Command.set(other_company.ids)]
                ).id,
            }
        )
        elsewhere.olimp_kpi_profile_id = self.env["olimp.kpi.profile"].create(
            {
                "name": "Elsewhere",
                "company_id": False,
                "line_ids": [Command.create({"kpi_id": self._shared_kpi().id, "target": 100})],
            }
        )
        other |= self.env["olimp.kpi.scorecard"].generate("2026-08-01", elsewhere)
        self.assertTrue(other.filtered(lambda sc: sc.company_id == other_company))
        with self.assertLogs("odoo.addons.olimp_kpi.models.olimp_kpi_scorecard", "WARNING") as logs:
            self.env["olimp.kpi.scorecard"]._refresh_next_batch(batch_size=1000)
        self.assertIn(f"There is no exchange rate for {currency.name}", "\n".join(logs.output))
        self.assertFalse(scorecard.refreshed_on, "left due, nothing written")
        self.assertTrue(all(other.filtered(lambda sc: sc.company_id == other_company).mapped("refreshed_on")))


# Messages of the cases of TestBadInputRussian: (module, source text); the test is skipped until they are translated.
RUSSIAN_MESSAGES = {
    "date": ("olimp_kpi", "%(value)s is not a date: use YYYY-MM-DD."),
    "domain": (
        "olimp_kpi",
        "KPI %(kpi)s: the conditions are not a valid domain. Use a list of conditions with fixed values, "
        'e.g. [("state", "=", "sale")].',
    ),
    "closed": (
        "olimp_kpi",
        "Scorecard %(scorecard)s is closed: its plan, actuals, answers and efficiency can no longer change. A team "
        "leader can reopen it.",
    ),
    "code": ("olimp_kpi", "The KPI code %(code)s is already used."),
    "delay": ("olimp_followup", "Follow-up rule %(rule)s: the delay cannot be negative (%(days)s days)."),
}


@tagged("post_install", "-at_install")
class TestBadInputRussian(BadInputMixin, HttpCase):
    """A few bad inputs by users working in Russian: the error they get is in Russian (translations of i18n/ru.po)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not (Path(__file__).parents[1] / "i18n" / "ru.po").exists():
            raise unittest.SkipTest("olimp_kpi/i18n/ru.po does not exist yet: no Russian messages to check")
        cls._count_inputs()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        env["res.lang"]._activate_lang("ru_RU")
        modules = ["olimp_kpi", "olimp_followup"] if "olimp.followup" in env else ["olimp_kpi"]
        env["ir.module.module"]._load_module_terms(modules, ["ru_RU"], overwrite=True)
        cls.admin = new_test_user(env, "ru_admin", groups="olimp_kpi.group_kpi_admin", lang="ru_RU")
        cls.manager = new_test_user(env, "ru_manager", groups="olimp_kpi.group_kpi_manager", lang="ru_RU")
        kpi = env["olimp.kpi"].create({"name": "Russian check", "code": "RU_CHECK", "kind": "qualitative"})
        profile = env["olimp.kpi.profile"].create(
            {"name": "Russian", "line_ids": [Command.create({"kpi_id": kpi.id, "target": 100})]}
        )
        employee = env["hr.employee"].create(
            {"name": "Russian seller", "user_id": new_test_user(env, "ru_seller", groups="olimp_kpi.group_kpi_user").id}
        )
        employee.olimp_kpi_profile_id = profile
        env["hr.employee"].create({"name": "Russian leader", "user_id": cls.manager.id})
        employee.parent_id = env["hr.employee"].search([("user_id", "=", cls.manager.id)])
        cls.closed = env["olimp.kpi.scorecard"].generate("2026-10-01", employee)
        cls.closed.action_close()

    def _translation(self, module, source):
        return code_translations.get_python_translations(module, "ru_RU").get(source)

    def test_errors_in_russian(self):
        cases = {
            "date": (self.manager, "olimp.kpi.scorecard", "generate", ["not a date"]),
            "domain": (
                self.admin,
                "olimp.kpi",
                "create",
                [[{"name": "Bad", "code": "RU_BAD", "kind": "qualitative", "domain": "[('state', '=', "}]],
            ),
            "closed": (self.manager, "olimp.kpi.scorecard", "write", [self.closed.ids, {"note": "late"}]),
            "code": (
                self.admin,
                "olimp.kpi",
                "create",
                [[{"name": "Twin", "code": "RU_CHECK", "kind": "qualitative"}]],
            ),
        }
        if "olimp.followup.rule" in self.env:
            activity_type = self.env.ref("mail.mail_activity_data_call").id
            values = {"name": "Bad", "delay_days": -1, "activity_type_id": activity_type}
            cases["delay"] = (self.admin, "olimp.followup.rule", "create", [[values]])
        untranslated = [key for key in cases if not self._translation(*RUSSIAN_MESSAGES[key])]
        if untranslated:
            self.skipTest(f"messages not translated in ru.po yet (merge the translations): {untranslated}")
        for key, (user, model, method, args) in cases.items():
            with self.subTest(case=key):
                expected = "ValidationError" if method == "create" else "UserError"
                # The web client sends the user's context (their language) with every call.
                kwargs = {"context": {"lang": user.lang}}
                message = self._expect_error(expected, user, model, method, args, kwargs)
                source = RUSSIAN_MESSAGES[key][1]
                # The fixed words of the translation are in the message; those of the English source are not.
                russian = max(re.split(r"%\(\w+\)s", self._translation(*RUSSIAN_MESSAGES[key])), key=len).strip()
                english = max(re.split(r"%\(\w+\)s", source), key=len).strip()
                self.assertIn(russian, message)
                self.assertNotIn(english, message)
                self.assertRegex(message, "[А-Яа-яЁё]{4,}")
