"""The printed scorecard: its content as HTML (fast, every case), and one real PDF made by wkhtmltopdf."""

import html
import io
import re

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import MONTH, TODAY, OlimpKpiCase

REPORT = "olimp_kpi.action_report_scorecard"


def pdf_text(content):
    """The text of a PDF, every run of white space made one space."""
    reader = PdfFileReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def html_text(content):
    text = content.decode() if isinstance(content, bytes) else content
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestScorecardReport(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["olimp_kpi"], ["ru_RU"], overwrite=True)
        cls.sales = cls._kpi("RPT_SALES", aggregation="sum", measure="expected_revenue", unit="amount")
        cls.check = cls._qualitative_kpi("RPT_CHECK", ["Has current leaflets", "Has a presentation"])
        cls.employee_a.olimp_kpi_profile_id = cls._profile("Report", [(cls.sales, 500000, 3), (cls.check, 100, 1)])
        cls._lead(cls.user_a, "2026-10-12", 420500)
        cls._lead(cls.user_a, "2026-11-12", 491970)
        cls.previous = cls.Scorecard.generate("2026-10-01", cls.employee_a)
        cls.previous.action_refresh()
        cls.scorecard = cls.Scorecard.generate(MONTH, cls.employee_a)
        line = cls.scorecard.line_ids.filtered(lambda ln: ln.kpi_id == cls.check)
        line.answer_ids[0].write({"value": "yes", "comment": "New leaflets since March"})
        line.answer_ids[1].write({"value": "no", "comment": "Asked marketing"})
        cls.scorecard.note = "<p>Focus on the two big quotations.</p>"
        cls.scorecard.action_refresh()

    def _html(self, user, lang="en_US"):
        report = self.env["ir.actions.report"].with_user(user).with_context(lang=lang)
        return html_text(report._render_qweb_html(REPORT, self.scorecard.ids)[0])

    def test_content(self):
        text = self._html(self.manager_user)
        for expected in (
            "Scorecard: Anna",
            "November 2026",
            "500,000",  # the plan
            "491,970",  # the actual: red, since under plan, and up, since October was 420,500
            "420,500",
            "98.4 %",
            "Red",
            "↑ Up",
            "Efficiency",
            "Previous month:",
            "Has current leaflets Yes New leaflets since March",
            "Has a presentation No Asked marketing",
            "Focus on the two big quotations.",
            "Employee: Anna",
            f"Team leader: {self.manager_user.name}",
            "Signature and date",
        ):
            self.assertIn(expected, text)

    def test_pro_rated_plan_says_so(self):
        self.scorecard.line_ids.filtered(lambda ln: ln.kpi_id == self.sales).write(
            {"prorate_days": 8, "prorate_month_days": 21}
        )
        self.assertIn("pro-rated: 8 of 21 working days", self._html(self.manager_user))

    def test_in_russian(self):
        text = self._html(self.manager_user, "ru_RU")
        for expected in ("Карта показателей", "Ноябрь 2026", "491 970", "Красная", "Подпись и дата", "Сотрудник"):
            self.assertIn(expected, text)

    def test_a_salesperson_prints_her_own_only(self):
        self.assertIn("491,970", self._html(self.user_a))
        with self.assertRaises(AccessError):
            self._html(self.user_b)

    def test_printable_from_the_list_and_the_form(self):
        report = self.env.ref(REPORT)
        self.assertEqual(report.binding_model_id.model, "olimp.kpi.scorecard", "the Print menu of list and form")
        self.assertEqual(report.paperformat_id.format, "A4")
        arch = self.Scorecard.get_view(False, "form")["arch"]
        self.assertIn(f'name="{report.id}"', arch, "a Print button in the form's header")


@tagged("post_install", "-at_install")
class TestScorecardPdf(HttpCase):
    """One real PDF of the article's demo scorecard, made by wkhtmltopdf (CI installs Debian's)."""

    def test_demo_scorecard_pdf(self):
        irina = self.env.ref("olimp_kpi.employee_irina_demo", raise_if_not_found=False)
        if not irina:
            self.skipTest("the olimp_kpi demo data is not installed")
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() not in ("ok", "upgrade"):
            self.skipTest("wkhtmltopdf is not installed (tools/ensure_wkhtmltopdf installs it)")
        scorecard = self.env["olimp.kpi.scorecard"].search(
            [("employee_id", "=", irina.id), ("date_from", "=", "2026-11-01")]
        ) or self.env["olimp.kpi.scorecard"].search([("employee_id", "=", irina.id)], limit=1)
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        content, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(REPORT, scorecard.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        text = pdf_text(content)
        self.assertIn("Irina Petrova", text)
        self.assertIn("491,970", text)
