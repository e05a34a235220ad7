from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MONTH, TODAY, OlimpKpiCase

PREVIOUS_MONTH = "2026-10-01"
NEXT_MONTH = "2026-12-01"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestScreens(OlimpKpiCase):
    """Server data of the scorecard screen, the team board and the plan grid: what each user sees and may edit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls._kpi("SCR_LEADS")
        cls.check = cls._qualitative_kpi("SCR_CHECK", ["Leaflets", "Presentation"])
        cls.profile = cls._profile("Screens", [(cls.leads, 4, 2), (cls.check, 100, 1)])
        cls.employee_a.olimp_kpi_profile_id = cls.profile
        cls.employee_b.olimp_kpi_profile_id = cls.profile
        cls.team_employees = cls.employee_a | cls.employee_b
        for day in ("2026-11-03", "2026-11-05", "2026-11-09", "2026-10-12"):
            cls._lead(cls.user_a, day)
        for day in ("2026-11-02", "2026-11-04", "2026-11-06", "2026-11-08", "2026-11-10"):
            cls._lead(cls.user_b, day)
        cls.previous = cls.Scorecard.generate(PREVIOUS_MONTH, cls.team_employees)
        cls.cards = cls.Scorecard.generate(MONTH, cls.team_employees)
        (cls.previous | cls.cards).action_refresh()
        cls.card_a = cls.cards.filtered(lambda sc: sc.employee_id == cls.employee_a)
        cls.card_b = cls.cards.filtered(lambda sc: sc.employee_id == cls.employee_b)

    def _rows(self, board):
        """Rows of this test's employees (demo data may add others)."""
        return [row for row in board["rows"] if row["employee"]["id"] in self.team_employees.ids]

    # -- scorecard screen ------------------------------------------------------------------------------------
    def test_screen_shows_own_card_with_details(self):
        # A salesperson, who may read the opportunities counted (without that right there is nothing to open).
        self.user_a.groups_id += self.env.ref("sales_team.group_sale_salesman")
        data = self.Scorecard.with_user(self.user_a).get_screen_data(month=MONTH)
        self.assertEqual(data["employee"]["id"], self.employee_a.id)
        self.assertEqual([employee["id"] for employee in data["employees"]], [self.employee_a.id])
        self.assertEqual(data["scorecard"]["id"], self.card_a.id)
        self.assertFalse(data["can_edit"], "a salesperson reads their card, they do not edit it")
        self.assertEqual(
            (data["month"]["key"], data["previous_month"], data["next_month"]), (MONTH, "2026-10-01", NEXT_MONTH)
        )
        leads, check = data["lines"]
        self.assertEqual(leads["code"], "SCR_LEADS")
        self.assertEqual((leads["target"], leads["actual"], leads["previous_actual"]), (4, 3, 1))
        self.assertEqual((leads["zone"], leads["trend"], leads["trend_good"]), ("red", "up", True))
        self.assertTrue(leads["can_open_records"])
        self.assertIn("Lead/Opportunity", leads["definition"])
        self.assertEqual(len(leads["history"]), 6)
        self.assertEqual([point and point["actual"] for point in leads["history"][-2:]], [1, 3])
        self.assertEqual(leads["history"][0], None, "no scorecard six months ago")
        self.assertEqual([answer["name"] for answer in check["answers"]], ["Leaflets", "Presentation"])
        self.assertFalse(check["can_open_records"])
        self.assertEqual(data["labels"]["zone"]["red"], "Red")

    def test_screen_never_shows_another_card_to_a_salesperson(self):
        data = self.Scorecard.with_user(self.user_a).get_screen_data(employee_id=self.employee_b.id, month=MONTH)
        self.assertFalse(data["scorecard"])
        self.assertFalse(data["lines"])
        self.assertEqual(data["employee"]["name"], "Boris")

    def test_screen_of_a_team_leader_without_own_card(self):
        data = self.Scorecard.with_user(self.manager_user).get_screen_data(month=MONTH)
        self.assertEqual(data["scorecard"]["id"], self.card_a.id, "the first card of the team")
        self.assertTrue(data["can_edit"])
        data = self.Scorecard.with_user(self.manager_user).get_screen_data(employee_id=self.employee_b.id)
        self.assertFalse(data["scorecard"], "Boris is not in this team leader's team")

    def test_screen_of_an_empty_month(self):
        data = self.Scorecard.with_user(self.user_a).get_screen_data(month="2026-05-17")
        self.assertEqual(data["month"]["key"], "2026-05-01")
        self.assertFalse(data["scorecard"])
        self.assertFalse(data["employees"])

    def test_closed_card_is_read_only_on_screen(self):
        self._close(self.card_a)
        data = self.Scorecard.with_user(self.manager_user).get_screen_data(self.employee_a.id, MONTH)
        self.assertEqual(data["scorecard"]["state"], "closed")
        self.assertFalse(data["can_edit"])

    # -- team board ------------------------------------------------------------------------------------------
    def test_team_board_follows_access_rules(self):
        admin_rows = self._rows(self.Scorecard.with_user(self.admin_user).get_team_board(MONTH))
        self.assertEqual([row["employee"]["name"] for row in admin_rows], ["Anna", "Boris"])
        board = self.Scorecard.with_user(self.user_a).get_team_board(MONTH)
        self.assertEqual([row["employee"]["id"] for row in board["rows"]], [self.employee_a.id])
        board = self.Scorecard.with_user(self.manager_user).get_team_board(MONTH)
        self.assertEqual([row["employee"]["id"] for row in board["rows"]], [self.employee_a.id])

    def test_team_board_cells_and_filters(self):
        team = self.env["crm.team"].create({"name": "Screens North"})
        self.card_b.team_id = team
        board = self.Scorecard.with_user(self.admin_user).get_team_board(MONTH, team_id=team.id)
        self.assertEqual([row["employee"]["id"] for row in board["rows"]], [self.employee_b.id])
        self.assertIn({"id": team.id, "name": "Screens North"}, board["teams"])
        self.assertEqual([column["code"] for column in board["columns"]], ["SCR_LEADS", "SCR_CHECK"])
        leads, check = board["rows"][0]["cells"]
        self.assertEqual((leads["completion"], leads["zone"]), (125, "green"))
        self.assertEqual((check["completion"], check["zone"]), (0, "red"))
        self.assertEqual(board["averages"], [125, 0])
        board = self.Scorecard.with_user(self.admin_user).get_team_board(MONTH, company_id=self.env.company.id)
        self.assertEqual(len(self._rows(board)), 2)

    def test_board_queries_do_not_grow_with_the_team(self):
        def count(method, **kwargs):
            # Called twice, the second counted: the registry's caches (rules, labels), which creating users
            # clears, are filled by the first, so that the count is that of the data's queries.
            Scorecard = self.Scorecard.with_user(self.admin_user)
            getattr(Scorecard, method)(month=MONTH, **kwargs)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            getattr(Scorecard, method)(month=MONTH, **kwargs)
            return self.env.cr.sql_log_count - before

        small = {method: count(method) for method in ("get_team_board", "get_plan_grid")}
        small_screen = count("get_screen_data", employee_id=self.employee_a.id)
        more = self.env["hr.employee"]
        for index in range(5):
            user = new_test_user(self.env, f"screens_more_{index}", groups="olimp_kpi.group_kpi_user")
            more |= self._employee(f"More {index}", user, profile=self.profile)
        self.Scorecard.generate(MONTH, more)
        for method, queries in small.items():
            self.assertEqual(count(method), queries, f"{method}: one query per need, not per employee")
        self.assertEqual(count("get_screen_data", employee_id=self.employee_a.id), small_screen)

    # -- plan grid -------------------------------------------------------------------------------------------
    def test_plan_grid_kpis_of_a_month(self):
        grid = self.Scorecard.with_user(self.manager_user).get_plan_grid(MONTH)
        self.assertEqual(grid["mode"], "kpis")
        self.assertEqual([row["employee"]["id"] for row in grid["rows"]], [self.employee_a.id])
        self.assertEqual([column["code"] for column in grid["columns"]], ["SCR_LEADS", "SCR_CHECK"])
        leads = grid["rows"][0]["cells"][0]
        self.assertEqual((leads["target"], leads["state"], leads["editable"]), (4, "open", True))
        grid = self.Scorecard.with_user(self.user_a).get_plan_grid(MONTH)
        self.assertFalse(grid["can_edit"])
        self.assertFalse(grid["rows"][0]["cells"][0]["editable"])

    def test_plan_grid_year_of_a_kpi(self):
        self._close(self.previous.filtered(lambda sc: sc.employee_id == self.employee_a))
        grid = self.Scorecard.with_user(self.manager_user).get_plan_grid(MONTH, mode="year", kpi_id=self.leads.id)
        self.assertEqual((grid["mode"], grid["kpi_id"], grid["year"]), ("year", self.leads.id, 2026))
        self.assertEqual([column["key"] for column in grid["columns"]][9:], [PREVIOUS_MONTH, MONTH, NEXT_MONTH])
        september, october, november, december = grid["rows"][0]["cells"][8:]
        self.assertEqual((september["source"], september["editable"]), ("profile", True), "no scorecard: the profile")
        self.assertEqual((october["state"], october["editable"]), ("closed", False))
        self.assertTrue(november["editable"])
        self.assertEqual((december["value"], december["state"]), (4, "none"))

    def test_plan_edits_are_checked_on_the_server(self):
        line_a = self._line(self.card_a, self.leads)
        with self.assertRaises(AccessError):
            line_a.with_user(self.user_a).write({"target": 3})
        with self.assertRaises(AccessError):
            self._line(self.card_b, self.leads).with_user(self.manager_user).write({"target": 3})
        line_a.with_user(self.manager_user).write({"target": 3})
        self.assertEqual((line_a.zone, line_a.completion), ("green", 100))
        self.assertEqual(self.card_a.green_count, 1, "the scorecard follows the plan at once")
        self._close(self.card_a)
        with self.assertRaises(UserError):
            line_a.with_user(self.manager_user).write({"target": 5})

    def test_copy_plan_to_next_month(self):
        self._line(self.card_a, self.leads).with_user(self.manager_user).write({"target": 6})
        result = self.Scorecard.with_user(self.manager_user).copy_plan_to_next_month(MONTH)
        self.assertEqual((result["month"]["key"], result["copied"], result["closed"]), (NEXT_MONTH, 2, 0))
        plans = self.env["olimp.kpi.plan"].search(
            [("date_from", "=", NEXT_MONTH), ("employee_id", "in", self.team_employees.ids)]
        )
        self.assertEqual(plans.employee_id, self.employee_a, "only the team leader's team")
        self.assertEqual(sorted(plans.mapped("target")), [6, 100])
        december = self.Scorecard.generate(NEXT_MONTH, self.employee_a)
        self.assertEqual(self._line(december, self.leads).target, 6, "December's scorecard takes the plans")
        # A closed month keeps its plans.
        self._line(self.card_a, self.leads).with_user(self.manager_user).write({"target": 7})
        self._close(december)
        result = self.Scorecard.with_user(self.manager_user).copy_plan_to_next_month(MONTH)
        self.assertEqual((result["copied"], result["closed"]), (0, 2))
        self.assertEqual(self._line(december, self.leads).target, 6)

    def test_copy_plan_needs_a_team_leader(self):
        with self.assertRaises(AccessError):
            self.Scorecard.with_user(self.user_a).copy_plan_to_next_month(MONTH)
        with self.assertRaisesRegex(UserError, "up to"):
            self.Scorecard.with_user(self.manager_user).copy_plan_to_next_month("2027-12-01")

    # -- plans list (import) and drill-down ------------------------------------------------------------------
    def test_line_added_by_hand_takes_the_kpi_definition(self):
        extra = self._qualitative_kpi("SCR_EXTRA", ["Protocols"])
        line = (
            self.env["olimp.kpi.scorecard.line"]
            .with_user(self.manager_user)
            .create({"scorecard_id": self.card_a.id, "kpi_id": extra.id, "target": 100})
        )
        self.assertEqual((line.kind, line.unit, line.direction), ("qualitative", "percent", "higher"))
        self.assertEqual(line.answer_ids.mapped("name"), ["Protocols"])

    def test_plans_list_allows_import(self):
        action = self.env.ref("olimp_kpi.olimp_kpi_scorecard_line_action_plan")
        arch = self.env["olimp.kpi.scorecard.line"].get_view(action.view_id.id, "list")["arch"]
        self.assertNotIn('create="0"', arch, "Odoo's import needs a list that allows creation")
        self.assertNotIn('import="0"', arch)
        line = self._line(self.card_a, self.leads)
        self.manager_user.groups_id += self.env.ref("base.group_allow_export")
        external_id = line.with_user(self.manager_user).export_data(["id"])["datas"][0][0]
        result = (
            self.env["olimp.kpi.scorecard.line"]
            .with_user(self.manager_user)
            .load(["id", "target"], [[external_id, "9"]])
        )
        self.assertFalse(result["messages"])
        self.assertEqual(line.target, 9)

    def test_salesperson_opens_the_records_counted(self):
        self.user_a.groups_id += self.env.ref("sales_team.group_sale_salesman")
        action = self._line(self.card_a, self.leads).with_user(self.user_a).action_open_records()
        self.assertEqual(self.Lead.with_user(self.user_a).search_count(action["domain"]), 3)
