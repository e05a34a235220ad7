import logging
from collections import defaultdict

from psycopg2 import errors as pgerrors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from .followup_scheduler import FollowupScheduler
from .olimp_followup_rule import TASK_TYPES

_logger = logging.getLogger(__name__)

RATINGS = [
    ("0", "Not rated"),
    ("1", "Very dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very satisfied"),
]
CANCEL_REASONS = [
    ("order", "Order cancelled"),
    ("activity", "Activity cancelled"),
    ("manual", "Cancelled by a user"),
]
# Fields of the regulation (when, for whom, what happened): sales people change them only through the actions.
PROTECTED_FIELDS = {
    "rule_id",
    "task_type",
    "partner_id",
    "order_id",
    "period_key",
    "user_id",
    "team_id",
    "manager_user_id",
    "company_id",
    "trigger_date",
    "date_deadline",
    "date_done",
    "state",
    "cancel_reason",
    "activity_id",
}
# Partial unique indexes: one follow-up per (rule, order), and per (rule, customer, company, period) for the rules
# that fire on a customer's silence (no order), which is counted per company. A plain UNIQUE over nullable columns
# would accept duplicates.
UNIQUE_INDEXES = [
    ("olimp_followup_rule_order_uniq", ["rule_id", "order_id"], "order_id IS NOT NULL"),
    (
        "olimp_followup_rule_partner_company_period_uniq",
        ["rule_id", "partner_id", "company_id", "period_key"],
        "order_id IS NULL",
    ),
]
# Replaced by the one above (version 18.0.1.0.0): a customer silent in two companies gets a follow-up in each.
OBSOLETE_INDEXES = ["olimp_followup_rule_partner_period_uniq"]


