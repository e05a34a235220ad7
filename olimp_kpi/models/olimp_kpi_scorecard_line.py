from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import plans, scoring
from ..engine.collector import Collector, Period
from ..services.line_fields import DIRECTION_SELECTION, KIND_SELECTION, KPI_SNAPSHOT_FIELDS, UNIT_SELECTION
from .olimp_kpi_plan import SYNC_CONTEXT
from .olimp_kpi_scorecard import TREND_BASIS_SELECTION, TREND_SELECTION

ZONE_SELECTION = [("none", "No plan"), ("red", "Red"), ("yellow", "Yellow"), ("green", "Green")]


class OlimpKpiScorecardLine(models.Model):
    """One KPI of a scorecard: the plan copied from the profile, the actual, and how they compare."""

    _name = "olimp.kpi.scorecard.line"
    _inherit = ["olimp.kpi.line.plan"]
    _description = "KPI Scorecard Line"
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one(comodel_name="olimp.kpi.scorecard", required=True, ondelete="cascade", index=True)
    kpi_id = fields.Many2one(comodel_name="olimp.kpi", string="KPI", required=True, ondelete="restrict", index=True)
    name = fields.Char(related="kpi_id.name", string="KPI Name")
    description = fields.Text(related="kpi_id.description")
    state = fields.Selection(related="scorecard_id.state")
    employee_id = fields.Many2one(related="scorecard_id.employee_id", store=True, index=True)
    user_id = fields.Many2one(related="scorecard_id.user_id", store=True, index=True)
    team_id = fields.Many2one(related="scorecard_id.team_id", store=True)
    department_id = fields.Many2one(related="scorecard_id.department_id", store=True)
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True, index=True)
    date_from = fields.Date(related="scorecard_id.date_from", store=True, string="Month")
    # Snapshot of the definition when the scorecard was made: a later change of the KPI does not move the past.
    kind = fields.Selection(selection=KIND_SELECTION, required=True, readonly=True)
    unit = fields.Selection(selection=UNIT_SELECTION, required=True, readonly=True)
    direction = fields.Selection(selection=DIRECTION_SELECTION, required=True, readonly=True)
    yellow_from = fields.Float(string="Yellow From (%)", readonly=True)
    green_from = fields.Float(string="Green From (%)", readonly=True)
    prorate_days = fields.Integer(
        string="Days Worked",
        readonly=True,
        help="Working days of the month the employee works, when they start or leave during the month: the plan of "
        "a count or an amount is scaled to them. 0: the whole month.",
    )
    prorate_month_days = fields.Integer(string="Working Days of the Month", readonly=True)
    prorate_note = fields.Char(string="Pro-rating", compute="_compute_prorate_note")
    actual = fields.Float(readonly=True, aggregator="sum")
    previous_actual = fields.Float(
        string="Previous Month",
        readonly=True,
        aggregator="sum",
        help="The same KPI on the employee's scorecard of the previous month (its figure as closed), computed from "
        "the data only when there is no such scorecard.",
    )
    trend_reference = fields.Float(
        string="Compared With",
        readonly=True,
        aggregator="sum",
        help="What the trend compares the actual with: the previous month's figure, pro-rated to the working days "
        "elapsed while a month of counts and sums is running.",
    )
    trend_basis = fields.Selection(
        selection=TREND_BASIS_SELECTION, string="Trend Against", default="none", required=True, readonly=True
    )
    is_ratio = fields.Boolean(string="Ratio", readonly=True)
    numerator_actual = fields.Float(string="Numerator", readonly=True)
    denominator_actual = fields.Float(string="Denominator", readonly=True)
    actual_overdue = fields.Float(
        string="Of Which Overdue", readonly=True, help="Balances with a due date: the part due before the day measured."
    )
    measured_on = fields.Date(
        string="Balance Measured On",
        readonly=True,
        copy=False,
        help="Balances: the day of the last refresh that measured them. Once the month is over they are never "
        "measured again: the last refresh within the month stands.",
    )
    # The records counted, kept when the month is closed (and at every measure of a balance): the drill-down of a
    # closed month opens exactly them, whatever happened to them or to the definition since. Never prefetched.
    record_ids = fields.Json(string="Records Counted", readonly=True, copy=False, prefetch=False)
    denominator_record_ids = fields.Json(
        string="Denominator Records Counted", readonly=True, copy=False, prefetch=False
    )
    records_stored_on = fields.Datetime(readonly=True, copy=False)
    completion = fields.Float(string="Completion (%)", compute="_compute_result", store=True, aggregator="avg")
    zone = fields.Selection(selection=ZONE_SELECTION, compute="_compute_result", store=True)
    score = fields.Float(compute="_compute_result", store=True, aggregator="avg")
    trend = fields.Selection(selection=TREND_SELECTION, compute="_compute_trend", store=True)
    answer_ids = fields.One2many(
        comodel_name="olimp.kpi.scorecard.answer", inverse_name="line_id", string="Checklist Answers"
    )
    unanswered_count = fields.Integer(compute="_compute_unanswered_count")
    can_open_records = fields.Boolean(
        compute="_compute_can_open_records",
        help="A quantitative KPI whose source records (for a ratio, the numerator's) the user may read (e.g. HR "
        "readers without Sales rights may not read orders).",
    )
    can_open_denominator = fields.Boolean(
        compute="_compute_can_open_records",
        help="A ratio whose denominator's source records the user may read.",
    )

    _sql_constraints = [
        ("kpi_unique", "UNIQUE(scorecard_id, kpi_id)", "A KPI can appear only once in a scorecard."),
    ]

    def init(self):
        # Every refresh rewrites the open month's lines: room left on each page lets PostgreSQL update them in
        # place (HOT updates), without a new entry in each of the table's indexes for every row.
        self.env.cr.execute(SQL("ALTER TABLE %s SET (fillfactor = 50)", SQL.identifier(self._table)))

    @api.depends(
        "actual",
        "target",
        "direction",
        "yellow_from",
        "green_from",
        "floor",
        "cap",
        "is_ratio",
        "numerator_actual",
        "denominator_actual",
    )
    def _compute_result(self):
        for line in self:
            result = line._evaluate(line.actual)
            line.completion = result.completion
            line.zone = result.zone
            line.score = result.score

    @api.depends("actual", "trend_reference", "trend_basis")
    def _compute_trend(self):
        for line in self:
            reference = None if line.trend_basis == scoring.BASIS_NONE else line.trend_reference
            line.trend = scoring.trend(line.actual, reference)

    @api.depends("prorate_days", "prorate_month_days")
    def _compute_prorate_note(self):
        for line in self:
            line.prorate_note = (
                self.env._(
                    "pro-rated: %(days)s of %(total)s working days",
                    days=line.prorate_days,
                    total=line.prorate_month_days,
                )
                if line._is_prorated()
                else False
            )

    @api.depends("answer_ids.value")
    def _compute_unanswered_count(self):
        for line in self:
            line.unanswered_count = sum(1 for answer in line.answer_ids if not answer.value)

    @api.depends("kind", "kpi_id", "is_ratio")
    @api.depends_context("uid")
    def _compute_can_open_records(self):
        # The source model lives in ir.model, which sales people may not read.
        kpis = self.kpi_id.sudo()
        numerator_model = {
            kpi.id: (kpi.numerator_kpi_id if kpi.aggregation == "ratio" else kpi).model_name for kpi in kpis
        }
        denominator_model = {kpi.id: kpi.denominator_kpi_id.model_name for kpi in kpis if kpi.aggregation == "ratio"}
        names = {name for name in (*numerator_model.values(), *denominator_model.values()) if name}
        readable = {name: name in self.env and self.env[name].has_access("read") for name in names}
        for line in self:
            quantitative = line.kind == "quantitative"
            line.can_open_records = quantitative and readable.get(numerator_model.get(line.kpi_id.id), False)
            line.can_open_denominator = (
                quantitative and line.is_ratio and readable.get(denominator_model.get(line.kpi_id.id), False)
            )

    def _evaluate(self, actual):
        return scoring.evaluate_line(
            actual,
            self.target,
            self.direction,
            self.yellow_from,
            self.green_from,
            self.floor,
            self.cap,
            measurable=not self.is_ratio or scoring.ratio(self.numerator_actual, self.denominator_actual) is not None,
        )

    def _is_prorated(self):
        self.ensure_one()
        return bool(self.prorate_month_days) and self.prorate_days < self.prorate_month_days

    @api.model_create_multi
    def create(self, vals_list):
        self.env["olimp.kpi.scorecard"].browse({vals.get("scorecard_id") for vals in vals_list})._check_open()
        self._fill_from_kpi(vals_list)
        lines = super().create(vals_list)
        if not self.env.context.get(SYNC_CONTEXT):
            # A line added by hand (or imported) with a plan: the month's plan says the same.
            lines.filtered("target")._pull_to_plans()
        return lines

    @api.model
    def _fill_from_kpi(self, vals_list):
        """A line added by hand or imported takes the KPI's definition and checklist, as a generated line does."""
        kpis = self.env["olimp.kpi"].browse({vals["kpi_id"] for vals in vals_list if vals.get("kpi_id")})
        for vals in vals_list:
            if vals.get("kpi_id"):
                vals.setdefault("is_ratio", kpis.browse(vals["kpi_id"]).aggregation == "ratio")
        missing = [vals for vals in vals_list if vals.get("kpi_id") and not vals.get("kind")]
        for vals in missing:
            kpi = kpis.browse(vals["kpi_id"])
            for fname in KPI_SNAPSHOT_FIELDS:
                vals.setdefault(fname, kpi[fname])
            if kpi.kind == "qualitative" and "answer_ids" not in vals:
                vals["answer_ids"] = [Command.create({"item_id": item.id}) for item in kpi.checklist_item_ids]

    def write(self, vals):
        self.scorecard_id._check_open()
        typed = "target" in vals and not self.env.context.get(SYNC_CONTEXT)
        if typed:
            # A plan typed for the line is the month's plan as it is: no longer pro-rated.
            vals = dict(vals, prorate_days=0, prorate_month_days=0)
        result = super().write(vals)
        if typed:
            self._pull_to_plans()
        return result

    def _pull_to_plans(self):
        """The month's plans take these lines' targets (the plan grid and the scorecards then agree)."""
        Plan = self.env["olimp.kpi.plan"].sudo().with_context(**{SYNC_CONTEXT: True})
        Plan._upsert({(line.employee_id.id, line.kpi_id.id, line.date_from): line.target for line in self})

    def _set_targets(self, targets):
        """Give lines the month's plan: ``{line: plan}``, pro-rated as each line is; one write per value."""
        by_value = {}
        for line, plan in targets.items():
            target = (
                plans.prorate(plan, line.prorate_days, line.prorate_month_days, line.unit)
                if line._is_prorated()
                else plan
            )
            if abs(line.target - target) > 1e-9:
                by_value.setdefault(target, self.browse())
                by_value[target] |= line
        for target, lines in by_value.items():
            lines.with_context(**{SYNC_CONTEXT: True}).write({"target": target})

    @api.model
    def _reset_to_profile(self, keys):
        """Open lines of ``keys`` (``(employee id, kpi id, month)``) whose plan was deleted: the profile's again."""
        if not keys:
            return
        lines = self.sudo().search(
            [
                ("employee_id", "in", list({key[0] for key in keys})),
                ("kpi_id", "in", list({key[1] for key in keys})),
                ("date_from", "in", list({key[2] for key in keys})),
                ("state", "=", "open"),
            ]
        )
        wanted = set(keys)
        targets = {}
        for line in lines:
            if (line.employee_id.id, line.kpi_id.id, line.date_from) not in wanted:
                continue
            profile_line = line.employee_id.olimp_kpi_profile_id.line_ids.filtered(
                lambda pl, kpi=line.kpi_id: pl.kpi_id == kpi
            )
            if profile_line:
                targets[line] = profile_line[:1].target
        lines.browse()._set_targets(targets)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        self.scorecard_id._check_open()

    def _update_checklist_actual(self):
        """Qualitative lines: the actual is the share of checklist items answered yes."""
        for line in self.filtered(lambda ln: ln.kind == "qualitative"):
            actual = scoring.checklist_completion(line.answer_ids.mapped("value"))
            if line.actual != actual:
                line.actual = actual

    def action_open_records(self):
        """The records counted in ``actual`` (a ratio's numerator), in the source model's standard views.

        A closed month opens the records stored at close, a balance those of its last measure: exactly the records
        counted, even if they have been cancelled, changed or re-defined since; those the caller may not see are
        left out and counted in a notification. An open month opens the records its definition counts today.
        """
        return self._open_records(denominator=False)

    def action_open_denominator_records(self):
        """Ratio KPIs: the records counted in the denominator."""
        return self._open_records(denominator=True)

    def _open_records(self, denominator=False):
        self.ensure_one()
        self.check_access("read")
        kpi = self.kpi_id.sudo()
        if kpi.kind != "quantitative":
            raise UserError(
                self.env._("%(kpi)s is scored with a checklist: there are no records to open.", kpi=kpi.display_name)
            )
        if kpi.aggregation == "ratio":
            source = kpi.denominator_kpi_id if denominator else kpi.numerator_kpi_id
        elif denominator:
            raise UserError(self.env._("%(kpi)s is not a ratio: it has no denominator.", kpi=kpi.display_name))
        else:
            source = kpi
        scorecard = self.scorecard_id
        name = self.env._("%(kpi)s: %(scorecard)s", kpi=source.display_name, scorecard=scorecard.display_name)
        line = self.sudo()
        if line.records_stored_on and (self.state == "closed" or source.period_mode == "balance"):
            stored = (line.denominator_record_ids if denominator else line.record_ids) or []
            return self._open_stored_records(source, stored, name)
        if not source.model_name or source.model_name not in self.env:
            raise UserError(self._gone_message(kpi))
        # The definition's field names live in ir.model.fields, which sales people may not read; the records
        # themselves are then opened with the caller's rights.
        subject = scorecard.employee_id if source.user_field_id.relation == "hr.employee" else scorecard.user_id
        try:
            spec = source._engine_spec()
        except (KeyError, ValueError) as error:
            raise UserError(self._gone_message(kpi)) from error
        period = Period(scorecard.date_from, scorecard.company_id._olimp_kpi_tz(), fields.Datetime.now())
        domain = Collector(read_group=None).records_domain(spec, period, subject.id, scorecard.company_id.id)
        return self._records_action(source.model_name, domain, name)

    def _gone_message(self, kpi):
        return self.env._(
            "%(kpi)s can no longer be computed (its source model or fields are gone, e.g. with an uninstalled "
            "module): there are no records to open.",
            kpi=kpi.display_name,
        )

    def _records_action(self, model, domain, name, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False, **(context or {})},
            "target": "current",
        }

    def _open_stored_records(self, source, ids, name):
        """The stored records the caller may see, and a word on those hidden from them or deleted since."""
        model = source.model_name
        if not model or model not in self.env:
            raise UserError(self._gone_message(source))
        Source = self.env[model].with_context(active_test=False)
        existing = Source.sudo().browse(ids).exists()
        visible = Source.search([("id", "in", existing.ids)]) if Source.has_access("read") else Source.browse()
        hidden = len(existing) - len(visible)
        deleted = len(ids) - len(existing)
        when = (
            self.env._("as counted when the month was closed")
            if self.state == "closed"
            else self.env._("as counted at the last measure of the balance")
        )
        action = self._records_action(
            model, [("id", "in", visible.ids)], f"{name} ({when})", context={"active_test": False}
        )
        notes = []
        if hidden:
            notes.append(
                self.env._(
                    "%(hidden)s of the %(total)s records counted are not shown: your access rights do not let you see "
                    "them.",
                    hidden=hidden,
                    total=len(ids),
                )
            )
        if deleted:
            notes.append(
                self.env._(
                    "%(deleted)s of the %(total)s records counted have been deleted since.",
                    deleted=deleted,
                    total=len(ids),
                )
            )
        if not notes:
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": name,
                "message": " ".join(notes),
                "type": "warning",
                "sticky": True,
                "next": action if visible else {"type": "ir.actions.act_window_close"},
            },
        }
