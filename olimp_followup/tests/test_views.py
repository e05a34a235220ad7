from odoo.tests import Form, new_test_user, tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestViews(FollowupCase):
    def test_followup_views_load_for_a_salesperson(self):
        Followup = self.Followup.with_user(self.salesman)
        for xmlid in ("olimp_followup.olimp_followup_action_my", "olimp_followup.olimp_followup_action"):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            views = Followup.get_views([(False, mode) for mode in action["view_mode"].split(",")] + [(False, "search")])
            self.assertEqual(set(views["views"]), {*action["view_mode"].split(","), "search"})

    def test_partner_and_order_forms(self):
        self._rule()
        order = self._order(confirm=True)
        with Form(order.with_user(self.salesman)) as order_form:
            self.assertEqual(order_form.olimp_followup_count, 1)
        with Form(self.customer.with_user(self.salesman)) as partner_form:
            partner_form.olimp_passport_needs = "Faster deliveries"
        self.assertTrue(self.customer.olimp_passport_date)
        # An employee outside sales opens contacts without seeing follow-ups.
        employee = new_test_user(self.env, login="fu_employee", groups="base.group_user")
        self.assertEqual(self.customer.with_user(employee).olimp_followup_count, 0)

    def test_rule_form(self):
        with Form(self.Rule.with_user(self.admin)) as rule_form:
            rule_form.name = "Offer after two months"
            rule_form.delay_days = 60
            rule_form.task_type = "offer"
            rule_form.responsible = "user"
            rule_form.user_id = self.leader
        rule = rule_form.record
        self.assertEqual((rule.trigger, rule.source_model), ("order_confirmed", "sale.order"))
        self.assertEqual(rule.activity_type_id, self.env.ref("mail.mail_activity_data_call"))

    def test_other_views(self):
        for model, xmlid in (
            ("res.partner", "olimp_followup.res_partner_action_reorder"),
            ("calendar.event", "olimp_followup.calendar_event_action_protocols"),
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            modes = action["view_mode"].split(",")
            views = self.env[model].with_user(self.salesman).get_views([(action["view_id"][0], modes[0])])
            self.assertIn(modes[0], views["views"])
        event_form = self.env["calendar.event"].with_user(self.salesman).get_views([(False, "form")])
        self.assertIn("olimp_protocol", event_form["views"]["form"]["arch"])
