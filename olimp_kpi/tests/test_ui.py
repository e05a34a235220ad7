from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestScreensTour(HttpCase):
    """The scorecard screen, the team board and the plan grid in headless Chromium, on the article's demo case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.irina = cls.env.ref("olimp_kpi.employee_irina_demo", raise_if_not_found=False)
        if not cls.irina:
            return
        # A colleague with a card of the month, whom the salesperson must not see.
        colleague = new_test_user(
            cls.env, "olimp_tour_colleague", name="Tour Colleague", groups="sales_team.group_sale_salesman"
        )
        cls.colleague = cls.env["hr.employee"].create(
            {
                "name": "Tour Colleague",
                "user_id": colleague.id,
                "olimp_kpi_profile_id": cls.env.ref("olimp_kpi.profile_account_manager_demo").id,
            }
        )
        cls.env["olimp.kpi.scorecard"].generate(employees=cls.colleague)

    def setUp(self):
        super().setUp()
        if not self.irina:
            self.skipTest("the tours run on the olimp_kpi demo data (olimp_kpi.employee_irina_demo), not installed")

    def _sales_line(self):
        self.env.invalidate_all()
        return self.env["olimp.kpi.scorecard.line"].search(
            [
                ("employee_id", "=", self.irina.id),
                ("kpi_id", "=", self.env.ref("olimp_kpi.kpi_sales_amount").id),
                ("state", "=", "open"),
            ],
            order="date_from desc",
            limit=1,
        )

    def test_screens_as_team_leader(self):
        """Red zone and up arrow on the sales row, its details, the team board, a plan edited in the grid."""
        self.assertEqual(self._sales_line().target, 500000)
        self.start_tour("/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action", "olimp_kpi_screens", login="admin")
        line = self._sales_line()
        self.assertEqual(line.target, 480000, "the plan typed in the grid is saved")
        self.assertEqual(line.zone, "green")

    def test_screens_as_salesperson(self):
        """Irina sees her own card only, on the screen and on the team board, and cannot answer checklists."""
        # A plain salesperson: some modules (e.g. OCA payroll) give every existing user more rights on install.
        self.irina.user_id.groups_id = [
            Command.set([self.env.ref("base.group_user").id, self.env.ref("sales_team.group_sale_salesman").id])
        ]
        self.assertFalse(self.irina.user_id.has_group("hr.group_hr_user"))
        self.start_tour(
            "/odoo/action-olimp_kpi.olimp_kpi_scorecard_screen_action",
            "olimp_kpi_screens_salesperson",
            login="irina.petrova",
        )
