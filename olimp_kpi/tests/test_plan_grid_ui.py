from odoo import fields
from odoo.tests import HttpCase, tagged


class PlanGridTourCase(HttpCase):
    """The plan grid in headless Chromium, as the demo team leader (admin) plans Irina Petrova's sales."""

    def setUp(self):
        super().setUp()
        self.irina = self.env.ref("olimp_kpi.employee_irina_demo", raise_if_not_found=False)
        if not self.irina:
            self.skipTest("the tours run on the olimp_kpi demo data (olimp_kpi.employee_irina_demo), not installed")
        self.sales = self.env.ref("olimp_kpi.kpi_sales_amount")
        self.next_year = fields.Date.context_today(self.irina).year + 1

    def _plan(self, month):
        self.env.invalidate_all()
        return self.env["olimp.kpi.plan"].search(
            [("employee_id", "=", self.irina.id), ("kpi_id", "=", self.sales.id), ("date_from", "=", month)]
        )


@tagged("post_install", "-at_install")
class TestPlanGridTour(PlanGridTourCase):
    def test_year_of_a_kpi(self):
        """Next year's plans typed in the grid, refused when they make no sense, then copied from this year + 5 %."""
        self.start_tour("/odoo/action-olimp_kpi.olimp_kpi_plan_grid_action", "olimp_kpi_plan_grid", login="admin")
        self.assertEqual(self._plan(f"{self.next_year}-01-01").target, 525000)
        self.assertEqual(self._plan(f"{self.next_year}-02-01").target, 525000, "copied over the emptied month")


@tagged("post_install", "-at_install")
class TestPlanGridPhoneTour(PlanGridTourCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_phone(self):
        url = f"/odoo/action-olimp_kpi.olimp_kpi_plan_grid_action?mode=year&kpi_id={self.sales.id}"
        self.start_tour(url, "olimp_kpi_plan_grid_phone", login="admin")
        self.assertEqual(self._plan(f"{self.next_year}-12-01").target, 700000)
