import logging
from collections import defaultdict
from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import periods

_logger = logging.getLogger(__name__)


class OlimpKpiMonthReview(models.Model):
    """One team leader's month: the scorecards they score and close, and the month-end routine's reminders.

    A daily scheduled action (:meth:`_cron_month_end`) follows the company's settings: a few days before the month
    ends, one activity to score the checklists of the team; on a set day of the next month, one activity to close
    it; optionally, on a later day, the ready scorecards are closed and those that could not be are reported here.
    Each reminder is given once per team leader and month, however often the action runs.
    """

    _name = "olimp.kpi.month.review"
    _description = "KPI Month Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, user_id, id"

    user_id = fields.Many2one(
        comodel_name="res.users", string="Team Leader", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True, index=True)
    date_from = fields.Date(string="Month", required=True, readonly=True, index=True)
    period_label = fields.Char(string="Period", compute="_compute_period_label")
    scorecard_ids = fields.Many2many(
        comodel_name="olimp.kpi.scorecard", string="Scorecards", compute="_compute_scorecards"
    )
    open_count = fields.Integer(string="Open", compute="_compute_scorecards")
    closed_count = fields.Integer(string="Closed", compute="_compute_scorecards")
    unanswered_count = fields.Integer(string="Unanswered Questions", compute="_compute_scorecards")
    checklist_reminded_on = fields.Date(readonly=True, copy=False)
    close_reminded_on = fields.Date(readonly=True, copy=False)
    auto_closed_on = fields.Date(readonly=True, copy=False)

    _sql_constraints = [
        (
            "leader_month_unique",
            "UNIQUE(user_id, company_id, date_from)",
            "A team leader has one review per company and month.",
        ),
    ]

    @api.depends("date_from")
    def _compute_period_label(self):
        Scorecard = self.env["olimp.kpi.scorecard"]
        for review in self:
            review.period_label = (
                Scorecard.new({"date_from": review.date_from}).period_label if review.date_from else ""
            )

    @api.depends("user_id", "date_from")
    def _compute_display_name(self):
        for review in self:
            review.display_name = " · ".join(filter(None, [review.period_label, review.user_id.name]))

    @api.depends("user_id", "company_id", "date_from")
    def _compute_scorecards(self):
        for review in self:
            scorecards = review._scorecards()
            review.scorecard_ids = scorecards
            review.open_count = len(scorecards.filtered(lambda sc: sc.state == "open"))
            review.closed_count = len(scorecards) - review.open_count
            review.unanswered_count = sum(
                1 for answer in scorecards.filtered(lambda sc: sc.state == "open").answer_ids if not answer.value
            )

    # -- the team's scorecards -------------------------------------------------------------------------------
    @api.model
    def _leader(self, scorecard):
        """Who scores and closes ``scorecard``: the leader of its sales team, else the employee's manager (never the
        employee themselves)."""
        for user in (scorecard.team_id.user_id, scorecard.manager_user_id):
            if user and user != scorecard.user_id:
                return user
        return self.env["res.users"]

    @api.model
    def _team_scorecards(self, company, month, domain=None):
        """``{team leader: scorecards}`` of ``company`` for ``month`` (read as superuser, grouped in Python)."""
        scorecards = (
            self.env["olimp.kpi.scorecard"]
            .sudo()
            .search([("company_id", "=", company.id), ("date_from", "=", month), *(domain or [])])
        )
        by_leader = defaultdict(lambda: self.env["olimp.kpi.scorecard"].sudo())
        for scorecard in scorecards:
            leader = self._leader(scorecard)
            if leader:
                by_leader[leader] |= scorecard
            else:
                _logger.info("Scorecard %s has no team leader: no month-end reminder", scorecard.id)
        return by_leader

    def _scorecards(self):
        """The scorecards of this team leader's month, now."""
        self.ensure_one()
        scorecards = self._team_scorecards(self.company_id, self.date_from).get(self.user_id)
        return (scorecards or self.env["olimp.kpi.scorecard"].sudo()).with_env(self.env)

    @api.model
    def _reviews_due(self, company, month, domain, done_field):
        """``(team leader, their team's scorecards matching domain, review)`` of ``company`` for ``month``, for the
        reviews whose step ``done_field`` (the day it was done) is not done yet."""
        for leader, scorecards in self._team_scorecards(company, month, domain).items():
            review = self._review(leader, company, month)
            if not review[done_field]:
                yield leader, scorecards, review

    def _ask(self, leader, deadline, summary, note):
        """One to-do activity for ``leader`` on this review."""
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=self.env.ref("mail.mail_activity_data_todo").id,
            date_deadline=deadline,
            user_id=leader.id,
            summary=summary,
            note=note,
        )

    @api.model
    def _review(self, leader, company, month):
        Review = self.sudo()
        review = Review.search(
            [("user_id", "=", leader.id), ("company_id", "=", company.id), ("date_from", "=", month)], limit=1
        )
        return review or Review.create({"user_id": leader.id, "company_id": company.id, "date_from": month})

    # -- actions ---------------------------------------------------------------------------------------------
    def action_open_scorecards(self):
        """The team's open scorecards of the month, to score and close."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_kpi.olimp_kpi_scorecard_action")
        scorecards = self._scorecards()
        open_ids = scorecards.filtered(lambda sc: sc.state == "open").ids
        action.update(
            name=self.env._("Open Scorecards of %(month)s", month=self.period_label),
            domain=[("id", "in", open_ids or scorecards.ids)],
            context={"create": False},
        )
        return action

    def action_close_month(self):
        """The close dialog for the team's open scorecards of the month: what is not ready, then the choice."""
        self.ensure_one()
        scorecards = self._scorecards().filtered(lambda sc: sc.state == "open")
        if not scorecards:
            raise UserError(self.env._("Every scorecard of %(month)s is closed already.", month=self.period_label))
        return scorecards.action_open_close_wizard()

    # -- the month-end routine -------------------------------------------------------------------------------
    @api.model
    def _cron_month_end(self):
        """Daily: the reminders and the automatic close that are due today in each company's time zone."""
        companies = self.env["res.company"].search([])
        for company in companies:
            today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(pytz.timezone(company._olimp_kpi_tz()))
            today = today.date()
            self._remind_checklists(company, today)
            self._remind_close(company, today)
            if company.olimp_kpi_auto_close:
                self._auto_close(company, today)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)

    @api.model
    def _remind_checklists(self, company, today):
        days = company.olimp_kpi_checklist_days
        month_end = periods.month_end(today)
        if not days or today < month_end - timedelta(days=days):
            return
        month = periods.month_start(today)
        unanswered = [("state", "=", "open"), ("answer_ids.value", "=", False)]
        for leader, scorecards, review in self._reviews_due(company, month, unanswered, "checklist_reminded_on"):
            env = self.with_context(lang=leader.lang).env
            review._ask(
                leader,
                month_end,
                env._("Score the checklists of %(month)s", month=review.period_label),
                review._scorecard_list(
                    scorecards,
                    env._(
                        "Before %(month)s ends, answer the checklist questions of these scorecards:",
                        month=review.period_label,
                    ),
                ),
            )
            review.checklist_reminded_on = today

    @api.model
    def _remind_close(self, company, today):
        if today.day < company.olimp_kpi_close_day:
            return
        month = periods.previous_month_start(today)
        for leader, scorecards, review in self._reviews_due(
            company, month, [("state", "=", "open")], "close_reminded_on"
        ):
            env = self.with_context(lang=leader.lang).env
            deadline = today
            if company.olimp_kpi_auto_close:
                deadline = today.replace(day=company.olimp_kpi_auto_close_day) - timedelta(days=1)
            review._ask(
                leader,
                max(deadline, today),
                env._("Close %(month)s", month=review.period_label),
                review._scorecard_list(
                    scorecards,
                    env._("%(month)s has ended: check and close these scorecards:", month=review.period_label),
                ),
            )
            review.close_reminded_on = today

    @api.model
    def _auto_close(self, company, today):
        """Close last month's scorecards that are ready, each on its own; tell each team leader about the others."""
        if today.day < company.olimp_kpi_auto_close_day:
            return
        month = periods.previous_month_start(today)
        for leader, scorecards, review in self._reviews_due(company, month, [("state", "=", "open")], "auto_closed_on"):
            closed, failed = self._close_each(scorecards)
            env = self.with_context(lang=leader.lang).env
            body = env._(
                "Closed automatically: %(closed)s scorecards of %(month)s.",
                closed=len(closed),
                month=review.period_label,
            )
            if failed:
                reasons = Markup("<ul>%s</ul>") % Markup().join(
                    Markup("<li>%s: %s</li>") % (scorecard.employee_id.name, reason) for scorecard, reason in failed
                )
                note = Markup("<p>%s</p>%s") % (
                    env._("These scorecards of %(month)s are not ready and stay open:", month=review.period_label),
                    reasons,
                )
                review.message_post(body=Markup("<p>%s</p>") % body + note, subtype_xmlid="mail.mt_note")
                review._ask(leader, today, env._("Scorecards of %(month)s left open", month=review.period_label), note)
            else:
                review.message_post(body=body, subtype_xmlid="mail.mt_note")
            review.auto_closed_on = today

    @api.model
    def _close_each(self, scorecards):
        """``action_close()`` per scorecard, each in a savepoint: ``(closed, [(scorecard, reason)])``."""
        closed, failed = self.env["olimp.kpi.scorecard"], []
        for scorecard in scorecards:
            try:
                with self.env.cr.savepoint():
                    scorecard.action_close()
                closed |= scorecard
            except UserError as error:
                failed.append((scorecard, str(error)))
        return closed, failed

    def _scorecard_list(self, scorecards, intro):
        items = Markup().join(Markup("<li>%s</li>") % scorecard.employee_id.name for scorecard in scorecards)
        return Markup("<p>%s</p><ul>%s</ul>") % (intro, items)
