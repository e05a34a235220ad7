from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import MONTH, OlimpKpiCase


@tagged("post_install", "-at_install")
class TestMonthEnd(OlimpKpiCase):
    """The month-end routine of November 2026 (30 days) for the team leader of Anna and Carl; Boris has no leader."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Review = cls.env["olimp.kpi.month.review"]
        cls.leads = cls._kpi("ME_LEADS")
        cls.check = cls._qualitative_kpi("ME_CHECK", ["Plan of meetings", "Leaflets"])
        profile = cls._profile("Month end", [(cls.leads, 2, 1), (cls.check, 100, 1)])
        cls.user_c = new_test_user(cls.env, "olimp_user_c", groups="olimp_kpi.group_kpi_user")
        cls.employee_c = cls._employee("Carl", cls.user_c, parent=cls.employee_manager)
        (cls.employee_a | cls.employee_b | cls.employee_c).olimp_kpi_profile_id = profile
        cls.company.write({"olimp_kpi_checklist_days": 3, "olimp_kpi_close_day": 3, "olimp_kpi_auto_close_day": 10})
        with freeze_time("2026-11-02"):
            cls.scorecards = cls.Scorecard.generate(MONTH, cls.employee_a | cls.employee_b | cls.employee_c)
        cls.card_a, cls.card_b, cls.card_c = (
            cls.scorecards.filtered(lambda sc, employee=employee: sc.employee_id == employee)
            for employee in (cls.employee_a, cls.employee_b, cls.employee_c)
        )

    def _run(self, day):
        with freeze_time(day):
            self.Review._cron_month_end()
        return self.Review.search([("user_id", "=", self.manager_user.id), ("date_from", "=", MONTH)])

    def _activities(self, review):
        return review.activity_ids.filtered(lambda activity: activity.user_id == self.manager_user)

    def test_checklist_reminder_a_few_days_before_the_month_ends(self):
        self.assertFalse(self._run("2026-11-26 12:00:00"), "4 days before: not yet")
        review = self._run("2026-11-27 12:00:00")
        activities = self._activities(review)
        self.assertEqual(len(activities), 1, "one activity for the team")
        self.assertEqual(activities.summary, "Score the checklists of November 2026")
        self.assertEqual(str(activities.date_deadline), "2026-11-30")
        self.assertIn("Anna", activities.note)
        self.assertIn("Carl", activities.note)
        self._run("2026-11-28 12:00:00")
        self.assertEqual(len(self._activities(review)), 1, "given once")
        self.assertFalse(self.Review.search([("user_id", "=", self.user_b.id)]))
        self.assertEqual(review.with_user(self.manager_user).unanswered_count, 4)

    def test_no_checklist_reminder_when_everything_is_answered(self):
        self.scorecards.answer_ids.write({"value": "yes"})
        self.assertFalse(self._run("2026-11-28 12:00:00"))

    def test_close_reminder_on_the_set_day_of_the_next_month(self):
        self._run("2026-12-02 12:00:00")
        self.assertFalse(
            self.Review.search([("user_id", "=", self.manager_user.id), ("close_reminded_on", "!=", False)])
        )
        review = self._run("2026-12-03 12:00:00")
        activity = self._activities(review)
        self.assertEqual(activity.summary, "Close November 2026")
        self._run("2026-12-04 12:00:00")
        self.assertEqual(len(self._activities(review)), 1)
        action = review.with_user(self.manager_user).action_open_scorecards()
        self.assertEqual(
            set(self.Scorecard.with_user(self.manager_user).search(action["domain"]).ids),
            set((self.card_a | self.card_c).ids),
            "the activity opens the team's open scorecards of the month",
        )

    def test_close_the_month_from_the_review(self):
        """The close reminder's review opens the close dialog for the team's open scorecards: it says what is not
        ready, and closes the ready ones; once all are closed there is nothing left to close."""
        review = self._run("2026-12-03 12:00:00").with_user(self.manager_user)
        Wizard = self.env["olimp.kpi.close.wizard"].with_user(self.manager_user)
        self.card_a.answer_ids.write({"value": "yes"})
        with freeze_time("2026-12-03 12:00:00"):
            wizard = Wizard.browse(review.action_close_month()["res_id"])
            self.assertEqual(wizard.scorecard_ids, self.card_a | self.card_c)
            self.assertEqual(wizard.ready_count, 1)
            self.assertIn("Carl", wizard.blockers)
            wizard.action_close()
            self.assertEqual((self.card_a.state, self.card_c.state), ("closed", "open"))
            self.card_c.answer_ids.write({"value": "no"})
            Wizard.browse(review.action_close_month()["res_id"]).action_close()
            self.assertEqual(self.card_c.state, "closed")
            with self.assertRaises(UserError):
                review.action_close_month()

    def test_no_automatic_close_by_default(self):
        self.assertFalse(self.company.olimp_kpi_auto_close)
        self._run("2026-12-15 12:00:00")
        self.assertEqual(set(self.scorecards.mapped("state")), {"open"})

    def test_automatic_close_closes_the_ready_ones_and_reports_the_others(self):
        self.company.olimp_kpi_auto_close = True
        self.card_a.answer_ids.write({"value": "yes"})
        Scorecard = type(self.Scorecard)
        action_close = Scorecard.action_close

        def not_ready_without_answers(scorecards):
            # The close rules (a month that has ended, every checklist answered) say why a scorecard is not ready.
            for scorecard in scorecards:
                if not all(scorecard.answer_ids.mapped("value")):
                    raise UserError(f"{scorecard.employee_id.name}: checklist answers are missing.")  # pylint: disable=translation-required
            return action_close(scorecards)

        with patch.object(Scorecard, "action_close", not_ready_without_answers):
            self._run("2026-12-09 12:00:00")
            self.assertEqual(self.card_a.state, "open", "not before the set day")
            review = self._run("2026-12-10 12:00:00")
            self.assertEqual((self.card_a.state, self.card_c.state), ("closed", "open"))
            self.assertEqual(self.card_b.state, "open", "Boris has no team leader to report to")
            left_open = self._activities(review).filtered(lambda activity: "left open" in activity.summary)
            self.assertEqual(len(left_open), 1)
            self.assertIn("Carl: checklist answers are missing.", left_open.note)
            self.assertIn("Closed automatically: 1 scorecards", review.message_ids[:1].body)
            self.card_c.answer_ids.write({"value": "no"})
            self._run("2026-12-11 12:00:00")
            self.assertEqual(self.card_c.state, "open", "one attempt: the team leader was told")

    def test_rights(self):
        review = self._run("2026-12-03 12:00:00")
        self.assertEqual(self.Review.with_user(self.manager_user).search([]), review)
        with self.assertRaises(AccessError):
            review.with_user(self.user_a).read(["open_count"])
        other_leader = new_test_user(self.env, "olimp_other_leader", groups="olimp_kpi.group_kpi_manager")
        self.assertFalse(self.Review.with_user(other_leader).search([]))

    def test_settings_that_make_no_sense(self):
        for values in (
            {"olimp_kpi_checklist_days": -1},
            {"olimp_kpi_close_day": 31},
            {"olimp_kpi_auto_close": True, "olimp_kpi_close_day": 10, "olimp_kpi_auto_close_day": 5},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.company.write(values)
