from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class FollowupCase(TransactionCase):
    """Sales people, a team, an employee hierarchy, a customer and a product; no rule but the ones a test makes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True))
        cls.Rule = cls.env["olimp.followup.rule"]
        cls.Followup = cls.env["olimp.followup"]
        # The default regulation is data: tests declare the rules they need.
        cls.Rule.search([]).write({"active": False})
        cls.company = cls.env.company

        cls.salesman = new_test_user(
            cls.env, login="fu_salesman", groups="sales_team.group_sale_salesman", name="Sam Seller", tz="UTC"
        )
        cls.salesman_2 = new_test_user(
            cls.env, login="fu_salesman_2", groups="sales_team.group_sale_salesman", name="Sue Seller", tz="UTC"
        )
        cls.leader = new_test_user(
            cls.env,
            login="fu_leader",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Lea Leader",
            tz="UTC",
        )
        cls.manager = new_test_user(
            cls.env,
            login="fu_manager",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Max Manager",
            tz="UTC",
        )
        cls.admin = new_test_user(
            cls.env, login="fu_admin", groups="sales_team.group_sale_manager", name="Ada Admin", tz="UTC"
        )
        cls.outsider = new_test_user(
            cls.env, login="fu_outsider", groups="sales_team.group_sale_salesman", name="Otto Other", tz="UTC"
        )

        cls.team = cls.env["crm.team"].create(
            {
                "name": "Follow-up Team",
                "user_id": cls.leader.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": cls.salesman.id}),
                    Command.create({"user_id": cls.salesman_2.id}),
                ],
            }
        )
        cls.other_team = cls.env["crm.team"].create(
            {"name": "Other Team", "crm_team_member_ids": [Command.create({"user_id": cls.outsider.id})]}
        )
        Employee = cls.env["hr.employee"]
        cls.manager_employee = Employee.create({"name": "Max Manager", "user_id": cls.manager.id})
        cls.salesman_employee = Employee.create(
            {"name": "Sam Seller", "user_id": cls.salesman.id, "parent_id": cls.manager_employee.id}
        )

        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Customer Co", "is_company": True, "user_id": cls.salesman_2.id})
        cls.contact = Partner.create({"name": "Carl Contact", "parent_id": cls.customer.id, "type": "contact"})
        cls.customer_2 = Partner.create({"name": "Second Customer", "is_company": True})
        cls.product = cls.env["product.product"].create(
            {"name": "Follow-up Service", "type": "service", "list_price": 100.0, "invoice_policy": "order"}
        )

    @classmethod
    def _order(cls, partner=None, user=None, team=None, amount=100.0, confirm=False):
        user = user if user is not None else cls.salesman
        order = cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "user_id": user.id,
                "team_id": (team if team is not None else cls.team).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _rule(cls, **vals):
        return cls.Rule.create(
            {
                "name": "Feedback call",
                "trigger": "order_confirmed",
                "delay_days": 3,
                "task_type": "feedback",
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
                "responsible": "order_salesperson",
                "script": "<p>How do you like it?</p>",
                "company_id": False,
                **vals,
            }
        )

    def _activities(self, records):
        return self.env["mail.activity"].search([("res_model", "=", records._name), ("res_id", "in", records.ids)])
