import logging

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.addons.olimp_kpi.services import TEAM_LEADER_GROUP, expected_sql_errors, is_team_leader, lock_rows
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..engine.cycle import activity_date
from ..services.followup_scheduler import CONCURRENT_INSERT_ERRORS, FollowupScheduler
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
    ("new_order", "New order received"),
    ("merged", "Merged into the customer's open follow-up"),
    ("activity", "Activity cancelled"),
    ("manual", "Cancelled by a user"),
]
# Fields of the regulation (when, for whom, what happened): sales people change them only through the actions.
PROTECTED_FIELDS = {
    "rule_id",
    "task_type",
    "partner_id",
    "order_id",
    "order_ids",
    "period_key",
    "user_id",
    "team_id",
    "manager_user_id",
    "company_id",
    "trigger_date",
    "date_deadline",
    "date_activity",
    "date_done",
    "state",
    "cancel_reason",
    "ended_by_order_id",
    "activity_id",
}
# Partial unique indexes: one follow-up per (rule, order that started it), and per (rule, customer, company,
# period) for the rules that fire on a customer's silence (no order), which is counted per company; and never two
# open follow-ups of a rule for one customer in a company. A plain UNIQUE over nullable columns would accept
# duplicates.
UNIQUE_INDEXES = [
    ("olimp_followup_rule_order_uniq", ["rule_id", "order_id"], "order_id IS NOT NULL"),
    (
        "olimp_followup_rule_partner_company_period_uniq",
        ["rule_id", "partner_id", "company_id", "period_key"],
        "order_id IS NULL",
    ),
    ("olimp_followup_rule_partner_company_open_uniq", ["rule_id", "partner_id", "company_id"], "state = 'planned'"),
]
# Made by the migration to 18.0.1.1.0 once it has merged the open duplicates of earlier versions (see init()).
OPEN_INDEX = "olimp_followup_rule_partner_company_open_uniq"
# Order names shown in an activity's summary before "+N".
SUMMARY_ORDERS = 3
# The columns _insert_scheduled() fills, with their types: every stored field of the model but the outcome (left
# empty) and the access log. A model extended with other stored fields is created through the ORM instead.
SCHEDULED_COLUMNS = {
    "rule_id": "int",
    "task_type": "varchar",
    "partner_id": "int",
    "order_id": "int",
    "period_key": "varchar",
    "user_id": "int",
    "team_id": "int",
    "manager_user_id": "int",
    "company_id": "int",
    "trigger_date": "date",
    "date_deadline": "date",
    "date_activity": "date",
    "state": "varchar",
    "cancel_reason": "varchar",
    "ended_by_order_id": "int",
    "on_time": "bool",
    "done_early": "bool",
    "is_overdue": "bool",
}
OUTCOME_COLUMNS = {"date_done", "activity_id", "rating", "feedback", "offer_made", "lead_id"}
# Replaced by the one above (version 18.0.1.0.0): a customer silent in two companies gets a follow-up in each.
OBSOLETE_INDEXES = ["olimp_followup_rule_partner_period_uniq"]


def _orders_label(names):
    label = ", ".join(names[:SUMMARY_ORDERS])
    return f"{label} +{len(names) - SUMMARY_ORDERS}" if len(names) > SUMMARY_ORDERS else label


