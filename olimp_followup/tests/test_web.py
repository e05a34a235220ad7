from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "-standard", "olimp_followup_ui")
class TestWebClient(HttpCase):
    """The views open in the web client without errors, for a salesperson and for an administrator.

    Needs Chrome and takes about 40 s, so it is not in the standard run: ``--test-tags olimp_followup_ui``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["olimp.followup.rule"].search([]).write({"active": False})
        cls.salesman = new_test_user(cls.env, login="fu_web", groups="sales_team.group_sale_salesman")
        cls.admin = new_test_user(cls.env, login="fu_web_admin", groups="sales_team.group_sale_manager,base.group_user")
        cls.rule = cls.env["olimp.followup.rule"].create(
            {"name": "Web feedback", "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Web Customer", "is_company": True})
        product = cls.env["product.product"].create({"name": "Web Service", "type": "service"})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.salesman.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 10})],
            }
        )
        cls.order.action_confirm()
        cls.followup = cls.order.olimp_followup_ids

    def _open(self, url, selector, login="fu_web"):
        self.browser_js(
            url, "console.log('test successful')", ready=f"!!document.querySelector({selector!r})", login=login
        )

    def test_followup_views(self):
        action = "/odoo/action-olimp_followup.olimp_followup_action_my"
        self._open(f"{action}?view_type=list", ".o_list_view .o_data_row")
        self._open(f"{action}?view_type=kanban", ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)")
        self._open(f"{action}?view_type=calendar", ".o_calendar_view")
        self._open(f"{action}?view_type=activity", ".o_activity_view")
        self._open(f"{action}/{self.followup.id}", ".o_form_view .o_statusbar_status")

    def test_document_views(self):
        self._open(
            f"/odoo/action-sale.action_orders/{self.order.id}",
            ".o_form_view .oe_stat_button[name=action_olimp_open_followups]",
        )
        self._open(f"/odoo/action-base.action_partner_form/{self.customer.id}", ".o_form_view .o_notebook")
        self._open("/odoo/action-olimp_followup.res_partner_action_reorder", ".o_list_view")
        self._open("/odoo/action-olimp_followup.calendar_event_action_protocols", ".o_list_view")

    def test_rule_views(self):
        action = "/odoo/action-olimp_followup.olimp_followup_rule_action"
        self._open(action, ".o_list_view .o_data_row", login="fu_web_admin")
        self._open(f"{action}/{self.rule.id}", ".o_form_view .o_field_domain", login="fu_web_admin")
