"""The CRM app: the menus, the customer's post-sale state on the opportunity, and the follow-up an opportunity came
from, for sales people who live in the pipeline (least-privileged: *Sales / User: Own Documents Only*)."""

from ast import literal_eval
from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.tests import Form, new_test_user, tagged

from .common import FollowupCase

# The customer ordered on 2025-03-10; with the default rhythm of 90 days the next order is expected on 2025-06-08.
ORDER_DAY = "2025-03-10 10:00:00"
OVERDUE_DAY = "2025-07-01 10:00:00"


@tagged("post_install", "-at_install")
class TestCrm(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule(delay_days=30, task_type="needs", name="Find needs")
        with freeze_time(ORDER_DAY):
            cls.order = cls._order(confirm=True)
        cls.followup = cls.order.olimp_followup_ids
        cls.customer.write({"olimp_passport_needs": "Scanners", "olimp_passport_products": "Our service"})
        Lead = cls.env["crm.lead"]
        # An opportunity on the customer's contact person: the customer is the contact's company.
        cls.lead = Lead.create(
            {"name": "Upgrade", "type": "opportunity", "partner_id": cls.contact.id, "user_id": cls.salesman.id}
        )
        cls.lead_new_customer = Lead.create(
            {"name": "First deal", "type": "opportunity", "partner_id": cls.customer_2.id, "user_id": cls.salesman.id}
        )
        cls.internal = new_test_user(cls.env, "fu_crm_internal", groups="base.group_user")

    def test_need_found_links_both_ways(self):
        with freeze_time("2025-04-09 10:00:00"):
            self.followup.with_user(self.salesman).action_done(
                feedback="Wants scanners", lead_values={"name": "Scanners for the new branch"}
            )
        lead = self.followup.lead_id.with_user(self.salesman)
        self.assertEqual(lead.olimp_source_followup_ids, self.followup)
        action = lead.action_olimp_open_source_followups()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["view_mode"]), ("olimp.followup", self.followup.id, "form")
        )
        back = self.followup.with_user(self.salesman).action_olimp_open_lead()
        self.assertEqual((back["res_model"], back["res_id"]), ("crm.lead", lead.id))
        # Both buttons are on the forms the salesperson gets.
        self.assertTrue(self._button(lead, "action_olimp_open_source_followups"))
        self.assertTrue(self._button(self.followup.with_user(self.salesman), "action_olimp_open_lead"))
        # An opportunity made by hand came from no follow-up.
        self.assertFalse(self.lead.with_user(self.salesman).olimp_source_followup_ids)

    def _button(self, record, name):
        arch = etree.fromstring(record.get_view(view_type="form")["arch"])
        return arch.xpath(f"//button[@name='{name}']")

    def test_customer_state_on_the_opportunity(self):
        lead = self.lead.with_user(self.salesman)
        with freeze_time(OVERDUE_DAY):
            self.assertRecordValues(
                lead,
                [
                    {
                        "olimp_reorder_state": "overdue",
                        "olimp_next_order_date": date(2025, 6, 8),
                        "olimp_passport_completeness": self.customer.olimp_passport_completeness,
                    }
                ],
            )
        self.assertGreater(lead.olimp_passport_completeness, 0)
        self.assertEqual(self.lead_new_customer.olimp_reorder_state, "none")

    def test_pipeline_filter_overdue_customers(self):
        Lead = self.env["crm.lead"].with_user(self.salesman)
        filters = etree.fromstring(
            Lead.get_view(self.env.ref("crm.view_crm_case_opportunities_filter").id, "search")["arch"]
        )
        [overdue] = filters.xpath("//filter[@name='olimp_reorder_overdue']")
        domain = [("id", "in", (self.lead | self.lead_new_customer).ids), *literal_eval(overdue.get("domain"))]
        with freeze_time("2025-05-01 10:00:00"):
            self.assertFalse(Lead.search(domain), "the next order is still a month away")
        with freeze_time(OVERDUE_DAY):
            self.assertEqual(Lead.search(domain), self.lead)

    def test_open_followups_of_the_customer(self):
        self.assertEqual(self.lead.with_user(self.salesman).olimp_customer_followup_count, 1)
        action = self.lead.with_user(self.salesman).action_olimp_open_customer_followups()
        self.assertEqual(action["res_model"], "olimp.followup")
        self.assertEqual(self.Followup.with_user(self.salesman).search(action["domain"]), self.followup)
        self.assertEqual(action["context"]["search_default_planned"], 1)
        # Someone else's follow-ups are not counted for a salesperson of another team.
        self.assertEqual(self.lead.with_user(self.outsider).olimp_customer_followup_count, 0)
        # Done follow-ups are not open.
        self.followup.action_done()
        self.lead.invalidate_recordset(["olimp_customer_followup_count"])
        self.assertEqual(self.lead.with_user(self.salesman).olimp_customer_followup_count, 0)

    def test_form_opens_for_salesperson(self):
        with freeze_time(OVERDUE_DAY), Form(self.lead.with_user(self.salesman)) as form:
            self.assertEqual(form.olimp_reorder_state, "overdue")
            form.name = "Upgrade (renamed)"
        self.assertEqual(self.lead.name, "Upgrade (renamed)")

    def test_crm_menus_follow_the_sales_groups(self):
        expectations = {
            "olimp_followup.olimp_followup_menu_crm": [self.salesman, self.leader, self.admin],
            "olimp_followup.olimp_followup_menu_crm_my": [self.salesman, self.leader, self.admin],
            "olimp_followup.olimp_followup_menu_crm_all": [self.leader, self.admin],
            "olimp_followup.olimp_followup_menu_crm_reorder": [self.salesman, self.leader, self.admin],
            "olimp_kpi.olimp_kpi_menu_crm": [self.salesman, self.leader, self.admin],
            "olimp_kpi.olimp_kpi_scorecard_screen_menu_crm": [self.salesman, self.leader, self.admin],
            "olimp_kpi.olimp_kpi_team_board_menu_crm": [self.leader, self.admin],
        }
        sales_menus = self.env["ir.ui.menu"].search([("id", "child_of", self.env.ref("sale.sale_menu_root").id)])
        for xmlid, allowed in expectations.items():
            menu = self.env.ref(xmlid)
            if menu.action:
                # The same screen as in the Sales app, for the same groups.
                [twin] = sales_menus.filtered(lambda m, menu=menu: m.action == menu.action)
                self.assertEqual(menu.groups_id, twin.groups_id, xmlid)
            for user in (self.salesman, self.leader, self.admin, self.internal):
                # Reachable: the menu and every menu above it are shown to the user.
                visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                path = self.env["ir.ui.menu"].search([("id", "parent_of", menu.id)])
                self.assertEqual(set(path.ids) <= visible, user in allowed, f"{xmlid} for {user.login}")
