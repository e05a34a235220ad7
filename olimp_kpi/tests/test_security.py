from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TODAY, OlimpKpiCase


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestSecurity(OlimpKpiCase):
    """Own / team / all: nobody sees figures they may not see, nobody edits what they may not edit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.check = cls._qualitative_kpi("SEC_CHECK", ["Leaflets"])
        cls.count = cls._kpi("SEC_COUNT")
        profile = cls._profile("Seller", [(cls.count, 5, 1), (cls.check, 100, 1)])
        cls.employee_a.olimp_kpi_profile_id = profile
        cls.employee_b.olimp_kpi_profile_id = profile
        cls.scorecards = cls.env["olimp.kpi.scorecard"].generate("2026-11-01", cls.employee_a | cls.employee_b)
        cls.card_a = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_a)
        cls.card_b = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employee_b)
        cls.hr_officer = new_test_user(cls.env, "olimp_hr", groups="hr.group_hr_user")
        cls.hr_reader = new_test_user(
            cls.env, "olimp_hr_reader", groups="hr.group_hr_user,olimp_kpi.group_kpi_hr_reader"
        )
        cls.internal = new_test_user(cls.env, "olimp_internal", groups="base.group_user")

    def _visible(self, user, model="olimp.kpi.scorecard"):
        """What ``user`` can find among the records of this test's employees (demo data may hold others)."""
        employees = (self.employee_a | self.employee_b | self.employee_manager).ids
        return self.env[model].with_user(user).search([("employee_id", "in", employees)])

    def test_user_sees_only_own(self):
        self.assertEqual(self._visible(self.user_a), self.card_a)
        self.assertEqual(self._visible(self.user_a, "olimp.kpi.scorecard.line"), self.card_a.line_ids)
        answers = self.env["olimp.kpi.scorecard.answer"].with_user(self.user_a).search([])
        self.assertEqual(answers & self.scorecards.answer_ids, self.card_a.answer_ids)
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.user_a).read(["efficiency"])
        with self.assertRaises(AccessError):
            self.card_b.line_ids.with_user(self.user_a).read(["actual"])

    def test_user_cannot_edit_plan_answers_or_efficiency(self):
        answer = self.card_a.answer_ids[0]
        with self.assertRaises(AccessError):
            answer.with_user(self.user_a).write({"value": "yes"})
        with self.assertRaises(AccessError):
            self.card_a.line_ids[0].with_user(self.user_a).write({"target": 1})
        with self.assertRaises(AccessError):
            self.card_a.with_user(self.user_a).write({"note": "mine"})
        with self.assertRaises(AccessError):
            self.card_a.with_user(self.user_a).action_close()
        self.assertFalse(answer.value)
        # Refreshing one's own card is allowed: it only recomputes from data.
        self.card_a.with_user(self.user_a).action_refresh()

    def test_salesperson_opens_the_records_of_own_line(self):
        self.user_a.groups_id += self.env.ref("sales_team.group_sale_salesman")
        self.env["crm.lead"].create({"name": "Mine", "user_id": self.user_a.id, "date_deadline": "2026-11-05"})
        line = self.card_a.line_ids.filtered(lambda ln: ln.kpi_id == self.count).with_user(self.user_a)
        action = line.action_open_records()
        leads = self.env["crm.lead"].with_user(self.user_a).search(action["domain"])
        self.assertEqual(leads.mapped("name"), ["Mine"])

    def test_kpi_admin_defines_quantitative_kpis(self):
        kpi = (
            self.env["olimp.kpi"]
            .with_user(self.admin_user)
            .create(
                {
                    "name": "Admin sales",
                    "code": "ADMIN_SALES",
                    "model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "aggregation": "sum",
                    "measure_field_id": self._field("crm.lead", "expected_revenue").id,
                    "date_field_id": self._field("crm.lead", "date_deadline").id,
                    "user_field_id": self._field("crm.lead", "user_id").id,
                    "domain": '[("type", "=", "opportunity")]',
                }
            )
        )
        # The form's many2one choices are readable by a KPI administrator.
        models = self.env["ir.model"].with_user(self.admin_user).name_search("Lead")
        self.assertTrue(models)
        self.assertEqual(kpi.with_user(self.admin_user).measure_field_id.name, "expected_revenue")

    def test_manager_sees_team(self):
        self.assertEqual(self._visible(self.manager_user), self.card_a, "direct report only")
        team = self.env["crm.team"].create({"name": "North", "user_id": self.manager_user.id})
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": self.user_b.id})
        self.card_b.team_id = team
        self.assertEqual(self._visible(self.manager_user), self.card_a | self.card_b)
        answer = self.card_a.answer_ids[0].with_user(self.manager_user)
        answer.write({"value": "yes"})
        self.assertEqual(answer.answered_by_id, self.manager_user)

    def test_manager_cannot_touch_other_teams(self):
        with self.assertRaises(AccessError):
            self.card_b.answer_ids[0].with_user(self.manager_user).write({"value": "yes"})
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.manager_user).read(["efficiency"])

    def test_hr_reader_reads_all_writes_nothing(self):
        self.assertEqual(self._visible(self.hr_reader), self.scorecards)
        self.assertEqual(self.employee_b.with_user(self.hr_reader).olimp_efficiency, 0)
        with self.assertRaises(AccessError):
            self.card_b.answer_ids[0].with_user(self.hr_reader).write({"value": "yes"})
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.hr_reader).write({"note": "x"})

    def test_hr_officer_reads_no_scorecard(self):
        with self.assertRaises(AccessError):
            self._visible(self.hr_officer)
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.hr_officer).read(["efficiency"])
        with self.assertRaises(AccessError):
            self.employee_b.with_user(self.hr_officer).read(["olimp_efficiency"])

    def test_admin_sees_all_and_configures(self):
        self.assertEqual(self._visible(self.admin_user), self.scorecards)
        self.env["olimp.kpi"].with_user(self.admin_user).create(
            {"name": "Admin KPI", "code": "ADMIN_KPI", "kind": "qualitative"}
        )
        with self.assertRaises(AccessError):
            self.env["olimp.kpi"].with_user(self.manager_user).create(
                {"name": "Manager KPI", "code": "MANAGER_KPI", "kind": "qualitative"}
            )

    def test_plain_internal_user_sees_nothing(self):
        with self.assertRaises(AccessError):
            self._visible(self.internal)
        with self.assertRaises(AccessError):
            self.card_a.with_user(self.internal).read(["efficiency"])

    def test_profile_assignment_by_kpi_admin_without_hr_rights(self):
        profile = self.env["olimp.kpi.profile"].with_user(self.admin_user).create({"name": "Admin profile"})
        wizard = (
            self.env["olimp.kpi.profile.assign.wizard"]
            .with_user(self.admin_user)
            .create({"profile_id": profile.id, "employee_ids": [(6, 0, [self.employee_b.id])]})
        )
        wizard.action_assign()
        self.assertEqual(self.employee_b.olimp_kpi_profile_id, profile)
        self.assertEqual(profile.with_user(self.admin_user).employee_count, 1)
        with self.assertRaises(AccessError):
            self.env["olimp.kpi.profile.assign.wizard"].with_user(self.manager_user).create({"profile_id": profile.id})
