"""The regulation as a document: printed (HTML for the content, one real PDF by wkhtmltopdf), versioned,
acknowledged by salespeople, shown to team leaders, and importable from the example file of the data folder."""

import html
import io
import re
from pathlib import Path

from freezegun import freeze_time

from odoo.addons.olimp_kpi.tests.test_plan_import import import_file
from odoo.exceptions import AccessError, UserError
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import FollowupCase

REPORT = "olimp_followup.action_report_regulation"
DATA = Path(get_module_path("olimp_followup")).parent / "data"


def text_of(content):
    text = content.decode() if isinstance(content, bytes) else content
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


class RegulationCase(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ack = cls.env["olimp.followup.acknowledgement"]
        # Made in the reverse of their order: the document follows the sequence.
        cls.offer = cls.Rule.create(
            {
                "name": "Tell about favourable terms",
                "sequence": 30,
                "trigger": "order_confirmed",
                "delay_days": 60,
                "task_type": "offer",
                "responsible": "team_leader",
                "script": "<p>Send the offer of the month.</p>",
            }
        )
        cls.feedback = cls.Rule.create(
            {
                "name": "Get feedback on the purchase",
                "sequence": 10,
                "trigger": "order_confirmed",
                "delay_days": 3,
                "task_type": "feedback",
                "responsible": "order_salesperson",
                "script": "<p>How satisfied are you, from 1 to 5?</p>",
            }
        )
        cls.silent = cls.Rule.create(
            {
                "name": "Win back a silent customer",
                "sequence": 40,
                "trigger": "no_order",
                "delay_days": 0,
                "no_order_days": 120,
                "task_type": "reorder",
                "responsible": "user",
                "user_id": cls.manager.id,
                "script": "<p>What changed since your last order?</p>",
            }
        )
        cls.steps = cls.offer | cls.feedback | cls.silent


@tagged("post_install", "-at_install")
class TestRegulationReport(RegulationCase):
    def _html(self, user, lang="en_US"):
        report = self.env["ir.actions.report"].with_user(user).with_context(lang=lang)
        return text_of(report._render_qweb_html(REPORT, self.steps.ids)[0])

    def test_goal_and_steps_in_sequence_order(self):
        self.company.olimp_regulation_goal = "A repeat order from every current customer once a quarter."
        text = self._html(self.salesman)
        self.assertIn("Goal: A repeat order from every current customer once a quarter.", text)
        names = ("Get feedback on the purchase", "Tell about favourable terms", "Win back a silent customer")
        positions = [text.index(name) for name in names]
        self.assertEqual(positions, sorted(positions))
        self.assertRegex(text, r"1 \. Get feedback .* 2 \. Tell about .* 3 \. Win back")
        for expected in (
            "3 days after: Order confirmed",
            "Get feedback",
            "Order's salesperson",
            "How satisfied are you, from 1 to 5?",
            "60 days after: Order confirmed",
            "Team leader",
            "120 days without an order",
            "Max Manager",
            "What changed since your last order?",
            f"Version {self.company.olimp_regulation_version}",
            "Read and acknowledged by",
        ):
            self.assertIn(expected, text)

    def test_default_goal_and_russian(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["olimp_followup"], ["ru_RU"], overwrite=True)
        self.company.olimp_regulation_goal = False
        self.assertIn("once a quarter", self._html(self.salesman))
        text = self._html(self.salesman, "ru_RU")
        self.assertIn("Регламент", text)
        self.assertIn("раз в квартал", text)

    def test_printable_from_the_rules(self):
        report = self.env.ref(REPORT)
        self.assertEqual(report.binding_model_id.model, "olimp.followup.rule")
        self.assertEqual(report.paperformat_id.format, "A4")


@tagged("post_install", "-at_install")
class TestAcknowledgement(RegulationCase):
    def _ack(self, user):
        return self.Ack.search([("user_id", "=", user.id), ("company_id", "=", self.company.id)], order="version desc")

    def test_printed_changes_make_a_new_version(self):
        version = self.company.olimp_regulation_version
        self.feedback.write({"delay_days": 3})  # no change
        self.feedback.write({"domain": "[('amount_total', '>', 0)]"})  # not printed
        self.assertEqual(self.company.olimp_regulation_version, version)
        self.feedback.script = "<p>How satisfied are you, from 1 to 10?</p>"
        self.assertEqual(self.company.olimp_regulation_version, version + 1)
        self.company.olimp_regulation_goal = "Two orders a quarter."
        self.assertEqual(self.company.olimp_regulation_version, version + 2)
        self.offer.unlink()
        self.assertEqual(self.company.olimp_regulation_version, version + 3)

    def test_asked_once_acknowledged_asked_again_after_a_change(self):
        with freeze_time("2026-11-02 09:00:00"):
            self.Ack._request(self.company)
            self.Ack._request(self.company)
        ack = self._ack(self.salesman)
        self.assertEqual((len(ack), ack.state, ack.version), (1, "pending", self.company.olimp_regulation_version))
        self.assertEqual(len(ack.activity_ids), 1, "one activity, however often asked")
        self.assertEqual(ack.activity_ids.user_id, self.salesman)
        with freeze_time("2026-11-03 10:00:00"):
            ack.with_user(self.salesman).action_acknowledge()
        self.assertEqual((ack.state, str(ack.acknowledged_on)), ("done", "2026-11-03 10:00:00"))
        self.assertFalse(ack.activity_ids, "the activity is done")
        self.Ack._request(self.company)
        self.assertEqual(len(self._ack(self.salesman)), 1, "acknowledged: not asked again")
        # A new version: asked again; the acknowledgement of the old one stays.
        self.feedback.delay_days = 5
        self.Ack._request(self.company)
        acks = self._ack(self.salesman)
        self.assertEqual(acks.mapped("state"), ["pending", "done"])
        self.assertEqual(acks[0].version, self.company.olimp_regulation_version)
        self.assertFalse(acks[1].is_current)

    def test_a_pending_request_moves_to_the_new_version(self):
        self.Ack._request(self.company)
        ack = self._ack(self.salesman_2)
        activity = ack.activity_ids
        self.feedback.name = "Ask for feedback"
        self.Ack._request(self.company)
        self.assertEqual(self._ack(self.salesman_2), ack, "no second request")
        self.assertEqual(ack.version, self.company.olimp_regulation_version)
        self.assertEqual(ack.activity_ids, activity)

    def test_who_sees_and_who_acknowledges(self):
        self.Ack._request(self.company)
        mine = self._ack(self.salesman)
        self.assertEqual(self.Ack.with_user(self.salesman).search([]), mine, "a salesperson: her own")
        team = self.Ack.with_user(self.leader).search([])
        self.assertIn(mine, team)
        self.assertIn(self._ack(self.salesman_2), team)
        self.assertNotIn(self._ack(self.outsider), team, "a team leader: the team's")
        self.assertIn(mine, self.Ack.with_user(self.manager).search([]), "a manager: the direct reports'")
        with self.assertRaises(UserError):
            mine.with_user(self.leader).action_acknowledge()
        with self.assertRaises(AccessError):
            mine.with_user(self.salesman).write({"state": "done"})
        with self.assertRaises(AccessError):
            self._ack(self.salesman_2).with_user(self.salesman).read(["state"])
        self.feedback.delay_days = 4
        with self.assertRaisesRegex(UserError, "changed"):
            mine.with_user(self.salesman).action_acknowledge()
        self.assertEqual(
            self.Ack.with_user(self.leader).search_count(
                [("is_current", "=", True), ("user_id", "=", self.salesman.id)]
            ),
            0,
        )

    def test_print_from_the_acknowledgement(self):
        self.Ack._request(self.company)
        action = self._ack(self.salesman).with_user(self.salesman).action_print_regulation()
        self.assertEqual(action["report_name"], "olimp_followup.report_regulation")
        self.assertEqual(set(action["context"]["active_ids"]), set(self.steps.ids))


@tagged("post_install", "-at_install")
class TestRegulationImport(RegulationCase):
    def test_example_regulation_through_the_importer(self):
        if not DATA.is_dir():
            self.skipTest(f"the repository's data folder is not next to the add-on ({DATA})")
        env = self.env(user=self.admin)
        messages, ids = import_file(
            env, "olimp.followup.rule", (DATA / "regulation.csv").read_bytes(), "regulation.csv"
        )
        self.assertEqual(messages, [])
        rules = self.Rule.browse(ids)
        self.assertEqual(len(rules), 4)
        silent = rules.filtered(lambda rule: rule.trigger == "no_order")
        self.assertEqual(
            (silent.no_order_days, silent.responsible, silent.task_type), (120, "partner_salesperson", "reorder")
        )
        self.assertIn("four months", silent.script)


@tagged("post_install", "-at_install")
class TestRegulationPdf(HttpCase):
    """One real PDF of the regulation, made by wkhtmltopdf (CI installs Debian's)."""

    def test_regulation_pdf(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() not in ("ok", "upgrade"):
            self.skipTest("wkhtmltopdf is not installed (tools/ensure_wkhtmltopdf installs it)")
        step = self.env["olimp.followup.rule"].create(
            {
                "name": "Get feedback on the purchase",
                "trigger": "order_confirmed",
                "delay_days": 3,
                "script": "<p>How satisfied are you with the delivery, from 1 to 5?</p>",
            }
        )
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        content, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(REPORT, step.ids)
        self.assertEqual(kind, "pdf")
        reader = PdfFileReader(io.BytesIO(content))
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
        self.assertIn("How satisfied are you with the delivery, from 1 to 5?", text)
        self.assertIn("Post-sale Regulation", text)
