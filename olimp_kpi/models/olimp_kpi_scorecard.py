import logging
from collections import defaultdict

from babel.dates import format_date

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date as odoo_format_date
from odoo.tools.misc import get_lang

from ..engine import periods, plans, scoring
from ..services.groups import KPI_ADMIN_GROUP, is_team_leader
from ..services.line_fields import KPI_SNAPSHOT_FIELDS, PLAN_FIELDS
from ..services.locking import create_skipping_duplicates
from ..services.scorecard_refresh import ScorecardRefresh
from ..services.scorecard_screens import ScorecardScreens
from .olimp_kpi_plan import SYNC_CONTEXT

_logger = logging.getLogger(__name__)

# Fields that mail.thread / mail.activity.mixin may write on any record, closed or not.
MAIL_FIELD_PREFIXES = ("message_", "activity_", "website_message")
# Written together with the state when a scorecard is closed or reopened.
STATE_FIELDS = {"state", "closed_on", "closed_by_id"}

TREND_SELECTION = [("up", "↑ Up"), ("down", "↓ Down"), ("flat", "→ Flat")]
TREND_BASIS_SELECTION = [
    ("month", "The previous month"),
    ("prorated", "The previous month, pro-rated to the working days elapsed"),
    ("none", "Nothing to compare with"),
]
# Context keys of an explicit choice when closing (the close wizard sets them).
CLOSE_EARLY_KEY = "olimp_close_early"
UNANSWERED_AS_NO_KEY = "olimp_unanswered_as_no"


