from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestSecurity(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule()
        # A customer each: orders of one customer would share the rule's follow-up.
        cls.own_order = cls._order(user=cls.salesman, confirm=True)
        cls.colleague_order = cls._order(partner=cls.customer_2, user=cls.salesman_2, confirm=True)
        cls.third_customer = cls.env["res.partner"].create({"name": "Third Customer", "is_company": True})
        cls.other_team_order = cls._order(
            partner=cls.third_customer, user=cls.outsider, team=cls.other_team, confirm=True
        )
        cls.own = cls.own_order.olimp_followup_ids
        cls.colleague = cls.colleague_order.olimp_followup_ids
        cls.other_team_followup = cls.other_team_order.olimp_followup_ids

    def _visible(self, user):
        return self.Followup.with_user(user).search([("rule_id", "=", self.rule.id)])

    def test_salesperson_sees_and_does_own_followups(self):
        self.assertEqual(self._visible(self.salesman), self.own)
        with self.assertRaises(AccessError):
            self.colleague.with_user(self.salesman).read(["state"])
        with self.assertRaises(AccessError):
            self.colleague.with_user(self.salesman).action_done()
        self.own.with_user(self.salesman).action_done(rating="4", feedback="Fine")
        self.assertEqual(self.own.state, "done")
        self.assertEqual(self.colleague.state, "planned")

    def test_salesperson_cannot_create_or_delete(self):
        with self.assertRaises(AccessError):
            self.Followup.with_user(self.salesman).create(
                {
                    "rule_id": self.rule.id,
                    "partner_id": self.customer.id,
                    "order_id": self.colleague_order.id,
                    "user_id": self.salesman.id,
                    "date_deadline": "2025-01-01",
                }
            )
        with self.assertRaises(AccessError):
            self.own.with_user(self.salesman).unlink()

    def test_team_leader_sees_team(self):
        self.assertEqual(self._visible(self.leader), self.own | self.colleague)

    def test_employee_manager_sees_reports(self):
        # Max manages Sam through the employee hierarchy, without leading his sales team.
        self.assertEqual(self._visible(self.manager), self.own)

    def test_administrator_sees_all(self):
        self.assertEqual(self._visible(self.admin), self.own | self.colleague | self.other_team_followup)

    def test_rules_readable_by_users_editable_by_administrators(self):
        rule = self.rule.with_user(self.salesman)
        self.assertEqual(rule.name, "Feedback call")
        with self.assertRaises(AccessError):
            rule.delay_days = 5
        with self.assertRaises(AccessError):
            self.rule.with_user(self.leader).delay_days = 5
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.leader).create({"name": "Mine", "activity_type_id": self.rule.activity_type_id.id})
        self.rule.with_user(self.admin).delay_days = 5
        self.assertEqual(self.rule.delay_days, 5)
        self.Rule.with_user(self.admin).create({"name": "Theirs", "activity_type_id": self.rule.activity_type_id.id})

    def test_salesperson_confirms_own_order(self):
        # Confirming schedules the follow-ups whatever the rights of the salesperson on rules and follow-ups.
        customer = self.env["res.partner"].create({"name": "New Customer"})
        order = self._order(partner=customer, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.olimp_followup_ids.user_id, self.salesman)
        self.assertEqual(order.olimp_followup_ids.create_uid, self.salesman)

    def test_activity_done_by_assignee_on_customer(self):
        self.own.activity_id.with_user(self.salesman).action_done()
        self.assertEqual(self.own.state, "done")

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        self.admin.write({"company_ids": [(4, other_company.id)]})
        followup = self.own.with_user(self.admin).with_context(allowed_company_ids=[other_company.id])
        with self.assertRaises(AccessError):
            followup.read(["state"])
        self.assertTrue(self.own.with_user(self.admin).read(["state"]))