class OlimpFollowup(models.Model):
    """One post-sale task for one customer, made by a rule and carried out through a standard activity."""

    _name = "olimp.followup"
    _description = "Follow-up"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_deadline, id"
    _rec_names_search = ["rule_id.name", "order_ids.name", "partner_id.name"]

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
        comodel_name="sale.order",
        string="Sales Order",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
        help="The order that started the follow-up; it counts from this order's trigger date.",
    )
    order_ids = fields.Many2many(
        comodel_name="sale.order",
        relation="olimp_followup_sale_order_rel",
        column1="followup_id",
        column2="order_id",
        string="Orders",
        readonly=True,
        copy=False,
        help="Every order the follow-up is about: the one that started it and those that arrived while it was "
        "planned (one call about all of them).",
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
    date_activity = fields.Date(
        string="Activity From",
        compute="_compute_date_activity",
        store=True,
        precompute=True,
        index=True,
        help="The day the activity appears in the responsible's activities: the rule's lead time before the "
        "deadline (not before the trigger). From this day to the deadline is the step's window: done within it "
        "is on time, before it is done early.",
    )
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
    ended_by_order_id = fields.Many2one(
        comodel_name="sale.order",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="The new order of the customer that ended this follow-up (the rule started over from it).",
    )
    cancel_description = fields.Char(
        string="Why Cancelled", compute="_compute_cancel_description", help="Why the follow-up was cancelled."
    )
    on_time = fields.Boolean(
        compute="_compute_on_time",
        store=True,
        precompute=True,
        help="Done within the step's window: from the day its activity appears to the deadline.",
    )
    done_early = fields.Boolean(
        compute="_compute_on_time",
        store=True,
        precompute=True,
        help="Done before the step's window (before its activity appeared): counted apart, not as on time.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        store=True,
        precompute=True,
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
        help="The open activity on the customer; it appears when the step's window opens and goes away once done "
        "or cancelled.",
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
        self._create_unique_indexes()
        return result

    def _create_unique_indexes(self):
        for name, columns, where in UNIQUE_INDEXES:
            if name == OPEN_INDEX and not index_exists(self.env.cr, name) and self._open_duplicates_exist():
                # A database of an earlier version, being updated: its migration merges them, then makes the index.
                _logger.info("Open follow-ups of a rule and customer to merge: index %s made after the migration", name)
                continue
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

    def _open_duplicates_exist(self):
        self.env.cr.execute(
            SQL(
                """SELECT 1 FROM olimp_followup WHERE state = 'planned'
                    GROUP BY rule_id, partner_id, company_id HAVING count(*) > 1 LIMIT 1"""
            )
        )
        return bool(self.env.cr.fetchone())

    @api.depends_context("uid")
    def _compute_user_can_manage(self):
        self.user_can_manage = self.env.user.has_group(TEAM_LEADER_GROUP)

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

    @api.depends("date_deadline", "trigger_date")
    def _compute_date_activity(self):
        # The rule's lead time is read when the deadline is set (a change of the rule moves the planned follow-ups
        # only, see olimp.followup.rule.write): a done follow-up keeps the window it was measured against.
        for followup in self:
            if not followup.date_deadline:
                followup.date_activity = False
                continue
            followup.date_activity = activity_date(
                followup.date_deadline, followup.rule_id.activity_lead_days, followup.trigger_date
            )

    @api.depends("state", "date_done", "date_deadline", "date_activity")
    def _compute_on_time(self):
        for followup in self:
            done = followup.state == "done" and followup.date_done
            window_start = followup.date_activity or followup.date_deadline
            followup.done_early = bool(done and followup.date_done < window_start)
            followup.on_time = bool(done and window_start <= followup.date_done <= followup.date_deadline)

    @api.depends("state", "cancel_reason", "ended_by_order_id")
    def _compute_cancel_description(self):
        reasons = dict(self._fields["cancel_reason"]._description_selection(self.env))
        for followup in self:
            if followup.state != "cancelled":
                followup.cancel_description = False
            elif followup.cancel_reason == "new_order" and followup.ended_by_order_id:
                followup.cancel_description = self.env._(
                    "Repeat order %(order)s received", order=followup.ended_by_order_id.name
                )
            else:
                followup.cancel_description = reasons.get(followup.cancel_reason, False)

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

    @api.depends("rule_id", "order_ids", "partner_id")
    def _compute_display_name(self):
        for followup in self:
            subject = followup._orders_label() or followup.partner_id.display_name
            followup.display_name = " · ".join(filter(None, [followup.rule_id.name, subject]))

    def _orders_label(self):
        """``S00042, S00043 +2``: the names of the orders of the follow-up, the first few of them."""
        # As superuser: the name is shown to whoever may see the follow-up (e.g. the one it was just reassigned to).
        return _orders_label(self.sudo()._orders().mapped("name"))

    def _orders(self):
        """The orders of the follow-up, in the order they came (the one that started it if none is listed)."""
        return self.order_ids.sorted("id") or self.order_id

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

    @api.model_create_multi
    def create(self, vals_list):
        # A follow-up done or cancelled earlier in the transaction must be so in the table before the next one of its
        # rule and customer is inserted (one open per customer: see UNIQUE_INDEXES); the ORM flushes it later.
        self.flush_model(["state"])
        return super().create(vals_list)

    def write(self, vals):
        protected = PROTECTED_FIELDS & set(vals)
        if protected and not is_team_leader(self.env):
            raise AccessError(
                self.env._(
                    "Only team leaders can change the deadline, the responsible or the state of a follow-up. "
                    "Mark it as done (or cancel its activity) instead."
                )
            )
        result = super().write(vals)
        if {"user_id", "date_deadline"} & set(vals):
            self._sync_activities()
        if "date_deadline" in vals:
            self._create_due_activities()
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
        without_activity = planned.filtered(lambda f: not f.activity_id)
        planned.sudo().write(vals)
        if lead_values is not None:
            planned._create_leads(lead_values)
        # The follow-ups are done first: the activity side then finds nothing left to close (no loop).
        planned.activity_id.sudo()._action_done(feedback=feedback or False)
        # Done before their activity appeared: the customer's chatter tells it all the same.
        without_activity._post_done_on_customer(feedback)
        return True

    def _post_done_on_customer(self, feedback):
        for followup in self:
            body = Markup("<p>%s</p>") % self.env._("Follow-up done: %(followup)s", followup=followup.display_name)
            if feedback:
                body += Markup("<p>%s</p>") % feedback
            followup.partner_id.sudo().message_post(
                body=body, subtype_xmlid="mail.mt_note", author_id=self.env.user.partner_id.id
            )

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
    def _cancel(self, reason, ended_by=None):
        """Cancel planned follow-ups and remove their activities.

        :param reason: a key of ``CANCEL_REASONS``
        :param ended_by: for ``new_order``, the order that ended them
        """
        planned = self.filtered(lambda f: f.state == "planned")
        if not planned:
            return
        activities = planned.activity_id
        planned.write(
            {"state": "cancelled", "cancel_reason": reason, "ended_by_order_id": ended_by.id if ended_by else False}
        )
        activities.sudo().unlink()

    @api.model
    def _orders_cancelled(self, orders):
        """Cancelled ``orders`` leave the planned follow-ups that cover them.

        A follow-up left without a confirmed order is cancelled (``order``: it comes back if an order of it is
        confirmed again); one that still covers other orders stays, counted from the first of them when it was
        started by a cancelled one. The follow-ups these orders had ended are planned again when nothing else of
        their rule is open for the customer.
        """
        Followup = self.sudo().with_context(tracking_disable=True)
        orders = orders.sudo()
        followups = Followup.search([("order_ids", "in", orders.ids), ("state", "=", "planned")])
        ended = Followup.search(
            [("ended_by_order_id", "in", orders.ids), ("state", "=", "cancelled"), ("cancel_reason", "=", "new_order")]
        )
        if not (followups or ended):
            return  # quotations, mostly
        # The customers' cycles first, as the scheduler does: a concurrent confirmation takes its turn.
        self.env["olimp.followup.cycle"]._lock(
            dict.fromkeys({(f.partner_id.id, f.company_id.id) for f in followups | ended})
        )
        followups._lock_open()
        left = followups.filtered(lambda f: not f.order_ids.filtered(lambda o: o.state == "sale"))
        left._cancel("order")
        staying = followups - left
        if staying:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM olimp_followup_sale_order_rel WHERE followup_id = ANY(%s) AND order_id = ANY(%s)",
                    staying.ids,
                    orders.ids,
                )
            )
            staying.invalidate_recordset(["order_ids"])
            orders.invalidate_recordset(["olimp_followup_ids"])
            staying._hand_over_start()
            staying._refresh_activity_texts()
        ended._plan_again()

    def _hand_over_start(self):
        """Follow-ups whose starting order was cancelled count from the first order they still cover (not one that
        started another follow-up of the rule: one follow-up per rule and starting order)."""
        started = self.filtered(lambda f: f.order_id and f.order_id not in f.order_ids)
        if not started:
            return
        taken = {
            (f.rule_id.id, f.order_id.id)
            for f in self.search_fetch(
                [("rule_id", "in", started.rule_id.ids), ("order_id", "in", started.order_ids.ids)],
                ["rule_id", "order_id"],
            )
        }
        for followup in started:
            for order in followup.order_ids.sorted(lambda o: (o.date_order or fields.Datetime.now(), o.id)):
                if (followup.rule_id.id, order.id) not in taken:
                    followup.order_id = order
                    taken.add((followup.rule_id.id, order.id))
                    break

    def _plan_again(self):
        """Follow-ups ended by an order that was then cancelled: planned again, unless their rule holds another open
        follow-up for the customer meanwhile or none of their orders is confirmed any more."""
        candidates = self.filtered(lambda f: f.order_ids.filtered(lambda o: o.state == "sale"))
        if not candidates:
            return
        open_keys = {
            (f.rule_id.id, f.partner_id.id, f.company_id.id)
            for f in self.search_fetch(
                [
                    ("rule_id", "in", candidates.rule_id.ids),
                    ("partner_id", "in", candidates.partner_id.ids),
                    ("state", "=", "planned"),
                ],
                ["rule_id", "partner_id", "company_id"],
            )
        }
        again = self.browse()
        for followup in candidates.sorted(lambda f: (f.trigger_date or f.date_deadline, f.id), reverse=True):
            key = (followup.rule_id.id, followup.partner_id.id, followup.company_id.id)
            if key not in open_keys:
                open_keys.add(key)
                again |= followup
        again.write({"state": "planned", "cancel_reason": False, "ended_by_order_id": False})
        again._create_due_activities()

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

    def _create_due_activities(self):
        """The activities of the planned follow-ups whose window is open (see ``date_activity``)."""
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda f: f.state == "planned" and not f.activity_id and f.date_activity and f.date_activity <= today
        )._create_activities()

    def _create_activities(self):
        """One activity per follow-up, created in one batch, on the customer, naming the orders."""
        followups = self.sudo().filtered(lambda f: f.state == "planned" and not f.activity_id)
        if not followups:
            return self.env["mail.activity"]
        model_id = self.env["ir.model"]._get_id("res.partner")
        texts = followups._activity_texts()
        # Each activity reads its customer's name (res_name) on its own: the customers are read in one query first.
        followups.partner_id.mapped("display_name")
        vals_list = [
            {
                "res_model_id": model_id,
                "res_model": "res.partner",
                "res_id": followup.partner_id.id,
                "activity_type_id": followup.rule_id.activity_type_id.id,
                "summary": texts[followup.id][0],
                "date_deadline": followup.date_deadline,
                "user_id": followup.user_id.id,
                "automated": True,
            }
            for followup in followups
        ]
        # Scheduled by the regulation, not assigned by a colleague: no e-mail per activity. The responsible users
        # follow their customers, as an activity makes them; subscribed for the whole batch at once, Odoo's own
        # subscription (per user) is then skipped (see mail_thread.py).
        subscribed = followups._subscribe_responsibles()
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True, olimp_followers_subscribed=subscribed)
            .create(vals_list)
        )
        # One UPDATE for the batch (a write per follow-up would go through the chatter's write each time).
        self.env.cr.execute(
            SQL(
                """UPDATE olimp_followup AS followup SET activity_id = v.activity_id
                     FROM unnest(%s::int[], %s::int[]) AS v(id, activity_id) WHERE followup.id = v.id""",
                followups.ids,
                activities.ids,
            )
        )
        followups.invalidate_recordset(["activity_id"])
        self._write_activity_notes(activities, [texts[followup.id][1] for followup in followups])
        return activities

    @api.model
    def _insert_scheduled(self, vals_list):
        """Insert the follow-ups made by the regulation: one INSERT for the batch, one for their orders.

        The ORM's ``create`` costs about half a millisecond per record in Python (defaults, cache, computations):
        most of the regulation's share of a confirmation of many orders. Here every stored value is computed as the
        ORM would (``date_activity`` from the rule's lead time, the "on time" flags, ``is_overdue``); tracking and
        chatter are off for the regulation's follow-ups in any case. ``order_ids`` is a list of ids. When an add-on
        adds a stored field that needs a value (required, with a default or computed), ``create`` is used instead.
        """
        if not vals_list:
            return self.browse()
        known = set(SCHEDULED_COLUMNS) | OUTCOME_COLUMNS | set(models.MAGIC_COLUMNS)
        if any(
            field.required or field.default or field.compute
            for name, field in self._fields.items()
            if field.store and field.column_type and name not in known
        ):
            return self.create([dict(vals, order_ids=[Command.set(vals.get("order_ids", []))]) for vals in vals_list])
        rules = self.env["olimp.followup.rule"].browse({vals["rule_id"] for vals in vals_list})
        today = fields.Date.context_today(self)
        columns = {name: [] for name in SCHEDULED_COLUMNS}
        for vals in vals_list:
            rule = rules.browse(vals["rule_id"]).with_prefetch(rules._prefetch_ids)
            deadline = fields.Date.to_date(vals["date_deadline"])
            trigger = fields.Date.to_date(vals.get("trigger_date"))
            state = vals.get("state") or "planned"
            row = {
                **dict.fromkeys(SCHEDULED_COLUMNS),
                **{name: vals[name] for name in SCHEDULED_COLUMNS if name in vals},
                "task_type": vals.get("task_type") or rule.task_type,
                "trigger_date": trigger,
                "date_deadline": deadline,
                "date_activity": vals.get("date_activity") or activity_date(deadline, rule.activity_lead_days, trigger),
                "state": state,
                "on_time": False,
                "done_early": False,
                "is_overdue": state == "planned" and deadline < today,
            }
            for name, values in columns.items():
                values.append(row[name] or None if name not in ("on_time", "done_early", "is_overdue") else row[name])
        self.flush_model()
        now = fields.Datetime.now()
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO olimp_followup (%(names)s, create_uid, create_date, write_uid, write_date)
                   SELECT %(values)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(arrays)s) WITH ORDINALITY AS v(%(names)s, position)
                    ORDER BY v.position
                RETURNING id""",
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                values=SQL(", ").join(SQL.identifier("v", name) for name in columns),
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", values, SQL(SCHEDULED_COLUMNS[name])) for name, values in columns.items()
                ),
                uid=self.env.uid,
                now=now,
            )
        )
        followups = self.browse([row[0] for row in rows])
        self._add_orders(
            [
                (followup.id, order_id)
                for followup, vals in zip(followups, vals_list, strict=True)
                for order_id in vals.get("order_ids") or []
            ]
        )
        # New rows behind the ORM's back: the one-to-many fields that list follow-ups are read again.
        self.env["res.partner"].invalidate_model(["olimp_followup_ids"])
        self.env["olimp.followup.rule"].invalidate_model(["followup_ids"])
        return followups

    def _subscribe_responsibles(self):
        """Make the responsible users follow the customers of ``self``, with the default subtypes, as
        ``message_subscribe`` would, but in two statements for the batch (Odoo's costs a few queries per user).

        :return: ``False`` when a concurrent transaction subscribed one of them meanwhile: Odoo then subscribes them
            its own way, when the activities are created
        """
        pairs = sorted({(followup.partner_id.id, followup.user_id.partner_id.id) for followup in self})
        if not pairs:
            return True
        subtypes = self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False), expected_sql_errors():
                # ON CONFLICT: already following. Sorted: concurrent batches subscribe in the same order.
                self.env.cr.execute(
                    SQL(
                        """WITH new AS (
                               INSERT INTO mail_followers (res_model, res_id, partner_id)
                               SELECT 'res.partner', v.res_id, v.partner_id
                                 FROM unnest(%s::int[], %s::int[]) AS v(res_id, partner_id)
                               ON CONFLICT DO NOTHING
                               RETURNING id)
                           INSERT INTO mail_followers_mail_message_subtype_rel
                                       (mail_followers_id, mail_message_subtype_id)
                           SELECT new.id, subtype.id FROM new, unnest(%s::int[]) AS subtype(id)""",
                        [partner_id for partner_id, __ in pairs],
                        [follower_id for __, follower_id in pairs],
                        subtypes.ids,
                    ),
                    log_exceptions=False,
                )
        except CONCURRENT_INSERT_ERRORS:
            return False
        self.env["mail.followers"].invalidate_model()
        self.env["res.partner"].invalidate_model(["message_follower_ids", "message_partner_ids", "message_is_follower"])
        return True

    def _refresh_activity_texts(self):
        """The summary and note of the open activities, after orders joined their follow-ups."""
        followups = self.sudo().filtered(lambda f: f.state == "planned" and f.activity_id)
        if not followups:
            return
        texts = followups._activity_texts()
        activities = followups.activity_id
        self.env.cr.execute(
            SQL(
                """UPDATE mail_activity AS activity SET summary = v.summary
                     FROM unnest(%s::int[], %s::varchar[]) AS v(id, summary) WHERE activity.id = v.id""",
                activities.ids,
                [texts[followup.id][0] for followup in followups],
            )
        )
        self._write_activity_notes(activities, [texts[followup.id][1] for followup in followups])

    def _activity_texts(self):
        """``{follow-up id: (summary, note)}`` in each responsible's language: the step and its orders, with links
        to the orders, then the rule's script (what to ask)."""
        scripts, names, labels = {}, {}, {}
        texts = {}
        for followup in self:
            rule = followup.rule_id
            lang = followup.user_id.lang or self.env.lang
            if (rule.id, lang) not in scripts:
                localized = rule.with_context(lang=lang)
                scripts[rule.id, lang] = localized.script or ""
                names[rule.id, lang] = localized.name
            if lang not in labels:
                labels[lang] = self.with_context(lang=lang).env._("Orders")
            orders = followup._orders()
            summary = " · ".join(filter(None, [names[rule.id, lang], _orders_label(orders.mapped("name"))]))
            note = Markup(scripts[rule.id, lang])
            if orders:
                links = Markup(", ").join(
                    Markup('<a href="/odoo/sale.order/%s">%s</a>') % (order.id, order.name) for order in orders
                )
                note = Markup("<p><strong>%s:</strong> %s</p>") % (labels[lang], links) + note
            texts[followup.id] = (summary, note)
        return texts

    def _write_activity_notes(self, activities, notes):
        # The script was sanitized when the rule was saved, with the options of the activity note, and the order
        # links are made here with escaped names: one UPDATE for the batch spares sanitizing each note again (a
        # quarter of the time of a large batch).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE mail_activity AS activity SET note = v.note
                     FROM unnest(%s::int[], %s::text[]) AS v(id, note) WHERE activity.id = v.id""",
                activities.ids,
                [str(note) or None for note in notes],
            )
        )
        activities.invalidate_recordset(["note", "summary"])

    # -- scheduling -----------------------------------------------------------------------------------------------
    @api.model
    def _schedule_orders(self, trigger, orders, trigger_dates=None):
        """Fire the active rules of ``trigger`` on ``orders`` (see ``services/followup_scheduler.py``)."""
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
    def _cron_create_activities(self, batch_size=1000):
        """Give their activity to the planned follow-ups whose window opened (``date_activity`` today or before).

        The follow-ups of a batch are locked ``SKIP LOCKED`` (see :meth:`_lock_planned`): one being done or changed
        by someone meanwhile is left to the next run.
        """
        domain = [
            ("state", "=", "planned"),
            ("activity_id", "=", False),
            ("date_activity", "<=", fields.Date.context_today(self)),
        ]
        Followup = self.sudo()
        batch = Followup.search(domain, limit=batch_size, order="date_activity, id")
        locked = batch._lock_planned()
        locked.filtered(lambda f: not f.activity_id)._create_activities()
        remaining = Followup.search_count(domain) if len(batch) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(locked), remaining=remaining)

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

    def _lock_open(self):
        """Lock the open follow-ups of ``self`` that the scheduler is about to end or add orders to.

        Unlike :meth:`_lock_planned`, nothing is skipped: one being changed by someone else is waited for, and one
        changed since this transaction began raises the serialization failure that makes the caller retry (not
        logged: it is the expected way to take turns).
        """
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT id FROM olimp_followup WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", self.ids),
            log_exceptions=False,
        )

    @api.model
    def _add_orders(self, pairs):
        """Add orders to follow-ups: ``pairs`` of (follow-up id, order id), in one statement."""
        if not pairs:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """INSERT INTO olimp_followup_sale_order_rel (followup_id, order_id)
                   SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING""",
                [followup_id for followup_id, __ in pairs],
                [order_id for __, order_id in pairs],
            )
        )
        self.browse([followup_id for followup_id, __ in pairs]).invalidate_recordset(["order_ids"])
        self.env["sale.order"].browse([order_id for __, order_id in pairs]).invalidate_recordset(["olimp_followup_ids"])

    def _lock_planned(self):
        """Lock the planned follow-ups of ``self``, skipping those another transaction holds or changed meanwhile
        (:func:`lock_rows`): a follow-up being marked done by its salesperson is left to them, their change sets
        its overdue flag too."""
        rows = lock_rows(self.env, "olimp_followup", self.ids, where=SQL("state = 'planned'"), mode="no key update")
        return self.browse([row[0] for row in rows])
