"""Bad input of follow-ups, fed through JSON-RPC as the web client (or an integration) would: a clear error or a
defined result, never a traceback, never partial data (the mixin of olimp_kpi's bad-input test)."""

from unittest.mock import patch

from odoo import Command
from odoo.addons.olimp_kpi.tests.test_bad_input import BadInputMixin
from odoo.tests import HttpCase, new_test_user, tagged

TABLES = [
    "olimp_followup_rule",
    "olimp_followup",
    "olimp_followup_cycle",
    "mail_activity",
    "sale_order",
    "crm_lead",
    "res_company",
    "olimp_kpi",
]


@tagged("post_install", "-at_install")
class TestFollowupBadInput(BadInputMixin, HttpCase):
    tables = TABLES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._count_inputs()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.admin = new_test_user(env, "fu_bad_admin", groups="sales_team.group_sale_manager")
        cls.seller = new_test_user(env, "fu_bad_seller", groups="sales_team.group_sale_salesman")
        cls.activity_type = env.ref("mail.mail_activity_data_call")
        cls.rule = env["olimp.followup.rule"].create(
            {"name": "Bad input reactivation", "trigger": "no_order", "activity_type_id": cls.activity_type.id}
        )
        cls.customer = env["res.partner"].create({"name": "Bad input customer"})
        Followup = env["olimp.followup"]
        values = {"rule_id": cls.rule.id, "partner_id": cls.customer.id, "user_id": cls.seller.id}
        # One open follow-up per rule and customer: the first is done before the second is planned.
        cls.done = Followup.create({**values, "period_key": "bad/1", "date_deadline": "2026-11-01"})
        cls.done.action_done(feedback="Already done")
        cls.followup = Followup.create({**values, "period_key": "bad/2", "date_deadline": "2026-12-01"})

    def _rule_values(self, **values):
        return {"name": "New rule", "trigger": "order_confirmed", "activity_type_id": self.activity_type.id, **values}

    def test_invalid_rules(self):
        cases = [
            {"delay_days": -1},
            {"domain": "[('amount_untaxed', '>', "},
            {"domain": "[('no_such_field', '=', 1)]"},
            {"domain": "__import__('os').system('echo pwned')"},
            {"domain": "[('amount_untaxed', '>', __import__('os').getpid())]"},
            {"domain": "[('user_id', '=', uid)]"},
            {"domain": "{'amount_untaxed': 5}"},
            {"domain": "[('amount_untaxed', 'resembles', 5)]"},
            {"responsible": "user"},
            {"responsible": "user", "user_id": False},
            {"trigger": "no_order", "no_order_days": 0},
            {"trigger": "no_order", "no_order_days": -30},
            {"activity_lead_days": -1},
            {"min_interval_days": -7},
            # Conditions on orders for a rule on silent customers (conditions on contacts).
            {"trigger": "no_order", "domain": "[('amount_untaxed', '>', 5)]"},
            {"activity_type_id": False},
        ]
        for values in cases:
            with self.subTest(values=values):
                self._expect_error(
                    "ValidationError", self.admin, "olimp.followup.rule", "create", [[self._rule_values(**values)]]
                )
        for values in (
            {"delay_days": -5},
            {"responsible": "user"},
            {"no_order_days": 0},
            {"domain": "[1, 2]"},
            {"activity_lead_days": -3},
            {"min_interval_days": -1},
        ):
            with self.subTest(write=values):
                self._expect_error(
                    "ValidationError", self.admin, "olimp.followup.rule", "write", [self.rule.ids, values]
                )

    def test_delivery_trigger_without_deliveries(self):
        """Without the Inventory glue (olimp_followup_stock), nothing fires 'Order delivered': refused."""
        Rule = type(self.env["olimp.followup.rule"])
        with patch.object(Rule, "_olimp_delivery_trigger_available", lambda self: False):
            self._expect_error(
                "ValidationError",
                self.admin,
                "olimp.followup.rule",
                "create",
                [[self._rule_values(trigger="order_delivered")]],
            )

    def test_invalid_outcomes(self):
        followup = self.followup.ids
        for kwargs in (
            {"rating": "9"},
            {"rating": "excellent"},
            {"date_done": "yesterday"},
            {"date_done": "2026-13-45"},
            {"lead_values": "a big need"},
        ):
            with self.subTest(kwargs=kwargs):
                self._expect_error("UserError", self.seller, "olimp.followup", "action_done", [followup], kwargs)
        # The outcome dialog: a need found without a name; follow-ups no longer planned.
        Wizard = "olimp.followup.done.wizard"
        wizard = self._call(self.seller, Wizard, "create", [[{"followup_ids": [Command.set(followup)]}]])
        self._call(self.seller, Wizard, "write", [wizard, {"need_found": True, "lead_name": "  "}])
        self._expect_error("UserError", self.seller, Wizard, "action_confirm", [wizard])
        wizard = self._call(self.seller, Wizard, "create", [[{"followup_ids": [Command.set(self.done.ids)]}]])
        self._expect_error("UserError", self.seller, Wizard, "action_confirm", [wizard])

    def test_invalid_followups_and_settings(self):
        # Neither an order nor a period of silence.
        values = {"rule_id": self.rule.id, "partner_id": self.customer.id, "user_id": self.seller.id}
        self._expect_error(
            "ValidationError", self.admin, "olimp.followup", "create", [[{**values, "date_deadline": "2026-12-01"}]]
        )
        # Sales people change the outcome, not the regulation's fields.
        self._expect_error(
            "AccessError", self.seller, "olimp.followup", "write", [self.followup.ids, {"date_deadline": "2030-01-01"}]
        )
        admin = self.env.ref("base.user_admin")
        admin.password = "admin"
        self._expect_error(
            "ValidationError",
            admin,
            "res.company",
            "write",
            [self.env.company.ids, {"olimp_passport_validity_days": 0}],
        )

    def test_cycle_restart_on_a_cancelled_order(self):
        """Confirming a cancelled order (so restarting its customer's cycle) is refused, with Odoo's message."""
        admin = self.env.ref("base.user_admin")
        admin.password = "admin"
        Rule = self.env["olimp.followup.rule"]
        Rule.create(self._rule_values(name="Bad input feedback"))
        product = self.env["product.product"].create({"name": "Bad input service", "type": "service"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.seller.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 10})],
            }
        )
        order.action_cancel()
        message = self._expect_error("UserError", admin, "sale.order", "action_confirm", [order.ids])
        self.assertIn("not in a state requiring confirmation", message)
        self.assertFalse(order.olimp_followup_ids)

    def test_defined_results(self):
        """Done twice, cancelled once done: nothing changes, no error."""
        before = self._snapshot()
        for method in ("action_done", "action_cancel"):
            self.assertTrue(self._call(self.seller, "olimp.followup", method, [self.done.ids]))
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before)
        self.assertEqual((self.done.state, self.done.feedback), ("done", "Already done"))