class OlimpFollowup(models.Model):
    """One post-sale task for one customer, made by a rule and carried out through a standard activity."""

    _name = "olimp.followup"
    _description = "Follow-up"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_deadline, id"
    _rec_names_search = ["rule_id.name", "order_id.name", "partner_id.name"]

    rule_id = fields.Many2one(comodel_name="olimp.followup.rule", required=True, ondelete="restrict", index=True)
    task_type = fields.Selection(
        selection=TASK_TYPES, compute="_compute_task_type", store=True, precompute=True, readonly=False
    )
    trigger = fields.Selection(related="rule_id.trigger")
    script = fields.Html(related="rule_id.script", string="What to Ask")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    order_id = fields.Many2one(
        comodel_name="sale.order", string="Sales Order", ondelete="cascade", index="btree_not_null", readonly=True
    )
    period_key = fields.Char(
        readonly=True,
        copy=False,
        help="For follow-ups on a customer's silence: the period they belong to (last order date and number of "
        "silent periods since), so that a rule fires once per customer and period.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Responsible", required=True, index=True, tracking=True, ondelete="restrict"
    )
    team_id = fields.Many2one(
        comodel_name="crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
    )
    manager_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Manager",
        compute="_compute_manager_user_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        help="The user of the responsible's manager (employee hierarchy), who sees the follow-up.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    trigger_date = fields.Date(readonly=True, help="When the rule fired: confirmation, payment, delivery or scan.")
    date_deadline = fields.Date(string="Deadline", required=True, index=True, tracking=True)
    date_done = fields.Date(readonly=True, copy=False)
    state = fields.Selection(
        selection=[("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    cancel_reason = fields.Selection(selection=CANCEL_REASONS, readonly=True, copy=False)
    on_time = fields.Boolean(
        compute="_compute_on_time",
        store=True,
        help="Done on or before the deadline.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        store=True,
        index=True,
        help="The deadline passed before the follow-up was done: done late, or still planned after the deadline. "
        "Kept up to date when the follow-up changes and every night for the planned ones.",
    )
    activity_id = fields.Many2one(
        comodel_name="mail.activity",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The open activity on the order (or customer); it goes away once done or cancelled.",
    )
    rating = fields.Selection(selection=RATINGS, string="Customer Rating", copy=False, tracking=True)
    feedback = fields.Text(copy=False)
    offer_made = fields.Boolean(copy=False, tracking=True)
    lead_id = fields.Many2one(
        comodel_name="crm.lead",
        string="Opportunity",
        ondelete="set null",
        copy=False,
        help="Opportunity created from a need found during the follow-up.",
    )

    user_can_manage = fields.Boolean(
        compute="_compute_user_can_manage",
        help="Team leaders and administrators may change the deadline and the responsible of a follow-up.",
    )

    _sql_constraints = [
        (
            "order_or_period",
            "CHECK(order_id IS NOT NULL OR period_key IS NOT NULL)",
            "A follow-up belongs to a sales order or to a period of a customer.",
        ),
        (
            "done_has_date",
            "CHECK(state != 'done' OR date_done IS NOT NULL)",
            "A done follow-up has a done date.",
        ),
    ]

    def init(self):
        result = super().init()
        for name in OBSOLETE_INDEXES:
            self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        for name, columns, where in UNIQUE_INDEXES:
            if not index_exists(self.env.cr, name):
                self.env.cr.execute(
                    SQL(
                        "CREATE UNIQUE INDEX %s ON %s (%s) WHERE %s",
                        SQL.identifier(name),
                        SQL.identifier(self._table),
                        SQL(", ").join(SQL.identifier(column) for column in columns),
                        SQL(where),
                    )
                )
        return result

    @api.depends_context("uid")
    def _compute_user_can_manage(self):
        self.user_can_manage = self.env.user.has_group("olimp_kpi.group_kpi_manager")

    @api.depends("rule_id")
    def _compute_task_type(self):
        for followup in self:
            followup.task_type = followup.rule_id.task_type

    @api.depends("order_id", "user_id")
    def _compute_team_id(self):
        for followup in self:
            followup.team_id = followup.order_id.team_id or followup.user_id.sale_team_id

    @api.depends("user_id", "company_id")
    def _compute_manager_user_id(self):
        managers = self._manager_users(self.user_id)
        for followup in self:
            followup.manager_user_id = managers.get(
                (followup.user_id.id, followup.company_id.id), managers.get(followup.user_id.id, False)
            )

    @api.depends("state", "date_done", "date_deadline")
    def _compute_on_time(self):
        for followup in self:
            followup.on_time = bool(
                followup.state == "done" and followup.date_done and followup.date_done <= followup.date_deadline
            )

    @api.depends("state", "date_done", "date_deadline")
    def _compute_is_overdue(self):
        # Depends on today: the nightly _cron_flag_overdue recomputes the planned follow-ups whose deadline passed.
        today = fields.Date.context_today(self)
        for followup in self:
            if followup.state == "cancelled" or not followup.date_deadline:
                followup.is_overdue = False
            elif followup.state == "done":
                followup.is_overdue = bool(followup.date_done and followup.date_done > followup.date_deadline)
            else:
                followup.is_overdue = followup.date_deadline < today

    @api.depends("rule_id", "order_id", "partner_id")
    def _compute_display_name(self):
        for followup in self:
            subject = followup.order_id.name or followup.partner_id.display_name
            followup.display_name = " · ".join(filter(None, [followup.rule_id.name, subject]))

    @api.model
    def _manager_users(self, users):
        """``{(user id, company id): manager user, user id: manager user}`` from the employee hierarchy."""
        if not users:
            return {}
        employees = (
            self.env["hr.employee"]
            .sudo()
            .with_context(active_test=True)
            .search_fetch([("user_id", "in", users.ids)], ["user_id", "company_id", "parent_id"], order="id")
        )
        managers = {}
        for employee in employees:
            manager = employee.parent_id.user_id
            if manager:
                managers.setdefault((employee.user_id.id, employee.company_id.id), manager)
                managers.setdefault(employee.user_id.id, manager)
        return managers

    def write(self, vals):
        protected = PROTECTED_FIELDS & set(vals)
        if protected and not (self.env.su or self.env.user.has_group("olimp_kpi.group_kpi_manager")):
            raise AccessError(
                self.env._(
                    "Only team leaders can change the deadline, the responsible or the state of a follow-up. "
                    "Mark it as done (or cancel its activity) instead."
                )
            )
        result = super().write(vals)
        if {"user_id", "date_deadline"} & set(vals):
            self._sync_activities()
        return result

    def unlink(self):
        activities = self.filtered(lambda f: f.state == "planned").activity_id
        result = super().unlink()
        activities.sudo().unlink()
        return result

    def _sync_activities(self):
        """Carry the responsible and the deadline over to the open activities."""
        for followup in self.sudo().filtered(lambda f: f.state == "planned" and f.activity_id):
            activity = followup.activity_id
            vals = {}
            if activity.user_id != followup.user_id:
                vals["user_id"] = followup.user_id.id
            if activity.date_deadline != followup.date_deadline:
                vals["date_deadline"] = followup.date_deadline
            if vals:
                activity.write(vals)

    # -- actions ------------------------------------------------------------------------------------------------
    def action_open_done_wizard(self):
        planned = self.filtered(lambda f: f.state == "planned")
        if not planned:
            raise UserError(self.env._("Only planned follow-ups can be marked as done."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as Done"),
            "res_model": "olimp.followup.done.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_followup_ids": planned.ids},
        }

    def action_done(self, rating=None, feedback=None, offer_made=None, lead_values=None, date_done=None):
        """Mark the planned follow-ups as done, with their outcome, and their activities with them.

        :param rating: customer rating, ``"0"`` to ``"5"``
        :param feedback: what the customer said (text)
        :param offer_made: whether an offer was made
        :param lead_values: when not ``None``, create an opportunity per follow-up from a need found, with these
            extra ``crm.lead`` values (e.g. ``{"name": ..., "expected_revenue": ...}``), and link it
        :param date_done: the date it was done (default: today)
        :return: ``True``
        """
        planned = self.filtered(lambda f: f.state == "planned")
        if not planned:
            return True
        planned.check_access("write")
        self._check_outcome(rating, lead_values, date_done)
        vals = {"state": "done", "date_done": fields.Date.to_date(date_done) or fields.Date.context_today(self)}
        if rating is not None:
            vals["rating"] = rating
        if feedback is not None:
            vals["feedback"] = feedback
        if offer_made is not None:
            vals["offer_made"] = offer_made
        planned.sudo().write(vals)
        if lead_values is not None:
            planned._create_leads(lead_values)
        # The follow-ups are done first: the activity side then finds nothing left to close (no loop).
        planned.activity_id.sudo()._action_done(feedback=feedback or False)
        return True

    def _check_outcome(self, rating, lead_values, date_done):
        """The outcome given to :meth:`action_done` (over RPC too) is checked, with a clear error."""
        if rating not in (None, False) and str(rating) not in dict(RATINGS):
            raise UserError(
                self.env._(
                    "%(rating)s is not a customer rating: use 1 (very dissatisfied) to 5 (very satisfied).",
                    rating=rating,
                )
            )
        if lead_values is not None and not isinstance(lead_values, dict):
            raise UserError(self.env._("The opportunity of a need found is given by its values, e.g. its name."))
        try:
            fields.Date.to_date(date_done)
        except (ValueError, TypeError) as error:
            raise UserError(self.env._("%(value)s is not a date: use YYYY-MM-DD.", value=date_done)) from error

    def action_cancel(self):
        planned = self.filtered(lambda f: f.state == "planned")
        planned.check_access("write")
        planned.sudo()._cancel("manual")
        return True

    def action_open_document(self):
        self.ensure_one()
        record = self.order_id or self.partner_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # -- business methods ---------------------------------------------------------------------------------------
    def _cancel(self, reason):
        """Cancel planned follow-ups and remove their activities."""
        planned = self.filtered(lambda f: f.state == "planned")
        if not planned:
            return
        activities = planned.activity_id
        planned.write({"state": "cancelled", "cancel_reason": reason})
        activities.sudo().unlink()

    def _done_from_activity(self, feedback=False):
        """The activity was marked as done in the chatter or the activity view."""
        vals = {"state": "done", "date_done": fields.Date.context_today(self)}
        for followup in self:
            if feedback and not followup.feedback:
                followup.feedback = feedback
        self.write(vals)

    def _create_leads(self, lead_values):
        Lead = self.env["crm.lead"]
        vals_list = []
        for followup in self:
            vals = {
                "name": self.env._(
                    "Need found: %(customer)s (%(followup)s)",
                    customer=followup.partner_id.display_name,
                    followup=followup.display_name,
                ),
                "type": "opportunity",
                "partner_id": followup.partner_id.id,
                "user_id": followup.user_id.id,
                "team_id": followup.team_id.id,
                "company_id": followup.company_id.id,
            }
            vals.update({key: value for key, value in (lead_values or {}).items() if value not in (None, False, "")})
            vals_list.append(vals)
        leads = Lead.create(vals_list)
        for followup, lead in zip(self, leads, strict=True):
            followup.lead_id = lead

    def _create_activities(self):
        """One activity per follow-up, created in one batch, on the order (or on the customer)."""
        followups = self.sudo().filtered(lambda f: f.state == "planned" and not f.activity_id)
        if not followups:
            return self.env["mail.activity"]
        model_ids = {model: self.env["ir.model"]._get_id(model) for model in ("sale.order", "res.partner")}
        notes = {}
        vals_list = []
        for followup in followups:
            rule = followup.rule_id
            lang = followup.user_id.lang or self.env.lang
            if (rule.id, lang) not in notes:
                notes[rule.id, lang] = rule.with_context(lang=lang).script
            record = followup.order_id or followup.partner_id
            vals_list.append(
                {
                    "res_model_id": model_ids[record._name],
                    "res_model": record._name,
                    "res_id": record.id,
                    "activity_type_id": rule.activity_type_id.id,
                    "summary": rule.name,
                    "date_deadline": followup.date_deadline,
                    "user_id": followup.user_id.id,
                    "automated": True,
                }
            )
        # Scheduled by the regulation, not assigned by a colleague: no e-mail per activity. Several activities of
        # one user on one record (the regulation's steps) subscribe that user once: see mail_thread.py.
        activities = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
        pairs = zip(followups, activities, strict=True)
        ids_by_note = defaultdict(list)
        for followup, activity in pairs:
            followup.activity_id = activity
            note = notes[followup.rule_id.id, followup.user_id.lang or self.env.lang]
            if note:
                ids_by_note[note].append(activity.id)
        # The script is the note of every activity of the rule. It was sanitized when the rule was saved, with the
        # options of the activity note; one UPDATE per rule and language spares sanitizing it again per activity
        # (a quarter of the time of a large batch).
        for note, ids in ids_by_note.items():
            self.env.cr.execute(SQL("UPDATE mail_activity SET note = %s WHERE id = ANY(%s)", note, ids))
        activities.invalidate_recordset(["note"])
        return activities

    # -- scheduling -----------------------------------------------------------------------------------------------
    @api.model
    def _schedule_orders(self, trigger, orders, trigger_dates=None):
        """Fire the active rules of ``trigger`` on ``orders``; see :class:`.followup_scheduler.FollowupScheduler`."""
        return FollowupScheduler(self.env).schedule_orders(trigger, orders, trigger_dates)

    @api.model
    def _schedule_no_order(self, rules=None, limit=None):
        """Reactivation follow-ups for silent customers; returns ``(follow-ups, remaining)``."""
        return FollowupScheduler(self.env).schedule_no_order(rules=rules, limit=limit)

    @api.model
    def _cron_schedule_no_order(self, batch_size=500):
        created, remaining = self._schedule_no_order(limit=batch_size)
        self.env["ir.cron"]._notify_progress(done=len(created), remaining=remaining)

    @api.model
    def _cron_flag_overdue(self, batch_size=1000):
        """Flag the planned follow-ups whose deadline passed since the last run (``is_overdue`` depends on today)."""
        domain = [
            ("state", "=", "planned"),
            ("is_overdue", "=", False),
            ("date_deadline", "<", fields.Date.context_today(self)),
        ]
        Followup = self.sudo()
        batch = Followup.search(domain, limit=batch_size, order="date_deadline, id")
        locked = batch._lock_planned()
        if locked:
            self.env.add_to_compute(self._fields["is_overdue"], locked)
            locked.flush_recordset(["is_overdue"])
        remaining = Followup.search_count(domain) if len(batch) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)

    def _lock_planned(self):
        """Lock the planned follow-ups of ``self``, skipping those another transaction holds or changed meanwhile.

        A follow-up being marked done by its salesperson is left to them (``SKIP LOCKED``): their change sets its
        overdue flag too. One done and committed after this transaction began cannot be locked in REPEATABLE READ
        (a serialization failure): it is skipped as well, one savepoint per follow-up on that rare path.
        """

        def lock(ids):
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM olimp_followup WHERE id = ANY(%s) AND state = 'planned' "
                        "ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                        ids,
                    ),
                    log_exceptions=False,
                )
                return [row[0] for row in self.env.cr.fetchall()]

        if not self:
            return self
        self.env.flush_all()
        try:
            return self.browse(lock(self.ids))
        except pgerrors.SerializationFailure:
            locked = []
            for followup_id in self.ids:
                try:
                    locked += lock([followup_id])
                except pgerrors.SerializationFailure:
                    _logger.info("Follow-up %s changed by a concurrent transaction: not flagged", followup_id)
            return self.browse(locked)
