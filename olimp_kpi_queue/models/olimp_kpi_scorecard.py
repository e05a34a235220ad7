from odoo import api, models
from odoo.addons.queue_job.job import identity_exact
from odoo.tools import groupby, split_every


class OlimpKpiScorecard(models.Model):
    _inherit = "olimp.kpi.scorecard"

    @api.model
    def _cron_refresh(self, batch_size=200):
        """Plan the refresh as queue jobs: one per company, month and batch of ``batch_size`` scorecards.

        The cron only plans; the job runner spreads the jobs over the workers of every Odoo server
        (channel ``root.olimp_kpi``). A job refreshes its scorecards with the same grouped queries as the cron,
        so each job costs a fixed number of queries. Planning again while jobs wait adds no duplicate (identity
        key), and a job that fails is retried by queue_job without touching the other batches.
        """
        scorecards = self.sudo().search(self._refresh_due_domain(), order="company_id, date_from, id")
        jobs = 0
        for (company, month), group in groupby(scorecards, key=lambda sc: (sc.company_id, sc.date_from)):
            for ids in split_every(batch_size, [scorecard.id for scorecard in group]):
                self.browse(ids).with_delay(
                    description=self.env._(
                        "KPI: refresh %(count)s scorecards of %(month)s, %(company)s",
                        count=len(ids),
                        month=month.strftime("%Y-%m"),
                        company=company.name,
                    ),
                    identity_key=identity_exact,
                )._olimp_refresh_job()
                jobs += 1
        self.env["ir.cron"]._notify_progress(done=len(scorecards), remaining=0)
        return jobs

    def _olimp_refresh_job(self):
        """Queue job: refresh these scorecards, except those closed or refreshed since the job was planned."""
        due = self.sudo().filtered_domain(self._refresh_due_domain())
        due.action_refresh()
        return self.env._("%(count)s scorecards refreshed", count=len(due))
