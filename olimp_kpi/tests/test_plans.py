import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import MONTH, TODAY, OlimpKpiCase

NEXT_MONTH = "2026-12-01"


class PlanCase(OlimpKpiCase):
    """A team leader (``manager_user``) leads Anna (``employee_a``, a direct report); Boris is in nobody's team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["olimp.kpi.plan"]
        cls.leads = cls._kpi("PLN_LEADS")
        cls.revenue = cls._kpi("PLN_REVENUE", aggregation="sum", measure="expected_revenue", unit="amount")
        cls.check = cls._qualitative_kpi("PLN_CHECK", ["Plan of meetings", "Leaflets"])
        cls.profile = cls._profile("Plans", [(cls.leads, 10, 1), (cls.revenue, 500000, 1), (cls.check, 100, 1)])
        (cls.employee_a | cls.employee_b).olimp_kpi_profile_id = cls.profile

    def _plan(self, employee, kpi, month=MONTH, target=0.0):
        return self.Plan.create({"employee_id": employee.id, "kpi_id": kpi.id, "date_from": month, "target": target})

    def _find(self, employee, kpi, month=MONTH):
        return self.Plan.search([("employee_id", "=", employee.id), ("kpi_id", "=", kpi.id), ("date_from", "=", month)])

    def _cell(self, grid, employee, kpi_code=None, month=None):
        row = next(row for row in grid["rows"] if row["employee"]["id"] == employee.id)
        for column, cell in zip(grid["columns"], row["cells"], strict=True):
            if (kpi_code and column.get("code") == kpi_code) or (month and column.get("key") == month):
                return cell
        raise AssertionError(f"no cell {kpi_code or month}")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPlanModel(PlanCase):
    def test_generate_takes_the_months_plan_else_the_profiles(self):
        self._plan(self.employee_a, self.leads, NEXT_MONTH, 7)
        scorecard = self._scorecard(self.employee_a, NEXT_MONTH)
        self.assertEqual(self._line(scorecard, self.leads).target, 7, "the month's plan")
        self.assertEqual(self._line(scorecard, self.revenue).target, 500000, "the profile's")
        other = self._scorecard(self.employee_b, NEXT_MONTH)
        self.assertEqual(self._line(other, self.leads).target, 10, "a plan is one employee's")

    def test_plan_and_open_line_follow_each_other(self):
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, self.leads)
        manager_line = line.with_user(self.manager_user)
        manager_line.write({"target": 12})
        plan = self._find(self.employee_a, self.leads)
        self.assertEqual(plan.target, 12, "the line's new target is the month's plan")
        plan.with_user(self.manager_user).target = 8
        self.assertEqual(line.target, 8, "the plan's change reaches the open scorecard")
        self.Lead.create({"name": "L", "user_id": self.user_a.id, "date_deadline": "2026-11-03", "type": "opportunity"})
        scorecard.action_refresh()
        self.assertAlmostEqual(line.completion, 100 / 8)
        plan.with_user(self.manager_user).unlink()
        self.assertEqual(line.target, 10, "without a plan, the profile's again")

    def test_closed_month_refuses_plans(self):
        scorecard = self._scorecard(self.employee_a)
        plan = self._plan(self.employee_a, self.leads, MONTH, 9)
        self._close(scorecard)
        manager_plans = self.Plan.with_user(self.manager_user)
        with self.assertRaisesRegex(UserError, "closed"):
            plan.with_user(self.manager_user).target = 11
        with self.assertRaisesRegex(UserError, "closed"):
            manager_plans.create(
                {"employee_id": self.employee_a.id, "kpi_id": self.revenue.id, "date_from": MONTH, "target": 1}
            )
        with self.assertRaisesRegex(UserError, "closed"):
            plan.with_user(self.manager_user).unlink()
        self.assertEqual((plan.target, self._line(scorecard, self.leads).target), (9, 9))

    def test_plans_that_make_no_sense_are_refused(self):
        cases = [
            (self.leads, MONTH, 7.5, "whole number"),
            (self.check, MONTH, 150, "at most 100"),
            (self.revenue, MONTH, -1, "negative"),
            (self.leads, "2026-11-15", 5, "first day"),
        ]
        for kpi, month, target, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(ValidationError, message):
                self.Plan.with_user(self.manager_user).create(
                    {"employee_id": self.employee_a.id, "kpi_id": kpi.id, "date_from": month, "target": target}
                )
        plan = self._plan(self.employee_a, self.leads, NEXT_MONTH, 5)
        with self.assertRaisesRegex(UserError, "cannot change"):
            plan.date_from = "2027-01-01"

    def test_one_plan_per_employee_kpi_and_month(self):
        self._plan(self.employee_a, self.leads, NEXT_MONTH, 5)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self._plan(self.employee_a, self.leads, NEXT_MONTH, 6)

    def test_rights(self):
        plan_a = self._plan(self.employee_a, self.leads, NEXT_MONTH, 5)
        plan_b = self._plan(self.employee_b, self.leads, NEXT_MONTH, 5)
        self.assertEqual(self.Plan.with_user(self.user_a).search([]), plan_a, "a salesperson reads her own")
        with self.assertRaises(AccessError):
            plan_a.with_user(self.user_a).target = 6
        with self.assertRaises(AccessError):
            self.Plan.with_user(self.user_a).create(
                {"employee_id": self.employee_a.id, "kpi_id": self.revenue.id, "date_from": NEXT_MONTH}
            )
        self.assertEqual(self.Plan.with_user(self.manager_user).search([]), plan_a, "a team leader, his team's")
        plan_a.with_user(self.manager_user).target = 6
        with self.assertRaises(AccessError):
            plan_b.with_user(self.manager_user).target = 6
        plan_b.with_user(self.admin_user).target = 4
        self.assertEqual((plan_a.target, plan_b.target), (6, 4))

    def test_grid_lists_whom_the_record_rules_allow(self):
        """The grid's employees without a plan yet are those whose plans the record rules let the user change."""
        team_user = new_test_user(self.env, "pln_team_member", groups="olimp_kpi.group_kpi_user")
        team = self.env["crm.team"].create({"name": "Plans North", "user_id": self.manager_user.id})
        team.member_ids = [Command.link(team_user.id)]
        member = self._employee("Member", team_user, profile=self.profile)
        ours = self.employee_a | self.employee_b | member
        for user, expected in [
            (self.manager_user, self.employee_a | member),
            (self.user_a, self.employee_a),
            (self.admin_user, ours),
        ]:
            with self.subTest(user=user.login):
                grid = self.Plan.with_user(user).get_grid(NEXT_MONTH)
                listed = {row["employee"]["id"] for row in grid["rows"]} & set(ours.ids)
                self.assertEqual(listed, set(expected.ids))
                plans = self.Plan.sudo().create(
                    [
                        {"employee_id": employee.id, "kpi_id": self.leads.id, "date_from": "2027-02-01"}
                        for employee in ours
                    ]
                )
                self.assertEqual(
                    set(self.Plan.with_user(user).search([("id", "in", plans.ids)]).employee_id.ids), listed
                )
                plans.unlink()

    def test_plans_of_another_company_are_out_of_sight(self):
        other = self.env["res.company"].create({"name": "Plans Elsewhere"})
        user = new_test_user(self.env, "pln_other", groups="olimp_kpi.group_kpi_user", company_id=other.id)
        employee = self.env["hr.employee"].create({"name": "Elsewhere", "user_id": user.id, "company_id": other.id})
        shared = self._kpi("PLN_SHARED", company_id=False)
        plan = self._plan(employee, shared, NEXT_MONTH, 3)
        self.assertEqual(plan.company_id, other, "a plan belongs to its employee's company")
        self.admin_user.company_ids = [Command.link(other.id)]
        admin = self.Plan.with_user(self.admin_user).with_context(allowed_company_ids=[self.company.id])
        self.assertFalse(admin.search([("id", "=", plan.id)]), "not in the companies of the session")
        self.assertTrue(
            admin.with_context(allowed_company_ids=[self.company.id, other.id]).search([("id", "=", plan.id)])
        )
        grid = admin.get_grid(NEXT_MONTH)
        self.assertNotIn(employee.id, [row["employee"]["id"] for row in grid["rows"]])

    def test_kpi_of_another_company(self):
        other = self.env["res.company"].create({"name": "Plans Elsewhere"})
        kpi = self._kpi("PLN_OTHER", company_id=other.id)
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            self._plan(self.employee_a, kpi, NEXT_MONTH, 1)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPlanGrid(PlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.grid = cls.Plan.with_user(cls.manager_user)

    def _set(self, text, kpi=None, month=NEXT_MONTH, seen=None, clear=False, lang="en_US"):
        return self.grid.with_context(lang=lang).set_grid_plan(
            self.employee_a.id, (kpi or self.revenue).id, month, text, seen=seen, clear=clear
        )

    def test_month_and_year_layouts(self):
        grid = self.grid.get_grid(NEXT_MONTH)
        self.assertEqual([column["code"] for column in grid["columns"]], ["PLN_LEADS", "PLN_REVENUE", "PLN_CHECK"])
        cell = self._cell(grid, self.employee_a, "PLN_LEADS")
        self.assertEqual(
            (cell["value"], cell["source"], cell["state"], cell["editable"]), (10, "profile", "none", True)
        )
        self._scorecard(self.employee_a)
        year = self.grid.get_grid(MONTH, mode="year", kpi_id=self.leads.id)
        self.assertEqual(len(year["columns"]), 12)
        self.assertEqual(year["columns"][0]["key"], "2026-01-01")
        november = self._cell(year, self.employee_a, month=MONTH)
        self.assertEqual((november["source"], november["state"]), ("scorecard", "open"))
        self.assertEqual(year["next_year"], "2027-01-01")
        self.assertFalse(self.grid.get_grid("2027-06-01", mode="year")["next_year"], "up to the end of next year")

    def test_any_month_up_to_twelve_ahead(self):
        for month in ("2027-11-01", "2027-12-01"):
            self._set("7", self.leads, month=month)
            self.assertEqual(self._find(self.employee_a, self.leads, month).target, 7)
        with self.assertRaisesRegex(UserError, "up to"):
            self._set("7", self.leads, month="2028-01-01")
        self.assertTrue(self._cell(self.grid.get_grid("2027-11-01"), self.employee_a, "PLN_LEADS")["editable"])

    def test_numbers_in_the_users_language(self):
        self._set("1,5", lang="ru_RU")
        self.assertEqual(self._find(self.employee_a, self.revenue, NEXT_MONTH).target, 1.5, "Russian 1,5 is 1.5")
        self._set("500 000", seen=1.5, lang="ru_RU")
        self.assertEqual(self._find(self.employee_a, self.revenue, NEXT_MONTH).target, 500000)
        with self.assertRaisesRegex(UserError, "not a number in your language"):
            self._set("1,5", seen=500000)
        self._set("1,500,000", seen=500000)
        self.assertEqual(self._find(self.employee_a, self.revenue, NEXT_MONTH).target, 1500000)

    def test_plans_that_make_no_sense(self):
        cases = [
            ("1e3", self.revenue, "scientific notation"),
            ("7.5", self.leads, "whole number"),
            ("150", self.check, "at most 100"),
            ("-5", self.revenue, "negative"),
            ("abc", self.revenue, "not a number"),
        ]
        for text, kpi, message in cases:
            with self.subTest(text=text), self.assertRaisesRegex(UserError, message):
                self._set(text, kpi)
        self.assertFalse(self.Plan.search([("employee_id", "=", self.employee_a.id)]), "nothing saved")

    def test_emptied_cell_is_no_plan_only_once_confirmed(self):
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, self.revenue)
        with self.assertRaisesRegex(UserError, "confirm"):
            self._set("", month=MONTH)
        self.assertEqual(line.target, 500000)
        cell = self._set("  ", month=MONTH, clear=True)
        self.assertEqual((cell["value"], cell["source"], line.target, line.zone), (0, "plan", 0, "none"))

    def test_a_plan_changed_meanwhile_is_not_overwritten(self):
        self._set("100", seen=None)
        self.Plan.with_user(self.admin_user).search([("employee_id", "=", self.employee_a.id)]).target = 200
        with self.assertRaisesRegex(UserError, "has just changed"):
            self._set("300", seen=100)
        self.assertEqual(self._find(self.employee_a, self.revenue, NEXT_MONTH).target, 200)
        with self.assertRaisesRegex(UserError, "has just changed"):
            self._set("300", seen=None)
        cell = self._set("300", seen=200)
        self.assertEqual(cell["plan"], 300)

    def test_grid_edits_need_a_team_leader_of_the_employee(self):
        with self.assertRaises(AccessError):
            self.Plan.with_user(self.user_a).set_grid_plan(self.employee_a.id, self.leads.id, NEXT_MONTH, "3")
        with self.assertRaises(AccessError):
            self.grid.set_grid_plan(self.employee_b.id, self.leads.id, NEXT_MONTH, "3")
        self.assertFalse(self.Plan.with_user(self.user_a).get_grid()["can_edit"])

    def test_copy_to_next_month_counts_what_was_copied(self):
        scorecard = self._scorecard(self.employee_a)
        self._line(scorecard, self.leads).with_user(self.manager_user).target = 6
        result = self.grid.copy_to_next_month(MONTH)
        self.assertEqual((result["copied"], result["unchanged"], result["closed"]), (3, 0, 0))
        self.assertEqual(result["month"]["key"], NEXT_MONTH)
        self.assertEqual(self._find(self.employee_a, self.leads, NEXT_MONTH).target, 6)
        self.assertEqual(self._find(self.employee_a, self.revenue, NEXT_MONTH).target, 500000)
        self.assertFalse(self._find(self.employee_b, self.leads, NEXT_MONTH), "only the team leader's team")
        result = self.grid.copy_to_next_month(MONTH)
        self.assertEqual((result["copied"], result["unchanged"]), (0, 3), "again: nothing new")
        december = self._scorecard(self.employee_a, NEXT_MONTH)
        self.assertEqual(self._line(december, self.leads).target, 6)
        self._close(december)
        self._line(scorecard, self.leads).with_user(self.manager_user).target = 7
        result = self.grid.copy_to_next_month(MONTH)
        self.assertEqual((result["copied"], result["closed"]), (0, 3))
        self.assertEqual(self._line(december, self.leads).target, 6, "a closed month keeps its plans")

    def test_copy_year_forward_with_a_raise(self):
        self._set("10", self.leads, month="2026-03-01")
        result = self.grid.with_context(lang="ru_RU").copy_year_forward(2026, "5,5")
        self.assertEqual(result["copied"], 36, "3 KPIs × 12 months")
        self.assertEqual(self._find(self.employee_a, self.leads, "2027-03-01").target, 11, "10.55 meetings: 11")
        self.assertEqual(self._find(self.employee_a, self.revenue, "2027-07-01").target, 527500)
        self.assertEqual(self._find(self.employee_a, self.check, "2027-07-01").target, 100, "at most 100 %")
        result = self.grid.copy_year_forward(2026, "5.5", kpi_id=self.leads.id)
        self.assertEqual((result["copied"], result["unchanged"]), (0, 12))
        with self.assertRaisesRegex(UserError, "up to"):
            self.grid.copy_year_forward(2027, 5)
        with self.assertRaisesRegex(UserError, "not a percentage"):
            self.grid.copy_year_forward(2026, "1e2")

    def test_fill_the_year_from_the_profile(self):
        self._set("3", self.leads, month="2027-02-01")
        result = self.grid.fill_year_from_profile(2027, kpi_id=self.leads.id)
        self.assertEqual((result["filled"], result["planned"]), (11, 1))
        self.assertEqual(self._find(self.employee_a, self.leads, "2027-02-01").target, 3, "typed plans stay")
        self.assertEqual(self._find(self.employee_a, self.leads, "2027-05-01").target, 10)
        self.assertFalse(self._find(self.employee_a, self.revenue, "2027-05-01"), "only the KPI shown")

    def test_grid_queries_do_not_grow_with_the_team(self):
        def count():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Plan.with_user(self.admin_user).get_grid(NEXT_MONTH, mode="year", kpi_id=self.leads.id)
            return self.env.cr.sql_log_count - before

        count()
        small = count()
        for index in range(4):
            user = new_test_user(self.env, f"pln_more_{index}", groups="olimp_kpi.group_kpi_user")
            employee = self._employee(f"More {index}", user, profile=self.profile)
            self._plan(employee, self.leads, NEXT_MONTH, 3)
        count()
        self.assertLessEqual(count(), small + 2, "one query per need, not per employee")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestProrating(PlanCase):
    """November 2026 has 21 working days (Monday to Friday); starting on Thursday the 19th leaves 8 of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        calendar = cls.env["resource.calendar"].create({"name": "Plans 40 h", "tz": "UTC"})
        (cls.employee_a | cls.employee_b).resource_calendar_id = calendar
        cls.calendar = calendar

    def test_a_start_during_the_month(self):
        self.employee_a.olimp_date_start = "2026-11-19"
        scorecard = self._scorecard(self.employee_a)
        leads, revenue, check = (self._line(scorecard, kpi) for kpi in (self.leads, self.revenue, self.check))
        self.assertEqual((leads.target, revenue.target, check.target), (4, 190476, 100), "counts whole, not percents")
        self.assertEqual(leads.prorate_note, "pro-rated: 8 of 21 working days")
        self.assertFalse(check.prorate_note)
        untouched = self._scorecard(self.employee_a, NEXT_MONTH)
        self.assertEqual(self._line(untouched, self.leads).target, 10, "a whole month is not pro-rated")
        # The month's plan changes: the line follows, pro-rated; typed on the line, it is the plan as it is.
        self._plan(self.employee_a, self.leads, MONTH, 21)
        self.assertEqual(leads.target, 8)
        leads.with_user(self.manager_user).target = 5
        self.assertEqual(
            (leads.target, leads.prorate_note, self._find(self.employee_a, self.leads).target), (5, False, 5)
        )

    def test_a_departure_and_a_public_holiday(self):
        self.employee_b.departure_date = "2026-11-10"
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": "2026-11-04 00:00:00",
                "date_to": "2026-11-04 23:59:59",
            }
        )
        line = self._line(self._scorecard(self.employee_b), self.leads)
        self.assertEqual(line.prorate_note, "pro-rated: 6 of 20 working days")
        self.assertEqual(line.target, 3)

    def test_the_plan_of_the_month_is_pro_rated_too(self):
        self.employee_a.olimp_date_start = "2026-11-19"
        self._plan(self.employee_a, self.revenue, MONTH, 210000)
        line = self._line(self._scorecard(self.employee_a), self.revenue)
        self.assertEqual(line.target, 80000)
        grid = self.Plan.with_user(self.manager_user).get_grid(MONTH)
        cell = self._cell(grid, self.employee_a, "PLN_REVENUE")
        self.assertEqual((cell["value"], cell["target"]), (210000, 80000), "the grid shows the plan and the line")
        self.assertEqual(cell["prorate_note"], "pro-rated: 8 of 21 working days")

    def test_contract_dates_when_there_are_contracts(self):
        if "hr.contract" not in self.env:
            self.skipTest("Employee Contracts (hr_contract) is not installed")
        self.employee_a.olimp_date_start = "2026-11-01"  # the contracts win
        self.env["hr.contract"].create(
            {
                "name": "Anna",
                "employee_id": self.employee_a.id,
                "date_start": "2026-11-19",
                "wage": 1000,
                "state": "open",
                "resource_calendar_id": self.calendar.id,
            }
        )
        line = self._line(self._scorecard(self.employee_a), self.leads)
        self.assertEqual((line.target, line.prorate_note), (4, "pro-rated: 8 of 21 working days"))
