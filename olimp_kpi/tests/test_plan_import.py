"""Plans and the KPI catalogue imported through Odoo's own importer (``base_import.import``), as a user does it.

The files are the ready-made templates of the repository's ``data`` folder: plans with English and with Russian
column titles (CSV) and in Excel, and an example KPI catalogue.
"""

from pathlib import Path

from freezegun import freeze_time

from odoo.modules.module import get_module_path
from odoo.tests import tagged

from .common import TODAY, OlimpKpiCase

DATA = Path(get_module_path("olimp_kpi")).parent / "data"
CSV_OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "datetime_format": "",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "advanced": True,
}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_file(env, model, content, file_name, file_type="text/csv", options=None):
    """Import ``content`` into ``model`` the way the import screen does: preview, suggested columns, import.

    Returns ``(messages, ids)``; a column the importer does not recognise fails the test.
    """
    options = dict(CSV_OPTIONS, **(options or {}))
    wizard = env["base_import.import"].create(
        {"res_model": model, "file": content, "file_name": file_name, "file_type": file_type}
    )
    preview = wizard.parse_preview(options)
    assert "error" not in preview, preview.get("error")
    headers = preview["headers"]
    matches = preview["matches"] or {}
    fields = ["/".join(matches[index]) if matches.get(index) else False for index in range(len(headers))]
    missing = [header for header, field in zip(headers, fields, strict=True) if not field]
    assert not missing, f"columns not recognised: {missing}"
    result = wizard.execute_import(fields, headers, preview["options"])
    return result["messages"], result.get("ids") or []


