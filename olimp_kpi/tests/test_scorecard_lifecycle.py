from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..services.scorecard_refresh import ScorecardRefresh
from .common import MONTH, TODAY, OlimpKpiCase


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestScorecardLifecycle(OlimpKpiCase):
    """Generation, plan editing, close / reopen, efficiency on the employee, crons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = cls._kpi("LC_SALES", aggregation="sum", measure="expected_revenue")
        cls.check = cls._qualitative_kpi("LC_CHECK", ["Leaflets", "Presentation"])
        cls.profile = cls._profile("Seller", [(cls.sales, 1000, 3), (cls.check, 100, 1)])
        cls.employee_a.olimp_kpi_profile_id = cls.profile
        cls.employee_b.olimp_kpi_profile_id = cls.profile

    def test_generate_is_idempotent(self):
        first = self.Scorecard.generate(TODAY)
        second = self.Scorecard.generate("2026-11-30")
        self.assertEqual(first, second)
        mine = first.filtered(lambda sc: sc.employee_id == self.employee_a)
        self.assertEqual(len(mine), 1)
        self.assertEqual(str(mine.date_from), MONTH)
        self.assertEqual(str(mine.date_to), "2026-11-30")
        self.assertEqual(mine.user_id, self.user_a)
        self.assertEqual(mine.manager_user_id, self.manager_user)
        self.assertEqual(mine.line_ids.kpi_id, self.sales | self.check)
        self.assertEqual(self.Scorecard.search_count([("employee_id", "=", self.employee_a.id)]), 1)

    def test_unique_constraint(self):
        scorecard = self._scorecard(self.employee_a)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Scorecard.create(
                {"employee_id": self.employee_a.id, "company_id": scorecard.company_id.id, "date_from": MONTH}
            )

    def test_generate_skips_empty_profiles(self):
        empty = self.env["olimp.kpi.profile"].create({"name": "Empty"})
        self.employee_b.olimp_kpi_profile_id = empty
        scorecards = self.Scorecard.generate(MONTH)
        self.assertNotIn(self.employee_b, scorecards.employee_id)
        self.assertIn(self.employee_a, scorecards.employee_id)

    def test_plan_copied_then_edited_per_month(self):
        scorecard = self._scorecard(self.employee_a)
        line = self._line(scorecard, self.sales)
        self.assertEqual((line.target, line.weight), (1000, 3))
        line.with_user(self.manager_user).write({"target": 1500})
        self.assertEqual(self.profile.line_ids.filtered(lambda ln: ln.kpi_id == self.sales).target, 1000)
        self.assertEqual(self._line(self._scorecard(self.employee_b), self.sales).target, 1000)

    def test_close_freezes_everything(self):
        lead = self._lead(self.user_a, "2026-11-10", 800)
        scorecard = self._scorecard(self.employee_a)
        self._line(scorecard, self.check).answer_ids[0].value = "yes"
        self._close(scorecard, self.manager_user)
        self.assertEqual(scorecard.state, "closed")
        self.assertEqual(scorecard.closed_by_id, self.manager_user)
        line = self._line(scorecard, self.sales)
        frozen = (line.actual, line.zone, line.score, scorecard.efficiency)
        self.assertEqual(frozen[0], 800)

        for write in (
            lambda: line.write({"target": 1}),
            lambda: scorecard.write({"note": "late change"}),
            lambda: self._line(scorecard, self.check).answer_ids[1].write({"value": "yes"}),
            lambda: self._line(scorecard, self.check).answer_ids[0].unlink(),
            lambda: line.unlink(),
            lambda: scorecard.unlink(),
        ):
            with self.assertRaises(UserError), self.env.cr.savepoint():
                write()

        # New data, deleted data, a changed definition or profile: the closed month stays as it was.
        self._lead(self.user_a, "2026-11-11", 500)
        lead.unlink()
        self.sales.write({"yellow_from": 0, "green_from": 10})
        self.profile.line_ids.write({"target": 5})
        scorecard.action_refresh()
        self.Scorecard._cron_refresh()
        scorecard.invalidate_recordset()
        line.invalidate_recordset()
        self.assertEqual((line.actual, line.zone, line.score, scorecard.efficiency), frozen)
        self.assertEqual(line.target, 1000)

    def test_closed_month_outlives_its_definitions(self):
        """What test_close_freezes_everything does not change: the checklist's questions, the KPI archived or
        redefined, the profile taken away or deleted; what cannot go while a closed month refers to it: the KPI,
        its questions, the employee."""
        self._lead(self.user_a, "2026-11-10", 800)
        scorecard = self._scorecard(self.employee_a)
        check = self._line(scorecard, self.check)
        check.answer_ids[0].value = "yes"
        self._close(scorecard, self.manager_user)

        def figures():
            scorecard.invalidate_recordset()
            scorecard.line_ids.invalidate_recordset()
            lines = scorecard.line_ids.sorted("id")
            return (
                [(ln.kpi_id.id, ln.target, ln.weight, ln.actual, ln.completion, ln.zone, ln.score) for ln in lines],
                [(a.item_id.id, a.value) for a in scorecard.answer_ids.sorted("id")],
                scorecard.efficiency,
                self.employee_a.olimp_efficiency,
            )

        frozen = figures()
        self.check.checklist_item_ids[1].name = "Presentation for the new product line"
        self.check.checklist_item_ids = [Command.create({"name": "A question asked from now on"})]
        self.sales.write({"domain": "[('expected_revenue', '>', 10000)]", "direction": "lower", "active": False})
        self.employee_a.olimp_kpi_profile_id = False
        self.profile.unlink()
        scorecard.action_refresh()
        self.Scorecard._cron_refresh()
        self.employee_a.invalidate_recordset()
        self.assertEqual(figures(), frozen)
        self.assertEqual(len(scorecard.answer_ids), 2, "no answer for the question added after the close")
        # The KPI, its answered questions and the employee stay while a closed month refers to them: the KPI says
        # so and offers to archive it instead (test_bad_input), the others are kept by the database.
        with self.assertRaises(RedirectWarning), self.env.cr.savepoint():
            self.sales.unlink()
        for record in (self.check.checklist_item_ids[0], self.employee_a):
            with self.subTest(record=record), mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
                with self.env.cr.savepoint():
                    record.unlink()
                    self.env.flush_all()
        self.assertEqual(figures(), frozen)

    def test_reopen_only_by_team_leaders_and_logged(self):
        scorecard = self._scorecard(self.employee_a)
        self._close(scorecard)
        with self.assertRaises(AccessError):
            scorecard.with_user(self.user_a).action_reopen()
        with self.assertRaises(AccessError):
            scorecard.with_user(self.user_a).sudo(False).write({"state": "open"})
        messages = len(scorecard.message_ids)
        scorecard.with_user(self.manager_user).action_reopen()
        self.assertEqual(scorecard.state, "open")
        self.assertFalse(scorecard.closed_on)
        self.assertGreater(len(scorecard.message_ids), messages)
        self.assertIn("reopened by", scorecard.message_ids[0].body)
        self._line(scorecard, self.sales).target = 10  # editable again

    def test_employee_efficiency(self):
        self._lead(self.user_a, "2026-10-10", 500)
        self._lead(self.user_a, "2026-11-10", 1000)
        october = self._scorecard(self.employee_a, "2026-10-01")
        november = self._scorecard(self.employee_a)
        self._line(october, self.check).answer_ids.write({"value": "yes"})
        (october | november).action_refresh()
        self.assertEqual(self.employee_a.olimp_efficiency, 0, "no closed month yet")
        october.action_close()
        self.employee_a.invalidate_recordset()
        # (3 × 50 + 1 × 100) / 4
        self.assertAlmostEqual(self.employee_a.olimp_efficiency, 62.5)
        self.assertAlmostEqual(self.employee_a.olimp_get_efficiency("2026-10-01", "2026-10-31"), 62.5)
        self._close(november)
        self.employee_a.invalidate_recordset()
        self.assertAlmostEqual(self.employee_a.olimp_efficiency, 75)  # (3 × 100 + 1 × 0) / 4
        self.assertEqual(self.employee_a.olimp_efficiency_month, "November 2026")
        self.assertAlmostEqual(self.employee_a.olimp_get_efficiency("2026-10-15", "2026-11-30"), (62.5 + 75) / 2)
        self.assertIsNone(self.employee_a.olimp_get_efficiency("2026-01-01", "2026-09-30"), "no closed month")
        self.assertEqual(november.previous_efficiency, 62.5)
        self.assertEqual(november.efficiency_trend, "up")

    def test_crons(self):
        self.Scorecard._cron_generate()
        self.Scorecard._cron_generate()
        ours = self.employee_a | self.employee_b
        scorecards = self.Scorecard.search([("date_from", "=", MONTH), ("employee_id", "in", ours.ids)])
        self.assertEqual(scorecards.employee_id, ours)
        self.assertEqual(len(scorecards), 2)
        self._lead(self.user_b, "2026-11-10", 700)
        # The in-process path of the refresh cron (olimp_kpi_queue plans jobs instead, see its tests).
        self.Scorecard._refresh_next_batch(batch_size=1)
        self.Scorecard._refresh_next_batch(batch_size=1)
        self.assertTrue(all(scorecards.mapped("refreshed_on")))
        line = self._line(scorecards.filtered(lambda sc: sc.employee_id == self.employee_b), self.sales)
        self.assertEqual(line.actual, 700)

    def test_cron_refresh_resumes_after_an_interruption(self):
        # Open scorecards of other tests or of demo data are up to date: only ours are due.
        self.env.cr.execute(
            SQL("UPDATE olimp_kpi_scorecard SET refreshed_on = %s WHERE state = 'open'", fields.Datetime.now())
        )
        employees = self.env["hr.employee"]
        for index in range(5):
            user = self.env["res.users"].create({"name": f"Resume {index}", "login": f"resume_{index}"})
            employees |= self._employee(f"Resume {index}", user, profile=self.profile)
            self._lead(user, "2026-11-10", 100 * (index + 1))
        scorecards = self.Scorecard.generate(MONTH, employees)
        progress = []
        Cron = type(self.env["ir.cron"])

        def refreshed():
            scorecards.invalidate_recordset(["refreshed_on"])
            return scorecards.filtered("refreshed_on")

        with patch.object(Cron, "_notify_progress", lambda cron, **kw: progress.append((kw["done"], kw["remaining"]))):
            self.Scorecard._refresh_next_batch(batch_size=2)
            first = refreshed()
            self.assertEqual((len(first), progress[-1]), (2, (2, 3)))
            # The worker stops in the middle of the second batch, its results written: the transaction is lost...
            write = ScorecardRefresh._write

            def write_then_stop(refresh, *args):
                write(refresh, *args)
                raise RuntimeError("worker stopped")

            with self.assertRaises(RuntimeError), self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                with patch.object(ScorecardRefresh, "_write", write_then_stop):
                    self.Scorecard._refresh_next_batch(batch_size=2)
            self.assertEqual(refreshed(), first)
            # ... and the next run goes on with the scorecards still due, never the ones refreshed today.
            self.Scorecard._refresh_next_batch(batch_size=2)
            second = refreshed() - first
            self.assertEqual((len(second), progress[-1]), (2, (2, 1)))
            self.Scorecard._refresh_next_batch(batch_size=2)
            self.assertEqual(refreshed(), scorecards)
            self.assertEqual(progress[-1], (1, 0))
            self.Scorecard._refresh_next_batch(batch_size=2)
            self.assertEqual(progress[-1], (0, 0))
        lines = scorecards.line_ids.filtered(lambda ln: ln.kpi_id == self.sales)
        self.assertEqual(sorted(lines.mapped("actual")), [100, 200, 300, 400, 500])

    def test_generate_wizard(self):
        wizard = self.env["olimp.kpi.generate.wizard"].with_user(self.manager_user).create({"date": "2026-11-20"})
        action = wizard.action_generate()
        self.assertEqual(action["res_model"], "olimp.kpi.scorecard")
        ours = self.employee_a | self.employee_b
        self.assertEqual(self.Scorecard.search_count([("date_from", "=", MONTH), ("employee_id", "in", ours.ids)]), 2)
