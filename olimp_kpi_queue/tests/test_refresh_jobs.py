from freezegun import freeze_time

from odoo import fields
from odoo.addons.olimp_kpi.tests.common import MONTH, TODAY, OlimpKpiCase, close_scorecards
from odoo.addons.queue_job.job import Job
from odoo.tests import tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestRefreshJobs(OlimpKpiCase):
    """With queue_job, the refresh cron plans one job per company, month and batch; the jobs do the work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Open scorecards of demo data are up to date: only the ones made here are due.
        cls.env.cr.execute(
            SQL("UPDATE olimp_kpi_scorecard SET refreshed_on = %s WHERE state = 'open'", fields.Datetime.now())
        )
        # Shared by both companies: a company's profile (and KPIs) are for its own employees only.
        cls.sales = cls._kpi("Q_SALES", aggregation="sum", measure="expected_revenue", company_id=False)
        cls.profile = cls._profile("Queue", [(cls.sales, 1000, 1)])
        cls.profile.company_id = False
        cls.other_company = cls.env["res.company"].create({"name": "Olimp Queue Co"})
        cls.employees = cls.env["hr.employee"]
        for index in range(7):
            company = cls.other_company if index >= 5 else cls.company
            user = cls.env["res.users"].create(
                {
                    "name": f"Queue {index}",
                    "login": f"queue_{index}",
                    "company_id": company.id,
                    "company_ids": [(6, 0, [company.id])],
                }
            )
            employee = cls._employee(f"Queue {index}", user, profile=cls.profile)
            employee.company_id = company
            cls.employees |= employee
            cls._lead(user, "2026-11-10", 100 * (index + 1), company_id=company.id)
        cls.scorecards = cls.env["olimp.kpi.scorecard"].generate(MONTH, cls.employees)

    def _jobs(self):
        return self.env["queue.job"].search(
            [("model_name", "=", "olimp.kpi.scorecard"), ("method_name", "=", "_olimp_refresh_job")]
        )

    def test_one_job_per_company_and_batch(self):
        Scorecard = self.env["olimp.kpi.scorecard"]
        self.assertEqual(Scorecard._cron_refresh(batch_size=2), 4)
        jobs = self._jobs()
        # 5 scorecards in the first company (2 + 2 + 1), 2 in the other
        self.assertEqual(sorted(len(job.records) for job in jobs), [1, 2, 2, 2])
        self.assertEqual(set(jobs.mapped("channel")), {"root.olimp_kpi"})
        self.assertTrue(all(jobs.mapped("identity_key")))
        for job in jobs:
            self.assertEqual(len(job.records.company_id), 1)
        self.assertEqual(Scorecard.union(*(job.records for job in jobs)), self.scorecards)
        self.assertFalse(any(self.scorecards.mapped("refreshed_on")), "the cron only plans")

        # Planning again while the jobs wait adds none.
        Scorecard._cron_refresh(batch_size=2)
        self.assertEqual(self._jobs(), jobs)

        for job in jobs:
            Job.load(self.env, job.uuid).perform()
        self.scorecards.invalidate_recordset()
        self.assertTrue(all(self.scorecards.mapped("refreshed_on")))
        actuals = sorted(self.scorecards.line_ids.mapped("actual"))
        self.assertEqual(actuals, [100, 200, 300, 400, 500, 600, 700])

    def test_job_leaves_closed_and_refreshed_scorecards(self):
        closed, refreshed, due = self.scorecards[0], self.scorecards[1], self.scorecards[2:]
        close_scorecards(closed)  # closed once its month is over
        refreshed.action_refresh()
        refreshed_on = refreshed.refreshed_on
        self.env.cr.execute(SQL("UPDATE olimp_kpi_scorecard_line SET actual = 0 WHERE scorecard_id = %s", refreshed.id))
        self.scorecards.invalidate_recordset()
        self.scorecards._olimp_refresh_job()
        self.scorecards.invalidate_recordset()
        self.assertEqual(refreshed.refreshed_on, refreshed_on)
        self.assertEqual(refreshed.line_ids.actual, 0, "refreshed today: not refreshed again")
        self.assertEqual(closed.state, "closed")
        self.assertTrue(all(due.mapped("refreshed_on")))

    def test_jobs_run_on_their_channel(self):
        function = self.env["queue.job.function"].search(
            [("model_id.model", "=", "olimp.kpi.scorecard"), ("method", "=", "_olimp_refresh_job")]
        )
        self.assertEqual(function.channel, "root.olimp_kpi")
