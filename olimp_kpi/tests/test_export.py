import base64
import io
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MONTH, TODAY, OlimpKpiCase

RED = "FFC7CE"
GREEN = "C6EFCE"


class ExportCase(OlimpKpiCase):
    """Anna (team North) with the article's sales line: plan 500,000, actual 491,970, red and up; Boris (no team)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hr_reader = new_test_user(
            cls.env, "olimp_export_hr", groups="hr.group_hr_user,olimp_kpi.group_kpi_hr_reader"
        )
        cls.team = cls.env["crm.team"].create({"name": "North", "user_id": cls.manager_user.id})
        cls.env["crm.team.member"].create({"crm_team_id": cls.team.id, "user_id": cls.user_a.id})
        cls.sales = cls._kpi(
            "EXP_SALES", aggregation="sum", measure="expected_revenue", unit="amount", name="Sales amount"
        )
        cls.meetings = cls._kpi("EXP_MEET", domain='[("expected_revenue", "=", 0)]', name="Meetings held")
        profile = cls._profile("Seller", [(cls.sales, 500000, 1), (cls.meetings, 10, 1)])
        cls.employee_a.olimp_kpi_profile_id = profile
        cls.employee_b.olimp_kpi_profile_id = profile
        cls._lead(cls.user_a, "2026-10-12", 400000)
        cls._lead(cls.user_a, "2026-11-12", 491970)
        for _index in range(12):
            cls._lead(cls.user_a, "2026-11-05")
        with freeze_time(TODAY):
            cls.scorecards = cls.Scorecard.generate(MONTH, cls.employee_a | cls.employee_b)
            cls.scorecards.action_refresh()
        cls.card_a = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_a)
        cls.card_b = cls.scorecards - cls.card_a

    def _download(self, action, user):
        """The workbook behind a download action, read as ``user``."""
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = parse_qs(urlsplit(action["url"]).query)
        self.assertEqual(query["model"], ["olimp.kpi.export.wizard"])
        export = self.env["olimp.kpi.export.wizard"].with_user(user).browse(int(query["id"][0]))
        self.assertTrue(export.file_name.endswith(".xlsx"))
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(export.file_data)))

    @staticmethod
    def _fill(cell):
        return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


@tagged("post_install", "-at_install")
class TestExport(ExportCase):
    def test_known_scorecard(self):
        line = self._line(self.card_a, self.sales)
        self.assertEqual((line.zone, line.trend), ("red", "up"))
        action = self.scorecards.with_user(self.hr_reader).action_export_xlsx()
        book = self._download(action, self.hr_reader)
        self.assertEqual(book.sheetnames, ["North", "No team", "Lines"])

        sheet = book["North"]
        self.assertEqual(sheet.freeze_panes, "B3")
        self.assertEqual([sheet.cell(1, col).value for col in range(1, 4)], ["Employee", "Month", "Eff. (%)"])
        self.assertEqual(sheet.max_row, 4, "one scorecard in the team, and the team's average")
        self.assertEqual(sheet["A4"].value, "Team average")
        self.assertEqual((sheet["M1"].value, sheet["M3"].value), ("Status", "Open"))
        self.assertEqual(sheet["A3"].value, "Anna")
        self.assertEqual(sheet["B3"].value, datetime(2026, 11, 1))
        # Efficiency: (98.394 + 100 capped from 120) / 2
        self.assertAlmostEqual(sheet["C3"].value, self.card_a.efficiency)
        self.assertAlmostEqual(sheet["C3"].value, (491970 / 5000 + 100) / 2, places=6)
        self.assertEqual(sheet["C3"].number_format, '0.0"%"')
        # The sales group: plan, actual, completion filled red, trend up.
        self.assertEqual(sheet["E1"].value, "Sales amount")
        self.assertEqual(
            [sheet.cell(2, col).value for col in range(5, 9)], ["Plan", "Actual", "Completion (%)", "Trend"]
        )
        self.assertEqual((sheet["E3"].value, sheet["F3"].value), (500000, 491970))
        self.assertIn(self.company.currency_id.symbol, sheet["E3"].number_format)
        self.assertAlmostEqual(sheet["G3"].value, 98.394)
        self.assertTrue(self._fill(sheet["G3"]).endswith(RED))
        self.assertEqual(sheet["H3"].value, "↑")
        # Meetings: a count, 120 % and green.
        self.assertEqual(sheet["I1"].value, "Meetings held")
        self.assertEqual((sheet["I3"].value, sheet["J3"].value, sheet["I3"].number_format), (10, 12, "#,##0"))
        self.assertTrue(self._fill(sheet["K3"]).endswith(GREEN))

        self.assertEqual(book["No team"]["A3"].value, "Boris")
        self.assertEqual(book["No team"]["C3"].value, 0)

        lines = book["Lines"]
        self.assertEqual(lines.freeze_panes, "A2")
        rows = [[cell.value for cell in row] for row in lines.iter_rows(min_row=2)]
        self.assertEqual(len(rows), 4)
        sales_row = next(row for row in rows if row[2] == "Anna" and row[3] == "EXP_SALES")
        self.assertEqual(
            sales_row[:9],
            [datetime(2026, 11, 1), "North", "Anna", "EXP_SALES", "Sales amount", "Amount"] + [500000, 491970, 400000],
        )
        self.assertEqual(sales_row[10:12], ["Red", "↑ Up"])

    def test_wizard_month_and_team(self):
        wizard = (
            self.env["olimp.kpi.export.wizard"]
            .with_user(self.manager_user)
            .create({"date": "2026-11-20", "team_id": self.team.id})
        )
        book = self._download(wizard.action_export(), self.manager_user)
        self.assertEqual(book.sheetnames, ["North", "Lines"])
        self.assertEqual(book["North"]["A3"].value, "Anna")
        self.assertEqual(book["North"]["A4"].value, "Team average", "Anna only, then the team's average")
        wizard.date = "2026-01-01"
        with self.assertRaises(UserError):
            wizard.action_export()

    def test_kpi_user_exports_only_own(self):
        wizard = self.env["olimp.kpi.export.wizard"].with_user(self.user_a).create({"date": MONTH})
        book = self._download(wizard.action_export(), self.user_a)
        employees = {row[2].value for row in book["Lines"].iter_rows(min_row=2)}
        self.assertEqual(employees, {"Anna"})
        self.assertEqual(book.sheetnames, ["North", "Lines"])
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.user_a).action_export_xlsx()

    def test_export_readable_by_its_creator_only(self):
        action = self.card_a.with_user(self.user_a).action_export_xlsx()
        export_id = int(parse_qs(urlsplit(action["url"]).query)["id"][0])
        with self.assertRaises(AccessError):
            self.env["olimp.kpi.export.wizard"].with_user(self.manager_user).browse(export_id).read(["file_data"])

    def test_queries_do_not_grow_with_scorecards(self):
        Export = self.env["olimp.kpi.export.wizard"].with_user(self.hr_reader)

        def count(scorecards):
            export = Export.create({})
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            export._xlsx_rows(scorecards.with_user(self.hr_reader))
            return self.env.cr.sql_log_count - before

        count(self.scorecards)  # warm the caches of access rules and the like
        self.assertEqual(count(self.card_a), count(self.scorecards))

    def test_menu_and_list_action(self):
        menu = self.env.ref("olimp_kpi.olimp_kpi_export_wizard_menu")
        for user, visible in [(self.manager_user, True), (self.hr_reader, True), (self.user_a, False)]:
            self.assertEqual(menu.id in self.env["ir.ui.menu"].with_user(user)._visible_menu_ids(), visible)
        server_action = self.env.ref("olimp_kpi.olimp_kpi_scorecard_action_export_xlsx")
        self.assertEqual(server_action.binding_model_id.model, "olimp.kpi.scorecard")
        action = (
            server_action.with_user(self.user_a)
            .with_context(active_model="olimp.kpi.scorecard", active_ids=self.card_a.ids, active_id=self.card_a.id)
            .run()
        )
        self.assertEqual(self._download(action, self.user_a)["North"]["A3"].value, "Anna")


@tagged("post_install", "-at_install")
class TestExportDownload(HttpCase, ExportCase):
    def test_download_through_web_content(self):
        action = self.card_a.with_user(self.user_a).action_export_xlsx()
        self.authenticate(self.user_a.login, self.user_a.login)
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book["North"]["A3"].value, "Anna")
        self.authenticate(self.manager_user.login, self.manager_user.login)
        self.assertNotEqual(self.url_open(action["url"]).status_code, 200)
