from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestFollowupRule(FollowupCase):
    def test_invalid_domain_syntax(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain on Sales Order"):
            self._rule(domain="[('amount_untaxed', '>', ")

    def test_domain_is_data_not_code(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self._rule(domain="[('amount_untaxed', '>', __import__('os').getpid())]")
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self._rule(domain="{'amount_untaxed': 5}")

    def test_domain_unknown_field(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain on Sales Order"):
            self._rule(domain="[('no_such_field', '=', 1)]")

    def test_domain_checked_against_the_trigger_model(self):
        rule = self._rule(domain="[('amount_untaxed', '>', 1000)]")
        # A customer domain does not fit an order rule, and an order domain does not fit a customer rule.
        with self.assertRaisesRegex(ValidationError, "not a valid domain on Contact"):
            rule.trigger = "no_order"
        partner_rule = self._rule(trigger="no_order", domain="[('is_company', '=', True)]")
        self.assertEqual(partner_rule._parsed_domain(), [("is_company", "=", True)])

    def test_fixed_user_required(self):
        with self.assertRaisesRegex(ValidationError, "choose the user responsible"):
            self._rule(responsible="user")
        rule = self._rule(responsible="user", user_id=self.leader.id)
        with self.assertRaisesRegex(ValidationError, "choose the user responsible"):
            rule.user_id = False

    def test_negative_days_rejected(self):
        with self.assertRaisesRegex(ValidationError, "delay cannot be negative"):
            self._rule(delay_days=-1)
        with self.assertRaisesRegex(ValidationError, "days without order must be positive"):
            self._rule(trigger="no_order", no_order_days=0)
        rule = self._rule()
        with self.assertRaisesRegex(ValidationError, "delay cannot be negative"):
            rule.delay_days = -5

    def test_delivery_trigger_needs_deliveries(self):
        if self.Rule._olimp_delivery_trigger_available():
            self.skipTest("olimp_followup_stock is installed: deliveries fire the trigger")
        with self.assertRaisesRegex(ValidationError, "needs deliveries"):
            self._rule(trigger="order_delivered")

    def test_reorder_days_from_shortest_active_no_order_rule(self):
        self.assertEqual(self.Rule._reorder_days(), 90)
        self._rule(trigger="no_order", no_order_days=120)
        rule_60 = self._rule(trigger="no_order", no_order_days=60)
        self.assertEqual(self.Rule._reorder_days(), 60)
        rule_60.active = False
        self.assertEqual(self.Rule._reorder_days(), 120)

    def test_default_regulation(self):
        rules = self.Rule.with_context(active_test=False).search(
            [("id", "in", [self.env.ref(f"olimp_followup.rule_{name}").id for name in DEFAULT_STEPS])]
        )
        steps = {rule.task_type: rule.delay_days for rule in rules if rule.trigger == "order_confirmed"}
        self.assertEqual(steps, {"feedback": 3, "support": 14, "needs": 30, "offer": 60, "reorder": 80})
        self.assertTrue(all(rule.responsible == "order_salesperson" for rule in rules if rule.task_type != "reorder"))
        reactivation = self.env.ref("olimp_followup.rule_reactivation")
        self.assertEqual((reactivation.trigger, reactivation.no_order_days), ("no_order", 90))

    def test_copy(self):
        rule = self._rule(name="Needs call")
        self.assertEqual(rule.copy().name, "Needs call (copy)")


DEFAULT_STEPS = ["feedback", "support", "needs", "offer", "reorder", "reactivation"]
