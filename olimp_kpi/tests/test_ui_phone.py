from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestScreensPhoneTour(HttpCase):
    """The scorecard screen and the team board on a phone: a 390 × 844 touch screen, as Odoo's own mobile tours
    set it (``browser_size``, ``touch_enabled``), with the salesperson of the demo data."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.irina = cls.env.ref("olimp_kpi.employee_irina_demo", raise_if_not_found=False)

    def setUp(self):
        super().setUp()
        if not self.irina:
            self.skipTest("the tour runs on the olimp_kpi demo data (olimp_kpi.employee_irina_demo), not installed")

    def _sales_line(self, scorecard):
        self.env.invalidate_all()
        return scorecard.line_ids.filtered(lambda line: line.kpi_id == self.env.ref("olimp_kpi.kpi_sales_amount"))

    def test_phone_as_salesperson(self):
        """Stacked KPI rows in view, stale figures refreshed on opening, labelled buttons, a fixed name column."""
        user = self.irina.user_id
        # A plain salesperson: some modules (e.g. OCA payroll) give every existing user more rights on install.
        user.groups_id = [
            Command.set([self.env.ref("base.group_user").id, self.env.ref("sales_team.group_sale_salesman").id])
        ]
        month = fields.Date.context_today(self.env["olimp.kpi.scorecard"]).replace(day=1)
        scorecard = self.env["olimp.kpi.scorecard"].search(
            [("employee_id", "=", self.irina.id), ("date_from", "=", month), ("state", "=", "open")]
        )
        if not scorecard:
            self.skipTest(f"no open demo scorecard of Irina Petrova for {month} (the demo data makes this month's)")
        scorecard.action_refresh()
        self.assertEqual(self._sales_line(scorecard).actual, 491970, "the article's case")
        # She confirms an order of 30,000; the figures on her card are an hour old.
        customer = self.env["res.partner"].create({"name": "Phone Tour Customer"})
        product = self.env["product.product"].create({"name": "Phone Tour Service", "type": "service"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": user.id,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": 30000, "tax_id": [Command.clear()]})
                ],
            }
        )
        order.action_confirm()
        scorecard.refreshed_on = fields.Datetime.now() - timedelta(hours=1)
        self.assertEqual(self._sales_line(scorecard).actual, 491970, "nothing counts it before a refresh")

        self.start_tour(
            "/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action", "olimp_kpi_screens_phone", login=user.login
        )
        line = self._sales_line(scorecard)
        self.assertEqual((line.actual, line.zone), (521970, "green"), "refreshed by the screen")