class ImportCase(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not DATA.is_dir():
            return
        cls.Plan = cls.env["olimp.kpi.plan"]
        cls.kpis = {
            code: cls.env["olimp.kpi"].search([("code", "=", code), ("company_id", "in", [cls.company.id, False])])
            for code in ("MEETINGS", "NEW_OPPS", "SALES", "MEETING_PLAN")
        }
        cls.profile = cls.env["olimp.kpi.profile"].create(
            {"name": "Imported", "line_ids": [(0, 0, {"kpi_id": kpi.id, "target": 1}) for kpi in cls.kpis.values()]}
        )

    def setUp(self):
        super().setUp()
        if not DATA.is_dir():
            self.skipTest(f"the repository's data folder is not next to the add-on ({DATA})")

    def _team_member(self, name, login):
        user = self.env["res.users"].create(
            {"name": name, "login": login, "groups_id": [(6, 0, [self.env.ref("olimp_kpi.group_kpi_user").id])]}
        )
        return self._employee(name, user, parent=self.employee_manager, profile=self.profile)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPlanImport(ImportCase):
    """A team leader imports the plans of his team from the templates; bad rows are reported by row, and a file
    with one bad row imports nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["olimp_kpi"], ["ru_RU"], overwrite=True)

    def _as_team_leader(self, lang="en_US"):
        return self.env(user=self.manager_user, context=dict(self.env.context, lang=lang))

    def _check_template(self, employees):
        plans = self.Plan.search([("employee_id", "in", employees.ids)])
        self.assertEqual(len(plans), 24, "2 employees × 4 KPIs × 3 months")
        sales = plans.filtered(lambda plan: plan.kpi_id.code == "SALES" and plan.employee_id == employees[0])
        sales = sales.sorted("date_from")
        self.assertEqual(sales[:3].mapped("target"), [500000, 520000, 550000])
        self.assertEqual(str(sales[0].date_from), "2027-01-01")

    def test_english_csv_template(self):
        employees = self._team_member("Anna Sergeeva", "imp_anna") | self._team_member("Mikhail Orlov", "imp_mikhail")
        content = (DATA / "plans.en.csv").read_bytes()
        messages, __ = import_file(self._as_team_leader(), "olimp.kpi.plan", content, "plans.en.csv")
        self.assertEqual(messages, [])
        self._check_template(employees)

    def test_russian_csv_template(self):
        employees = self._team_member("Анна Сергеева", "imp_anna_ru") | self._team_member(
            "Михаил Орлов", "imp_mikhail_ru"
        )
        content = (DATA / "plans.ru.csv").read_bytes()
        messages, __ = import_file(self._as_team_leader("ru_RU"), "olimp.kpi.plan", content, "plans.ru.csv")
        self.assertEqual(messages, [])
        self._check_template(employees)

    def test_excel_template(self):
        employees = self._team_member("Anna Sergeeva", "imp_anna_x") | self._team_member(
            "Mikhail Orlov", "imp_mikhail_x"
        )
        content = (DATA / "plans.en.xlsx").read_bytes()
        messages, __ = import_file(self._as_team_leader(), "olimp.kpi.plan", content, "plans.en.xlsx", XLSX_MIMETYPE)
        self.assertEqual(messages, [])
        self._check_template(employees)

    def test_exported_plans_come_back(self):
        """Export with "I want to update data", change a plan in the spreadsheet, import: the plan is updated."""
        employee = self._team_member("Anna Sergeeva", "imp_anna_back")
        plan = self.Plan.create(
            {"employee_id": employee.id, "kpi_id": self.kpis["SALES"].id, "date_from": "2027-01-01", "target": 5}
        )
        self.manager_user.groups_id += self.env.ref("base.group_allow_export")
        Plan = self.Plan.with_user(self.manager_user)
        rows = plan.with_user(self.manager_user).export_data(["id", "employee_id", "kpi_code", "date_from", "target"])
        external_id, name, code, month, __ = rows["datas"][0]
        result = Plan.load(
            ["id", "employee_id", "kpi_code", "date_from", "target"], [[external_id, name, code, month, "7.5"]]
        )
        self.assertFalse(result["messages"])
        self.assertEqual(plan.target, 7.5)

    def test_bad_rows_are_reported_by_row_and_nothing_is_imported(self):
        employee = self._team_member("Anna Sergeeva", "imp_anna_bad")
        closed = self.Scorecard.generate("2026-10-01", employee)
        self._close(closed)
        content = "\n".join(
            [
                "Employee,KPI Code,Month,Plan",
                "Anna Sergeeva,SALES,2027-01-01,500000",  # good: still not imported
                "Nobody Known,SALES,2027-01-01,500000",
                "Anna Sergeeva,NO_SUCH_KPI,2027-01-01,500000",
                "Anna Sergeeva,MEETINGS,2027-02-01,-3",
                "Anna Sergeeva,MEETINGS,2027-01-15,10",
                "Anna Sergeeva,SALES,2026-10-01,400000",
                "Anna Sergeeva,MEETINGS,2027-03-01,7.5",
            ]
        ).encode()
        messages, ids = import_file(self._as_team_leader(), "olimp.kpi.plan", content, "plans.csv")
        self.assertFalse(ids)
        errors = {}
        for message in messages:
            if message["type"] == "error":
                errors[message["rows"]["from"]] = errors.get(message["rows"]["from"], "") + message["message"]
        # Rows are counted from the first one after the titles, starting at 0.
        self.assertIn("Nobody Known", errors[1])
        self.assertIn("NO_SUCH_KPI", errors[2])
        self.assertIn("negative", errors[3])
        self.assertIn("first day of the month", errors[4])
        self.assertIn("closed", errors[5])
        self.assertIn("whole number", errors[6])
        self.assertNotIn(0, errors)
        self.assertFalse(self.Plan.search([("employee_id", "=", employee.id)]), "nothing half-imported")

    def test_values_that_are_not_numbers_are_reported_by_row(self):
        employee = self._team_member("Anna Sergeeva", "imp_anna_nan")
        content = "\n".join(
            [
                "Employee,KPI Code,Month,Plan",
                "Anna Sergeeva,SALES,2027-01-01,500000",
                "Anna Sergeeva,SALES,2027-02-01,a lot",
                "Anna Sergeeva,SALES,2027-03-01,n/a",
            ]
        ).encode()
        messages, ids = import_file(self._as_team_leader(), "olimp.kpi.plan", content, "plans.csv")
        self.assertFalse(ids)
        self.assertEqual(len(messages), 1)
        self.assertIn("row 3: “a lot”", messages[0]["message"])
        self.assertIn("row 4: “n/a”", messages[0]["message"])
        self.assertFalse(self.Plan.search([("employee_id", "=", employee.id)]))

    def test_a_salesperson_cannot_import_plans(self):
        self._team_member("Anna Sergeeva", "imp_anna_sp")
        env = self.env(user=self.user_a)
        content = (DATA / "plans.en.csv").read_bytes()
        messages, ids = import_file(env, "olimp.kpi.plan", content, "plans.en.csv")
        self.assertFalse(ids)
        self.assertTrue(messages)


@tagged("post_install", "-at_install")
class TestCatalogueImport(ImportCase):
    def test_kpi_catalogue_example(self):
        env = self.env(user=self.admin_user)
        content = (DATA / "kpi_catalogue.csv").read_bytes()
        messages, ids = import_file(env, "olimp.kpi", content, "kpi_catalogue.csv")
        self.assertEqual(messages, [])
        kpis = self.env["olimp.kpi"].browse(ids)
        self.assertEqual(kpis.mapped("code"), ["QUOTES_SENT", "DEALS_WON", "AVERAGE_ORDER", "FOLLOWUP_DISCIPLINE"])
        average = kpis.filtered(lambda kpi: kpi.code == "AVERAGE_ORDER")
        self.assertEqual(
            (average.aggregation, average.unit, average.measure_field_id.name), ("avg", "amount", "amount_untaxed")
        )
        discipline = kpis.filtered(lambda kpi: kpi.code == "FOLLOWUP_DISCIPLINE")
        self.assertEqual(discipline.kind, "qualitative")
        self.assertEqual(len(discipline.checklist_item_ids), 3)
