"""Closing a month on purpose and keeping it provable: when it may be closed, unanswered questions, the close
dialog, the records and evidence stored at close, reopening, clearing answers, efficiency for pay (issue 12)."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from ..models.olimp_kpi_scorecard_answer import OlimpKpiScorecardAnswer
from .common import MONTH, TODAY, OlimpKpiCase

OCTOBER = "2026-10-01"
AFTER_NOVEMBER = "2026-12-01 09:00:00"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestClose(OlimpKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.count = cls._kpi("CL_COUNT")
        cls.check = cls._qualitative_kpi("CL_CHECK", ["Leaflets", "Presentation"])
        cls.profile = cls._profile("Closing", [(cls.count, 4, 1), (cls.check, 100, 1)])
        cls.employee_a.olimp_kpi_profile_id = cls.profile
        cls.employee_b.olimp_kpi_profile_id = cls.profile
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Closers",
                "user_id": cls.manager_user.id,
                "member_ids": [Command.set((cls.user_a | cls.user_b).ids)],
            }
        )
        employees = cls.employee_a | cls.employee_b
        cls.october = cls.Scorecard.generate(OCTOBER, employees)
        cls.november = cls.Scorecard.generate(MONTH, employees)
        cls.oct_a = cls.october.filtered(lambda sc: sc.employee_id == cls.employee_a)
        cls.oct_b = cls.october.filtered(lambda sc: sc.employee_id == cls.employee_b)
        cls.nov_a = cls.november.filtered(lambda sc: sc.employee_id == cls.employee_a)

    def _answer_all(self, scorecards, value="yes"):
        scorecards.answer_ids.write({"value": value})

    # -- when a month may be closed --------------------------------------------------------------------------
    def test_a_month_that_has_not_ended_cannot_be_closed(self):
        self._answer_all(self.nov_a)
        with self.assertRaisesRegex(UserError, "November 2026 has not ended yet: it can be closed from 12/01/2026"):
            self.nov_a.with_user(self.manager_user).action_close()
        december = self._scorecard(self.employee_a, "2026-12-01")
        with self.assertRaisesRegex(UserError, "December 2026 has not begun yet"):
            december.with_user(self.admin_user).with_context(olimp_close_early=True).action_close()
        # Early, by a KPI administrator's explicit choice only, and the chatter says so.
        with self.assertRaises(AccessError):
            self.nov_a.with_user(self.manager_user).with_context(olimp_close_early=True).action_close()
        self.nov_a.with_user(self.admin_user).with_context(olimp_close_early=True).action_close()
        self.assertEqual(self.nov_a.state, "closed")
        self.assertIn("before the end of November 2026", self.nov_a.message_ids[0].body)
        # The employee's efficiency then is that of November, and says so.
        self.assertEqual(self.employee_a.olimp_efficiency_month, "November 2026")

    def test_the_day_after_the_month_it_can(self):
        self._answer_all(self.nov_a)
        with freeze_time(AFTER_NOVEMBER):
            self.nov_a.with_user(self.manager_user).action_close()
        self.assertEqual((self.nov_a.state, self.nov_a.closed_by_id), ("closed", self.manager_user))

    def test_the_month_ends_in_the_company_time_zone(self):
        self.env.company.partner_id.tz = "Asia/Vladivostok"  # UTC+10
        self._answer_all(self.nov_a)
        with freeze_time("2026-11-30 13:59:00"), self.assertRaises(UserError):
            self.nov_a.action_close()
        with freeze_time("2026-11-30 14:01:00"):  # December 1st in Vladivostok
            self.nov_a.action_close()
        self.assertEqual(self.nov_a.state, "closed")

    # -- unanswered questions --------------------------------------------------------------------------------
    def test_unanswered_questions_block_the_close(self):
        self._line(self.oct_a, self.check).answer_ids[0].value = "yes"
        with self.assertRaisesRegex(UserError, r"Anna · October 2026: Checklist questions not answered: Presentation"):
            self.oct_a.with_user(self.manager_user).action_close()
        self.assertEqual(self.oct_a.state, "open")
        blockers = self.october.get_close_blockers()
        self.assertEqual(set(blockers), set(self.october.ids))
        self.assertIn("Leaflets; Presentation", blockers[self.oct_b.id][0])
        self.assertFalse(self.october.get_close_blockers(unanswered_as_no=True))

    def test_unanswered_counted_as_no_only_when_said_and_recorded(self):
        self._line(self.oct_a, self.check).answer_ids[0].value = "yes"
        self.oct_a.with_user(self.manager_user).with_context(olimp_unanswered_as_no=True).action_close()
        answers = self._line(self.oct_a, self.check).answer_ids
        self.assertEqual(answers.mapped("value"), ["yes", "no"])
        self.assertEqual(answers[1].answered_by_id, self.manager_user)
        self.assertEqual(self._line(self.oct_a, self.check).actual, 50)
        body = "\n".join(self.oct_a.message_ids.mapped("body"))
        self.assertIn("counting 1 unanswered checklist questions as No: Presentation", body)

    # -- the close dialog ------------------------------------------------------------------------------------
    def test_close_dialog_from_the_list(self):
        self._answer_all(self.oct_a)
        selection = (self.october | self.nov_a).with_user(self.manager_user)
        action = selection.action_open_close_wizard()
        wizard = self.env["olimp.kpi.close.wizard"].with_user(self.manager_user).browse(action["res_id"])
        self.assertEqual(wizard.ready_count, 1)
        self.assertIn("Closing 1 scorecards (October 2026: 1)", wizard.summary)
        self.assertIn("Boris · October 2026", wizard.blockers)
        self.assertIn("November 2026 has not ended yet", wizard.blockers)
        self.assertFalse(wizard.is_admin)
        wizard.unanswered_as_no = True
        self.assertEqual(wizard.ready_count, 2)
        self.assertIn("Closing 2 scorecards (October 2026: 2)", wizard.summary)
        result = wizard.action_close()
        self.assertIn("2 scorecards closed. 1 not ready stay open.", result["params"]["message"])
        self.assertEqual(self.october.mapped("state"), ["closed", "closed"])
        self.assertEqual(self.nov_a.state, "open")
        # The administrator may also close the running month, by ticking it.
        wizard = (
            self.env["olimp.kpi.close.wizard"]
            .with_user(self.admin_user)
            .create({"scorecard_ids": [Command.set(self.nov_a.ids)], "unanswered_as_no": True})
        )
        self.assertEqual(wizard.ready_count, 0)
        wizard.close_early = True
        self.assertEqual(wizard.ready_count, 1)
        wizard.action_close()
        self.assertEqual(self.nov_a.state, "closed")

    def test_close_dialog_for_a_whole_team(self):
        self._answer_all(self.october)
        wizard = (
            self.env["olimp.kpi.close.wizard"]
            .with_user(self.manager_user)
            .create({"month": "2026-10-17", "team_id": self.team.id})
        )
        self.assertEqual(wizard.scorecard_ids, self.october)
        wizard.action_close()
        self.assertEqual(self.october.mapped("state"), ["closed", "closed"])
        with self.assertRaisesRegex(UserError, "No scorecard is ready"):
            wizard.action_close()

    def test_team_leaders_reopen_several_at_once(self):
        self._answer_all(self.october)
        self.october.action_close()
        self._lead(self.user_a, "2026-10-08")
        with self.assertRaises(AccessError):
            self.october.with_user(self.user_a).action_reopen()
        self.october.with_user(self.manager_user).action_reopen()
        self.assertEqual(self.october.mapped("state"), ["open", "open"])
        self.assertEqual(self._line(self.oct_a, self.count).actual, 1, "recomputed at once")
        self.assertIn("recomputed from the current data", self.oct_a.message_ids[0].body)
        self.assertIn("efficiency 50.0 % → 62.5 %", self.oct_a.message_ids[0].body)

    # -- what a closed month keeps ---------------------------------------------------------------------------
    def test_closed_line_opens_exactly_the_records_counted(self):
        first = self._lead(self.user_a, "2026-10-03")
        second = self._lead(self.user_a, "2026-10-04", type="lead")
        self._answer_all(self.oct_a)
        self.oct_a.action_close()
        line = self._line(self.oct_a, self.count)
        self.assertEqual(line.actual, 2)
        # Since then: one lost (archived), one moved to November, a new one, and the definition changed.
        first.action_set_lost()
        second.date_deadline = "2026-11-02"
        self._lead(self.user_a, "2026-10-05")
        self.count.domain = "[('type', '=', 'opportunity')]"
        action = line.action_open_records()
        self.assertEqual(self.Lead.with_context(active_test=False).search(action["domain"]), first | second)
        self.assertIn("as counted when the month was closed", action["name"])
        self.assertFalse(action["context"]["active_test"])

    def test_closed_drilldown_says_what_is_hidden_or_deleted(self):
        mine = self._lead(self.user_a, "2026-10-03")
        other = self._lead(self.user_a, "2026-10-04")
        gone = self._lead(self.user_a, "2026-10-05")
        self._answer_all(self.oct_a)
        self.oct_a.action_close()
        gone.unlink()
        # A salesperson who may read her own opportunities only.
        self.user_a.groups_id += self.env.ref("sales_team.group_sale_salesman")
        other.user_id = self.user_b
        line = self._line(self.oct_a, self.count).with_user(self.user_a)
        action = line.action_open_records()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("1 of the 3 records counted are not shown", action["params"]["message"])
        self.assertIn("1 of the 3 records counted have been deleted since", action["params"]["message"])
        self.assertEqual(self.Lead.with_user(self.user_a).search(action["params"]["next"]["domain"]), mine)
        # Without any right on the source, nothing is shown, and said so.
        self.user_a.groups_id -= self.env.ref("sales_team.group_sale_salesman")
        action = line.action_open_records()
        self.assertIn("2 of the 3 records counted are not shown", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_window_close")

    def test_evidence_is_stored_at_close(self):
        texts = {"value": "3 of 4 passports up to date"}

        def live(answers):
            return {answer.id: texts["value"] for answer in answers}

        with patch.object(OlimpKpiScorecardAnswer, "_live_evidence", live):
            self._answer_all(self.oct_a)
            answer = self.oct_a.answer_ids[0]
            self.assertEqual(answer.evidence, "3 of 4 passports up to date")
            self.oct_a.action_close()
            texts["value"] = "0 of 4 passports up to date"
            answer.invalidate_recordset(["evidence"])
            self.assertEqual(answer.evidence, "3 of 4 passports up to date", "the evidence of the closed month")
            self.oct_a.action_reopen()
            answer.invalidate_recordset(["evidence"])
            self.assertEqual(answer.evidence, "0 of 4 passports up to date", "an open month shows today's data")

    # -- answers change only on purpose ----------------------------------------------------------------------
    def test_clearing_an_answer_is_explicit(self):
        answer = self.nov_a.answer_ids[0].with_user(self.manager_user)
        answer.value = "yes"
        self.assertEqual(answer.answered_by_id, self.manager_user)
        answer.action_clear()
        self.assertEqual(
            (answer.value, answer.answered_by_id, answer.answered_on), (False, self.env["res.users"], False)
        )
        self.assertEqual(self._line(self.nov_a, self.check).actual, 0)

    # -- deleting a KPI in use -------------------------------------------------------------------------------
    def test_deleting_a_kpi_in_use_offers_to_archive(self):
        with self.assertRaises(RedirectWarning) as caught:
            self.count.with_user(self.admin_user).unlink()
        message, action_id, button, context = caught.exception.args
        self.assertIn("profiles Closing", message)
        self.assertIn("4 scorecards (Anna, Boris)", message)
        self.assertEqual(button, "Archive")
        self.assertEqual(action_id, self.env.ref("olimp_kpi.olimp_kpi_action_archive").id)
        self.assertEqual(context["active_ids"], self.count.ids)
        self.env.ref("olimp_kpi.olimp_kpi_action_archive").with_user(self.admin_user).with_context(
            active_model="olimp.kpi", active_ids=self.count.ids
        ).run()
        self.assertFalse(self.count.active)
        self.assertTrue(self._line(self.oct_a, self.count), "past scorecards keep it")
        unused = self._kpi("CL_UNUSED")
        unused.with_user(self.admin_user).unlink()
        self.assertFalse(unused.exists())


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestEfficiencyForPay(OlimpKpiCase):
    """``hr.employee.olimp_get_efficiency`` as salary rules and commissions call it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Who reads everyone's efficiency for pay: an HR officer who is a KPI HR reader too.
        cls.hr_officer = new_test_user(cls.env, "olimp_hr", groups="hr.group_hr_user,olimp_kpi.group_kpi_hr_reader")
        count = cls._kpi("EF_COUNT")
        cls.employee_a.olimp_kpi_profile_id = cls._profile("Pay", [(count, 2, 1)])
        cls._lead(cls.user_a, "2026-09-03")
        cls._lead(cls.user_a, "2026-10-03")
        cls._lead(cls.user_a, "2026-10-04")
        september = cls.Scorecard.generate("2026-09-01", cls.employee_a)
        october = cls.Scorecard.generate(OCTOBER, cls.employee_a)
        (september | october).action_close()
        cls.Scorecard.generate(MONTH, cls.employee_a).action_refresh()
        cls.employee = cls.employee_a.with_user(cls.hr_officer)

    def test_average_of_the_closed_months(self):
        self.assertAlmostEqual(self.employee.olimp_get_efficiency("2026-09-01", "2026-10-31"), 75)
        self.assertAlmostEqual(self.employee.olimp_get_efficiency("2026-10-15", "2026-10-15"), 100)
        detail = self.employee.olimp_get_efficiency_detail("2026-09-10", "2026-11-30")
        self.assertAlmostEqual(detail["efficiency"], 75)
        self.assertEqual([str(day) for day in detail["closed_months"]], ["2026-09-01", "2026-10-01"])
        self.assertEqual([str(day) for day in detail["missing_months"]], ["2026-11-01"], "November is open")
        self.assertEqual((self.employee.olimp_efficiency, self.employee.olimp_efficiency_month), (100, "October 2026"))

    def test_no_closed_month_is_not_a_silent_zero(self):
        self.assertIsNone(self.employee.olimp_get_efficiency("2026-11-01", "2026-11-30"))
        detail = self.employee.olimp_get_efficiency_detail("2026-11-01", "2026-12-31")
        self.assertIsNone(detail["efficiency"])
        self.assertEqual(len(detail["missing_months"]), 2)

    def test_bad_periods_are_refused_clearly(self):
        cases = {
            "“31.12.2026” is not a date": ("2026-12-01", "31.12.2026"),
            "“False” is not a date": (False, "2026-12-31"),
            "ends before it begins": ("2026-12-01", "2026-11-30"),
        }
        for message, dates in cases.items():
            with self.subTest(message), self.assertRaisesRegex(UserError, message):
                self.employee.olimp_get_efficiency(*dates)
        two = (self.employee_a | self.employee_b).with_user(self.hr_officer)
        with self.assertRaisesRegex(UserError, "one employee at a time, not for 2"):
            two.olimp_get_efficiency("2026-10-01", "2026-10-31")
        with self.assertRaisesRegex(UserError, "not for 0"):
            self.env["hr.employee"].olimp_get_efficiency("2026-10-01", "2026-10-31")
