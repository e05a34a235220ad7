from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import plans, scoring
from ..engine.collector import Collector
from .olimp_kpi_plan import SYNC_CONTEXT
from .olimp_kpi_scorecard import TREND_SELECTION

ZONE_SELECTION = [("none", "No plan"), ("red", "Red"), ("yellow", "Yellow"), ("green", "Green")]


class OlimpKpiScorecardLine(models.Model):
    """One KPI of a scorecard: the plan copied from the profile, the actual, and how they compare."""

    _name = "olimp.kpi.scorecard.line"
    _description = "KPI Scorecard Line"
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one(comodel_name="olimp.kpi.scorecard", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
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
    kind = fields.Selection(
        selection=[("quantitative", "Quantitative"), ("qualitative", "Qualitative")], required=True, readonly=True
    )
    unit = fields.Selection(
        selection=[("count", "Count"), ("amount", "Amount"), ("percent", "Percent"), ("number", "Number")],
        required=True,
        readonly=True,
    )
    direction = fields.Selection(
        selection=[("higher", "Higher is better"), ("lower", "Lower is better")], required=True, readonly=True
    )
    yellow_from = fields.Float(string="Yellow From (%)", readonly=True)
    green_from = fields.Float(string="Green From (%)", readonly=True)
    weight = fields.Float(default=1.0)
    target = fields.Float(string="Plan")
    prorate_days = fields.Integer(
        string="Days Worked",
        readonly=True,
        help="Working days of the month the employee works, when they start or leave during the month: the plan of "
        "a count or an amount is scaled to them. 0: the whole month.",
    )
    prorate_month_days = fields.Integer(string="Working Days of the Month", readonly=True)
    prorate_note = fields.Char(string="Pro-rating", compute="_compute_prorate_note")
    floor = fields.Float(default=0.0)
    cap = fields.Float(default=100.0)
    actual = fields.Float(readonly=True, aggregator="sum")
    previous_actual = fields.Float(string="Previous Month", readonly=True, aggregator="sum")
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
        help="A quantitative KPI whose source records the user may read (e.g. HR readers without Sales rights may "
        "not read orders).",
    )

    _sql_constraints = [
        ("kpi_unique", "UNIQUE(scorecard_id, kpi_id)", "A KPI can appear only once in a scorecard."),
        ("weight_positive", "CHECK(weight >= 0)", "The weight of a KPI cannot be negative."),
        ("target_positive", "CHECK(target >= 0)", "The target of a KPI cannot be negative."),
        ("floor_cap", "CHECK(floor >= 0 AND cap > 0 AND floor <= cap)", "The floor must be between 0 and the cap."),
    ]

    def init(self):
        # Every refresh rewrites the open month's lines: room left on each page lets PostgreSQL update them in
        # place (HOT updates), without a new entry in each of the table's indexes for every row.
        self.env.cr.execute(SQL("ALTER TABLE %s SET (fillfactor = 50)", SQL.identifier(self._table)))

    @api.depends("actual", "target", "direction", "yellow_from", "green_from", "floor", "cap")
    def _compute_result(self):
        for line in self:
            result = line._evaluate(line.actual)
            line.completion = result.completion
            line.zone = result.zone
            line.score = result.score

    @api.depends("actual", "previous_actual")
    def _compute_trend(self):
        for line in self:
            line.trend = scoring.trend(line.actual, line.previous_actual)

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

    @api.depends("kind", "kpi_id")
    @api.depends_context("uid")
    def _compute_can_open_records(self):
        # The source model lives in ir.model, which sales people may not read.
        models_by_kpi = {kpi: kpi.sudo().model_name for kpi in self.kpi_id}
        readable = {
            name: name in self.env and self.env[name].has_access("read") for name in set(models_by_kpi.values()) if name
        }
        for line in self:
            line.can_open_records = line.kind == "quantitative" and readable.get(models_by_kpi.get(line.kpi_id), False)

    def _evaluate(self, actual):
        return scoring.evaluate_line(
            actual, self.target, self.direction, self.yellow_from, self.green_from, self.floor, self.cap
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
        missing = [vals for vals in vals_list if vals.get("kpi_id") and not vals.get("kind")]
        kpis = self.env["olimp.kpi"].browse({vals["kpi_id"] for vals in missing})
        for vals in missing:
            kpi = kpis.browse(vals["kpi_id"])
            for fname in ("kind", "unit", "direction", "yellow_from", "green_from"):
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
        """The records counted in ``actual``, in the source model's standard views."""
        self.ensure_one()
        kpi = self.kpi_id
        if kpi.kind != "quantitative" or not kpi.model_name:
            raise UserError(
                self.env._("%(kpi)s is scored with a checklist: there are no records to open.", kpi=kpi.display_name)
            )
        scorecard = self.scorecard_id
        # The definition's field names live in ir.model.fields, which sales people may not read; the records
        # themselves are then opened with the caller's rights.
        definition = kpi.sudo()
        subject = scorecard.employee_id if definition.user_field_id.relation == "hr.employee" else scorecard.user_id
        try:
            spec = definition._engine_spec()
        except (KeyError, ValueError) as error:
            raise UserError(
                self.env._(
                    "%(kpi)s can no longer be computed (its source model or fields are gone, e.g. with an uninstalled "
                    "module): there are no records to open.",
                    kpi=kpi.display_name,
                )
            ) from error
        domain = Collector(read_group=None).records_domain(
            spec,
            scorecard.date_from,
            subject.id,
            scorecard.company_id.id,
            scorecard.company_id._olimp_kpi_tz(),
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(kpi)s: %(scorecard)s", kpi=kpi.display_name, scorecard=scorecard.display_name),
            "res_model": kpi.model_name,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
            "target": "current",
        }