class OlimpKpiScorecard(models.Model):
    """One employee's KPIs for one calendar month: plan, actual, zones, trend and efficiency."""

    _name = "olimp.kpi.scorecard"
    _description = "KPI Scorecard"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, employee_id, id"
    _rec_names_search = ["employee_id.name"]

    employee_id = fields.Many2one(
        comodel_name="hr.employee", required=True, ondelete="restrict", index=True, readonly=True
    )
    user_id = fields.Many2one(comodel_name="res.users", index=True, readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    team_id = fields.Many2one(comodel_name="crm.team", string="Sales Team", index=True, readonly=True)
    manager_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Manager",
        index=True,
        readonly=True,
        help="The user of the employee's manager when the scorecard was made.",
    )
    department_id = fields.Many2one(comodel_name="hr.department", readonly=True)
    date_from = fields.Date(string="Month", required=True, index=True, readonly=True)
    date_to = fields.Date(compute="_compute_date_to", store=True)
    period_label = fields.Char(string="Period", compute="_compute_period_label")
    state = fields.Selection(
        selection=[("open", "Open"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(comodel_name="olimp.kpi.scorecard.line", inverse_name="scorecard_id", string="KPIs")
    answer_ids = fields.One2many(
        comodel_name="olimp.kpi.scorecard.answer", inverse_name="scorecard_id", string="Checklist"
    )
    efficiency = fields.Float(
        string="Eff. (%)",
        compute="_compute_summary",
        store=True,
        aggregator="avg",
        help="Weighted average score of the KPIs that have a plan: Σ weight × score / Σ weight.",
    )
    counted_line_count = fields.Integer(compute="_compute_summary", store=True)
    red_count = fields.Integer(string="Red", compute="_compute_summary", store=True)
    yellow_count = fields.Integer(string="Yellow", compute="_compute_summary", store=True)
    green_count = fields.Integer(string="Green", compute="_compute_summary", store=True)
    efficiency_warning = fields.Char(compute="_compute_efficiency_warning")
    previous_efficiency = fields.Float(string="Previous Eff. (%)", readonly=True)
    efficiency_reference = fields.Float(
        string="Eff. Compared With (%)",
        readonly=True,
        help="What the efficiency trend compares with: the previous month's efficiency once the month is over; "
        "while it runs, the efficiency the scorecard would have with every KPI at the previous month's pace.",
    )
    trend_basis = fields.Selection(
        selection=TREND_BASIS_SELECTION,
        string="Trends Against",
        default="none",
        required=True,
        readonly=True,
        help="While the month runs, counts and sums are compared with the previous month pro-rated to the working "
        "days elapsed (balances, ratios and checklists with the previous month's figure); once it is over, whole "
        "months are compared.",
    )
    working_days = fields.Integer(readonly=True, help="Working days of the month (the company's working hours).")
    elapsed_working_days = fields.Integer(readonly=True, help="Working days of the month elapsed at the refresh.")
    efficiency_trend = fields.Selection(
        selection=TREND_SELECTION, string="Trend", compute="_compute_efficiency_trend", store=True
    )
    refreshed_on = fields.Datetime(readonly=True, copy=False)
    closed_on = fields.Datetime(readonly=True, copy=False)
    closed_by_id = fields.Many2one(comodel_name="res.users", readonly=True, copy=False)
    note = fields.Html()

    _sql_constraints = [
        (
            "employee_month_unique",
            "UNIQUE(employee_id, date_from)",
            "An employee has only one scorecard per month.",
        ),
        (
            "date_from_first_day",
            "CHECK(EXTRACT(DAY FROM date_from) = 1)",
            "A scorecard starts on the first day of a month.",
        ),
    ]

    def init(self):
        # Every refresh rewrites the open month's scorecards: room left on each page lets PostgreSQL update them in
        # place (HOT updates), without a new entry in each of the table's indexes for every row.
        self.env.cr.execute(SQL("ALTER TABLE %s SET (fillfactor = 50)", SQL.identifier(self._table)))

    @api.depends("date_from")
    def _compute_date_to(self):
        for scorecard in self:
            scorecard.date_to = scorecard.date_from and periods.month_end(scorecard.date_from)

    @api.depends("date_from")
    def _compute_period_label(self):
        locale = get_lang(self.env).code
        for scorecard in self:
            scorecard.period_label = (
                format_date(scorecard.date_from, "LLLL y", locale=locale).capitalize() if scorecard.date_from else ""
            )

    @api.depends("employee_id", "date_from")
    def _compute_display_name(self):
        for scorecard, label in zip(self, self.mapped("period_label"), strict=True):
            scorecard.display_name = " · ".join(filter(None, [scorecard.employee_id.name, label]))

    @api.depends("line_ids.score", "line_ids.weight", "line_ids.zone")
    def _compute_summary(self):
        for scorecard in self:
            result = scoring.summary((ln.weight, ln.score, ln.zone) for ln in scorecard.line_ids)
            scorecard.efficiency = result.efficiency
            scorecard.counted_line_count = result.counted
            scorecard.red_count = result.red
            scorecard.yellow_count = result.yellow
            scorecard.green_count = result.green

    @api.depends("counted_line_count")
    def _compute_efficiency_warning(self):
        for scorecard in self:
            scorecard.efficiency_warning = (
                self.env._("No KPI has both a plan and a weight: efficiency is 0.")
                if not scorecard.counted_line_count
                else False
            )

    @api.depends("efficiency", "efficiency_reference", "trend_basis")
    def _compute_efficiency_trend(self):
        for scorecard in self:
            reference = None if scorecard.trend_basis == scoring.BASIS_NONE else scorecard.efficiency_reference
            scorecard.efficiency_trend = scoring.trend(scorecard.efficiency, reference)

    def _check_open(self):
        """Refuse any change to closed scorecards; lock the scorecards about to change.

        Whoever changes a scorecard, its lines or its answers locks the scorecard row first, as the refresh and the
        close do: a change waits for a refresh or a close of the same scorecard running in another transaction
        (and a refresh skips a scorecard being edited) instead of both waiting for each other on its lines, a
        deadlock. A change that began before a close committed fails to lock (a serialization failure, retried as
        every RPC call is) and then finds the scorecard closed, whatever it changes: an answer's comment too.
        """
        ids = [scorecard_id for scorecard_id in self.ids if isinstance(scorecard_id, int)]
        if ids:
            # A serialization failure here is expected and retried: not logged as an error.
            self.env.cr.execute(
                SQL("SELECT id FROM olimp_kpi_scorecard WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", ids),
                log_exceptions=False,
            )
        closed = self.filtered(lambda sc: sc.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "Scorecard %(scorecard)s is closed: its plan, actuals, answers and efficiency can no longer "
                    "change. A team leader can reopen it.",
                    scorecard=closed[0].display_name,
                )
            )

    def write(self, vals):
        changed = {fname for fname in vals if not fname.startswith(MAIL_FIELD_PREFIXES)}
        if "state" in vals:
            changed -= STATE_FIELDS
        if changed:
            self._check_open()
        closed = self.filtered(lambda sc: sc.state == "closed")
        reopened = closed if vals.get("state") == "open" else self.browse()
        if reopened and not is_team_leader(self.env):
            raise AccessError(self.env._("Only team leaders can reopen a closed scorecard."))
        before = {scorecard.id: scorecard.efficiency for scorecard in reopened}
        result = super().write(vals)
        if reopened:
            # An open month follows the data again: recomputed at once, and said so where the month is discussed.
            ScorecardRefresh(self.env).run(reopened.ids)
            for scorecard in reopened:
                scorecard.message_post(
                    body=self.env._(
                        "Scorecard reopened by %(user)s: its figures were recomputed from the current data "
                        "(efficiency %(before)s %% → %(after)s %%; balances keep their month-end measure).",
                        user=self.env.user.name,
                        before=round(before[scorecard.id], 1),
                        after=round(scorecard.efficiency, 1),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        if any(scorecard.state == "closed" for scorecard in self):
            raise UserError(self.env._("A closed scorecard cannot be deleted: reopen it first."))

    def action_refresh(self):
        """Recompute actuals, zones, trends and efficiency of the open scorecards in ``self``."""
        self.check_access("read")
        ScorecardRefresh(self.env).run(self.ids)
        return True

    # -- closing ---------------------------------------------------------------------------------------------
    def _local_today(self):
        """Today in the scorecard's company time zone."""
        self.ensure_one()
        return periods.local_today(self.company_id._olimp_kpi_tz())

    def get_close_blockers(self, close_early=False, unanswered_as_no=False):
        """Why the open scorecards of ``self`` cannot be closed now: ``{scorecard id: [reason, ...]}``, in the
        user's words; scorecards ready to close (and closed ones) are left out.

        :param close_early: a KPI administrator's explicit choice to close a month that is running
        :param unanswered_as_no: the closer's explicit choice to count unanswered checklist questions as No
        """
        unanswered = defaultdict(list)
        if not unanswered_as_no:
            Answer = self.env["olimp.kpi.scorecard.answer"].sudo()
            for answer in Answer.search([("scorecard_id", "in", self.ids), ("value", "=", False)]):
                unanswered[answer.scorecard_id.id].append(answer.name)
        blockers = {}
        for scorecard in self.filtered(lambda sc: sc.state == "open"):
            reasons = []
            today = scorecard._local_today()
            if today < scorecard.date_from:
                reasons.append(self.env._("%(month)s has not begun yet.", month=scorecard.period_label))
            elif not close_early and not periods.has_ended(scorecard.date_from, today):
                reasons.append(
                    self.env._(
                        "%(month)s has not ended yet: it can be closed from %(day)s.",
                        month=scorecard.period_label,
                        day=odoo_format_date(self.env, periods.next_month_start(scorecard.date_from)),
                    )
                )
            if unanswered[scorecard.id]:
                reasons.append(
                    self.env._(
                        "Checklist questions not answered: %(questions)s.",
                        questions="; ".join(unanswered[scorecard.id]),
                    )
                )
            if reasons:
                blockers[scorecard.id] = reasons
        return blockers

    def _close_blockers_message(self, blockers):
        rows = [
            self.env._("%(scorecard)s: %(reasons)s", scorecard=scorecard.display_name, reasons=" ".join(reasons))
            for scorecard in self.browse(list(blockers))
            for reasons in [blockers[scorecard.id]]
        ]
        return "\n".join(
            [
                self.env._("These scorecards cannot be closed yet:"),
                *(f"• {row}" for row in rows),
                self.env._(
                    "A month can be closed once it has ended, with every checklist question answered (the Close "
                    "dialog can count unanswered questions as No, if you say so)."
                ),
            ]
        )

    def action_close(self):
        """Close the open scorecards of ``self``: freeze the month, with the records counted and the evidence.

        Refused (a :class:`UserError` naming employee, month and questions) for a month that has not ended and
        while checklist questions are unanswered, unless the caller chose otherwise explicitly through the context
        (:data:`CLOSE_EARLY_KEY`, KPI administrators only; :data:`UNANSWERED_AS_NO_KEY`), as the close dialog does.
        """
        return self._close(
            close_early=bool(self.env.context.get(CLOSE_EARLY_KEY)),
            unanswered_as_no=bool(self.env.context.get(UNANSWERED_AS_NO_KEY)),
        )

    def _close(self, close_early=False, unanswered_as_no=False):
        to_close = self.filtered(lambda sc: sc.state == "open")
        if not to_close:
            return True
        to_close.check_access("write")
        if close_early and not (self.env.su or self.env.user.has_group(KPI_ADMIN_GROUP)):
            raise AccessError(self.env._("Only KPI administrators can close a month before it has ended."))
        # Locked first, as every change of a scorecard: a concurrent refresh, answer or close waits for this one.
        to_close._check_open()
        blockers = to_close.get_close_blockers(close_early=close_early, unanswered_as_no=unanswered_as_no)
        if blockers:
            raise UserError(to_close._close_blockers_message(blockers))
        if unanswered_as_no:
            to_close._answer_unanswered_as_no()
        refreshed = ScorecardRefresh(self.env).run(to_close.ids, store_records=True)
        if refreshed != to_close:
            raise UserError(self.env._("Some of these scorecards are being changed by someone else: try again."))
        to_close.answer_ids._store_evidence()
        to_close.write({"state": "closed", "closed_on": fields.Datetime.now(), "closed_by_id": self.env.uid})
        if close_early:
            for scorecard in to_close.filtered(lambda sc: not periods.has_ended(sc.date_from, sc._local_today())):
                scorecard.message_post(
                    body=self.env._(
                        "Closed by %(user)s before the end of %(month)s, by an explicit choice.",
                        user=self.env.user.name,
                        month=scorecard.period_label,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def _answer_unanswered_as_no(self):
        """The closer's explicit choice: unanswered questions count as No, and the chatter says which."""
        answers = self.env["olimp.kpi.scorecard.answer"].search(
            [("scorecard_id", "in", self.ids), ("value", "=", False)]
        )
        if not answers:
            return
        answers.write({"value": "no"})
        for scorecard in self:
            mine = answers.filtered(lambda answer, scorecard=scorecard: answer.scorecard_id == scorecard)
            if mine:
                scorecard.message_post(
                    body=self.env._(
                        "%(user)s closed the month counting %(count)s unanswered checklist questions as No: "
                        "%(questions)s.",
                        user=self.env.user.name,
                        count=len(mine),
                        questions="; ".join(mine.mapped("name")),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def action_reopen(self):
        """Reopen the closed scorecards of ``self`` (team leaders, several at once): recomputed and recorded."""
        self.filtered(lambda sc: sc.state == "closed").write(
            {"state": "open", "closed_on": False, "closed_by_id": False}
        )
        return True

    def action_open_close_wizard(self):
        """The close dialog for these scorecards: what is not ready, the months and the count, then the choice."""
        wizard = self.env["olimp.kpi.close.wizard"].create({"scorecard_ids": [fields.Command.set(self.ids)]})
        return wizard._action()

    def action_open_lines(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_kpi.olimp_kpi_scorecard_line_action")
        action["domain"] = [("scorecard_id", "in", self.ids)]
        return action

    def action_export_xlsx(self):
        """Download these scorecards as an Excel workbook (see ``olimp.kpi.export.wizard``)."""
        return self.env["olimp.kpi.export.wizard"].create({})._export(self)

    @api.model
    @api.returns("self")
    def generate(self, date=None, employees=None):
        """Make the scorecards of the month of ``date`` (default: today) for every employee with a profile.

        Each scorecard belongs to its employee's company; only employees of the caller's companies (the active
        ones) are considered, also when ``employees`` (a recordset, or a list of ids over RPC) is given.
        Idempotent: an employee already having a scorecard for that month keeps it untouched, also when two
        workers generate at once (they are serialised per month by a transaction lock, and the unique constraint
        stands behind it). Returns the scorecards of the month for those employees (their ids over RPC).
        """
        try:
            day = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        except (ValueError, TypeError) as error:
            raise UserError(self.env._("%(value)s is not a date: use YYYY-MM-DD.", value=date)) from error
        month = periods.month_start(day)
        Employee = self.env["hr.employee"].sudo()
        if employees is None:
            employees = Employee.search(
                [("olimp_kpi_profile_id", "!=", False), ("company_id", "in", self.env.companies.ids)]
            )
        else:
            if not isinstance(employees, models.BaseModel):
                try:
                    employees = Employee.browse([int(employee_id) for employee_id in employees]).exists()
                except (ValueError, TypeError) as error:
                    raise UserError(self.env._("%(value)s is not a list of employee ids.", value=employees)) from error
            employees = employees.sudo().filtered(
                lambda emp: emp.olimp_kpi_profile_id and emp.company_id in self.env.companies
            )
        employees = employees.filtered(lambda emp: emp.user_id and emp.olimp_kpi_profile_id.line_ids)
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('olimp_kpi_generate'), %s)", month.toordinal()))
        Scorecard = self.sudo()
        existing = Scorecard.search([("employee_id", "in", employees.ids), ("date_from", "=", month)])
        missing = employees - existing.employee_id
        month_plans = self.env["olimp.kpi.plan"].sudo()._existing_for_employees(missing, month)
        presence = missing._olimp_kpi_presence(month)
        created = Scorecard.with_context(**{SYNC_CONTEXT: True})._create_missing(
            [self._prepare_scorecard_vals(employee, month, month_plans, presence) for employee in missing]
        )
        return (existing | created).with_env(self.env)

    @api.model
    def _create_missing(self, vals_list):
        """Create the scorecards; those another worker committed since this transaction began are skipped.

        Odoo's transactions are REPEATABLE READ: rows committed by a concurrent worker after this transaction's
        first query stay invisible even after the lock in :meth:`generate` was obtained, so the unique constraint
        is the last word (:func:`create_skipping_duplicates`).
        """
        return create_skipping_duplicates(self, vals_list)

    @api.model
    def _prepare_scorecard_vals(self, employee, month, month_plans=None, presence=None):
        """Values of the scorecard of ``employee`` for ``month``: the KPIs of the profile, each with the month's plan
        (``month_plans``: ``{(employee id, kpi id): target}``) when there is one, else the profile's; counts and
        amounts pro-rated to the working days of an employee who starts or leaves during the month (``presence``:
        ``{employee id: (days worked, working days of the month)}``)."""
        user = employee.user_id
        month_plans = month_plans or {}
        worked, month_days = (presence or {}).get(employee.id, (0, 0))
        line_vals = []
        for profile_line in employee.olimp_kpi_profile_id.line_ids.filtered("kpi_id.active"):
            kpi = profile_line.kpi_id
            target = month_plans.get((employee.id, kpi.id), profile_line.target)
            prorated = month_days and worked < month_days and plans.is_prorated(kpi.unit, self._period_mode(kpi))
            line_vals.append(
                {
                    "kpi_id": kpi.id,
                    **{fname: profile_line[fname] for fname in PLAN_FIELDS},
                    **{fname: kpi[fname] for fname in KPI_SNAPSHOT_FIELDS},
                    "target": plans.prorate(target, worked, month_days, kpi.unit) if prorated else target,
                    "prorate_days": worked if prorated else 0,
                    "prorate_month_days": month_days if prorated else 0,
                    "answer_ids": [fields.Command.create({"item_id": item.id}) for item in kpi.checklist_item_ids],
                }
            )
        return {
            "employee_id": employee.id,
            "user_id": user.id,
            "company_id": employee.company_id.id,
            "team_id": user.sale_team_id.id,
            "manager_user_id": employee.parent_id.user_id.id,
            "department_id": employee.department_id.id,
            "date_from": month,
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
        }

    @api.model
    def _period_mode(self, kpi):
        """``flow`` or ``balance``: a balance KPI (the state at the month's end) is not pro-rated."""
        return kpi["period_mode"] if "period_mode" in kpi._fields else "flow"

    # -- screens of the web client (static/src/screens): plain JSON read with the caller's access rights ------
    @api.model
    def get_screen_data(self, employee_id=None, month=None, refresh=False):
        """The scorecard screen: one employee's KPIs of one month, with details, history and checklist answers.

        Without ``employee_id``: the caller's own scorecard, else the first one they may see that month.
        ``refresh="stale"`` refreshes it first when open and older than a few minutes, ``"all"`` in any case.
        """
        return ScorecardScreens(self.env).screen(employee_id, month, refresh)

    @api.model
    def get_team_board(self, month=None, team_id=None, company_id=None, refresh=False):
        """Employees × KPIs of one month: completion and zone per cell, efficiency per employee.

        ``refresh`` as for :meth:`get_screen_data`, for the open scorecards shown.
        """
        return ScorecardScreens(self.env).team_board(month, team_id, company_id, refresh)

    @api.model
    def get_plan_grid(self, month=None, mode="kpis", kpi_id=None, team_id=None, company_id=None):
        """The plan grid (see :meth:`olimp.kpi.plan.get_grid`)."""
        return self.env["olimp.kpi.plan"].get_grid(month, mode, kpi_id, team_id, company_id)

    @api.model
    def copy_plan_to_next_month(self, month, team_id=None, company_id=None, kpi_id=None):
        """Team leaders: next month's plans become this month's (see :meth:`olimp.kpi.plan.copy_to_next_month`)."""
        return self.env["olimp.kpi.plan"].copy_to_next_month(month, team_id, company_id, kpi_id)

    @api.model
    def _cron_generate(self):
        scorecards = self.with_context(active_test=True).generate()
        self.env["ir.cron"]._notify_progress(done=len(scorecards), remaining=0)

    @api.model
    def _refresh_due_domain(self):
        """Open scorecards not refreshed since today began (UTC): what the daily refresh has still to do."""
        today = fields.Datetime.to_datetime(fields.Date.today())
        return [("state", "=", "open"), "|", ("refreshed_on", "=", False), ("refreshed_on", "<", today)]

    @api.model
    def _cron_refresh(self, batch_size=200):
        """Daily refresh of the open scorecards (cron *KPI: refresh open scorecards*).

        Done here batch by batch (:meth:`_refresh_next_batch`); ``olimp_kpi_queue`` plans it as queue jobs instead
        when ``queue_job`` is installed.
        """
        return self._refresh_next_batch(batch_size)

    @api.model
    def _refresh_next_batch(self, batch_size=200):
        """Refresh the next ``batch_size`` open scorecards not refreshed today, and report what is left.

        The cron worker commits after each call and, since the progress reports scorecards left, calls again
        (10 calls per run, then the cron is rescheduled at once). A run that stops (restart, timeout, error) loses
        at most its current batch: the next run starts from the scorecards still due, and those refreshed today
        are not refreshed twice.
        """
        domain = self._refresh_due_domain()
        Scorecard = self.sudo()
        batch = Scorecard.search(domain, limit=batch_size, order="refreshed_on asc nulls first, id")
        if batch:
            batch._refresh_by_company_if_failing()
        remaining = Scorecard.search_count(domain) if len(batch) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return len(batch)

    def _refresh_by_company_if_failing(self):
        """Refresh ``self``; should a figure be impossible to compute (a clear error, such as a missing exchange
        rate in one company), refresh company by company and month by month instead, so that one company's
        problem does not hold back the others' scorecards: the failing ones are reported in the log, stay due
        (the next run tries them again), and nothing of theirs is written."""
        try:
            with self.env.cr.savepoint():
                self.action_refresh()
            return
        except UserError:
            _logger.info("Refresh of %s scorecards failed: refreshing them company by company", len(self))
        groups = defaultdict(lambda: self.browse())
        for scorecard in self:
            groups[scorecard.company_id, scorecard.date_from] |= scorecard
        for (company, month), scorecards in groups.items():
            try:
                with self.env.cr.savepoint():
                    scorecards.action_refresh()
            except UserError as error:
                _logger.warning(
                    "%s scorecards of %s for %s not refreshed: %s", len(scorecards), company.name, month, error
                )
