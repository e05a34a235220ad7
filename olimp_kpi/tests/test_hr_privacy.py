"""Who reads someone's scorecard is decided by the KPI groups only.

HR officers (and payroll users, who are HR officers) read no scorecard by being HR officers; *KPI / HR Reader*,
given by hand, reads every scorecard and changes nothing; the employee form shows them the KPI fields read-only,
and only KPI administrators set a KPI profile. Buttons shown to HR readers work for them.
"""

import importlib.util
from pathlib import Path

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..services.scorecard_screens import ScorecardScreens
from .common import MONTH, TODAY, OlimpKpiCase

READER = "olimp_kpi.group_kpi_hr_reader"
MIGRATION = Path(__file__).parents[1] / "migrations" / "18.0.1.4.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestHrPrivacy(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.count = cls._kpi("PRIV_COUNT")
        cls.check = cls._qualitative_kpi("PRIV_CHECK", ["Leaflets"])
        cls.profile = cls._profile("Seller", [(cls.count, 5, 1), (cls.check, 100, 1)])
        (cls.employee_a | cls.employee_b).olimp_kpi_profile_id = cls.profile
        cls.scorecards = cls.Scorecard.generate(MONTH, cls.employee_a | cls.employee_b)
        cls.card_b = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_b)
        cls.hr_officer = new_test_user(cls.env, "priv_hr_officer", groups="hr.group_hr_user")
        cls.hr_manager = new_test_user(cls.env, "priv_hr_manager", groups="hr.group_hr_manager")
        cls.hr_reader = new_test_user(cls.env, "priv_hr_reader", groups=f"hr.group_hr_user,{READER}")
        cls.kpi_admin_hr = new_test_user(
            cls.env, "priv_kpi_admin_hr", groups="hr.group_hr_user,olimp_kpi.group_kpi_admin"
        )

    def test_reader_group_is_given_by_hand_only(self):
        reader = self.env.ref(READER)
        self.assertFalse(self.env["res.groups"].search([("implied_ids", "=", reader.id)]))
        self.assertFalse(self.hr_manager.has_group(READER))
        self.assertEqual(reader.full_name, "KPI / HR Reader")
        # Its own category: the KPI groups of Sales stay one choice (user, team leader, administrator).
        kpi_groups = self.env.ref("olimp_kpi.group_kpi_admin").category_id
        self.assertNotEqual(reader.category_id, kpi_groups)
        kinds = {app: kind for app, kind, *__ in self.env["res.groups"].get_groups_by_application()}
        self.assertEqual(kinds[kpi_groups], "selection")

    def test_hr_officer_and_manager_read_no_scorecard(self):
        for user in (self.hr_officer, self.hr_manager):
            with self.assertRaises(AccessError):
                self.card_b.with_user(user).read(["efficiency"])
            with self.assertRaises(AccessError):
                self.card_b.line_ids.with_user(user).read(["actual"])
            with self.assertRaises(AccessError):
                self.employee_b.with_user(user).read(["olimp_efficiency"])
            # The catalogue is not private: the employee form shows the profile.
            self.assertEqual(self.employee_b.with_user(user).olimp_kpi_profile_id, self.profile)

    def test_hr_reader_reads_every_scorecard_and_changes_nothing(self):
        visible = self.Scorecard.with_user(self.hr_reader).search([("id", "in", self.scorecards.ids)])
        self.assertEqual(visible, self.scorecards)
        self.assertEqual(self.employee_b.with_user(self.hr_reader).olimp_scorecard_count, 1)
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.hr_reader).write({"note": "<p>x</p>"})
        with self.assertRaises(AccessError):
            self.card_b.line_ids[:1].with_user(self.hr_reader).write({"target": 1})
        with self.assertRaises(AccessError):
            self.card_b.answer_ids[:1].with_user(self.hr_reader).write({"value": "yes"})
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.hr_reader).action_close()

    def _employee_form_fields(self, user):
        arch = self.env["hr.employee"].with_user(user).get_view(self.env.ref("hr.view_employee_form").id)["arch"]
        return etree.fromstring(arch).xpath("//page[@name='olimp_kpi']//field")

    def test_employee_form_kpi_fields(self):
        def fields_of(user):
            """(name, shown read-only) of the fields of the KPI page as ``user`` gets it."""
            return {
                (node.get("name"), node.get("readonly", "0") not in ("0", "False"))
                for node in self._employee_form_fields(user)
            }

        self.assertEqual(fields_of(self.hr_officer), {("olimp_kpi_profile_id", True)})
        self.assertEqual(
            fields_of(self.hr_reader),
            {("olimp_kpi_profile_id", True), ("olimp_efficiency", False), ("olimp_efficiency_month", False)},
        )
        self.assertIn(("olimp_kpi_profile_id", False), fields_of(self.kpi_admin_hr))
        # The efficiency is computed, hence read-only, for everyone.
        self.assertTrue(self.env["hr.employee"]._fields["olimp_efficiency"].readonly)

    def test_only_kpi_administrators_set_the_profile(self):
        for user in (self.hr_officer, self.hr_reader, self.hr_manager):
            with self.assertRaises(AccessError, msg=user.login):
                self.employee_b.with_user(user).write({"olimp_kpi_profile_id": False})
            with self.assertRaises(AccessError, msg=user.login):
                self.env["hr.employee"].with_user(user).create(
                    {"name": "New seller", "olimp_kpi_profile_id": self.profile.id}
                )
        self.assertEqual(self.employee_b.olimp_kpi_profile_id, self.profile)
        # HR officers still manage employees: a change that leaves the profile alone goes through.
        self.employee_b.with_user(self.hr_officer).write({"job_title": "Account manager"})
        # A KPI administrator with HR rights sets it on the form.
        with Form(self.employee_b.with_user(self.kpi_admin_hr)) as form:
            form.olimp_kpi_profile_id = self.env["olimp.kpi.profile"]
        self.assertFalse(self.employee_b.olimp_kpi_profile_id)

    def test_records_button_for_readers_without_sales_rights(self):
        line = self.card_b.line_ids.filtered(lambda ln: ln.kpi_id == self.count)
        self.assertFalse(line.with_user(self.hr_reader).can_open_records)
        self.assertFalse(self.card_b.line_ids.filtered(lambda ln: ln.kpi_id == self.check).can_open_records)
        screen = ScorecardScreens(self.env(user=self.hr_reader)).screen(self.employee_b.id, MONTH)
        self.assertEqual(
            {ln["kpi_id"][0]: ln["can_open_records"] for ln in screen["lines"]},
            {self.count.id: False, self.check.id: False},
        )
        # With Sales rights the records open.
        self.hr_reader.groups_id += self.env.ref("sales_team.group_sale_salesman_all_leads")
        self.assertTrue(line.with_user(self.hr_reader).can_open_records)
        action = line.with_user(self.hr_reader).action_open_records()
        self.env[action["res_model"]].with_user(self.hr_reader).search(action["domain"])

    def test_migration_moves_the_hr_rules_to_readers(self):
        """A database of 18.0.1.0.0 let HR officers read every scorecard: the update gives the rules to readers."""
        hr_officer = self.env.ref("hr.group_hr_user")
        reader = self.env.ref(READER)
        rules = self.env["ir.rule"]
        for xmlid in (
            "olimp_kpi_scorecard_rule_hr",
            "olimp_kpi_scorecard_line_rule_hr",
            "olimp_kpi_scorecard_answer_rule_hr",
        ):
            rules |= self.env.ref(f"olimp_kpi.{xmlid}")
        rules.write({"groups": [Command.set(hr_officer.ids)]})
        menu = self.env.ref("olimp_kpi.olimp_kpi_menu_root")
        menu.groups_id += hr_officer
        spec = importlib.util.spec_from_file_location("olimp_kpi_migration_18_0_1_4_0", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        for rule in rules:
            self.assertEqual(rule.groups, reader, rule.name)
            self.assertIn("HR readers", rule.name)
        self.assertNotIn(hr_officer, menu.groups_id)
        self.assertIn(reader, menu.groups_id)
