import logging

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import TableKind, make_identifier, table_kind

from ..engine.collector import KpiSpec
from ..services.domains import compile_domain, literal_problem, parse_domain_or_none
from ..services.groups import KPI_ADMIN_GROUP
from ..services.line_fields import DIRECTION_SELECTION, KIND_SELECTION, UNIT_SELECTION

_logger = logging.getLogger(__name__)

NUMERIC_TYPES = ("integer", "float", "monetary")
# Names of the indexes made on source tables start with this, so that uninstalling can find and drop them.
SOURCE_INDEX_PREFIX = "olimp_kpi_src__"
# Fields whose change can call for a new source index.
SOURCE_FIELDS = {"kind", "model_id", "date_field_id", "user_field_id", "active"}
# A ratio KPI has none of these: its numerator and denominator KPIs count the records.
SOURCE_DEFINITION_FIELDS = ("model_id", "measure_field_id", "date_field_id", "user_field_id", "due_date_field_id")
DATE_TYPES = ("date", "datetime")
# Covering indexes of the catalogue's busiest sources (see ``olimp.kpi._ensure_catalogue_indexes``): model, name,
# key columns, included columns, condition.
CATALOGUE_INDEXES = [
    (
        "crm.lead",
        "opportunities",
        ["create_date"],
        ["user_id", "company_id", "active", "expected_revenue"],
        "type = 'opportunity'",
    ),
    (
        "sale.order",
        "confirmed",
        ["date_order"],
        ["user_id", "company_id", "currency_id", "amount_untaxed"],
        "state = 'sale'",
    ),
    (
        "account.move",
        "unpaid",
        ["invoice_date"],
        ["invoice_user_id", "company_id", "invoice_date_due", "amount_residual_signed", "id"],
        "move_type IN ('out_invoice', 'out_refund') AND state = 'posted' AND amount_residual_signed <> 0",
    ),
]
SUBJECT_MODELS = ("res.users", "hr.employee")


class OlimpKpi(models.Model):
    """A KPI definition: what to count in which model, for whom, by which date, and how to judge it."""

    _name = "olimp.kpi"
    _description = "KPI Definition"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short unique code, used in salary rules, exports and data files.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        selection=KIND_SELECTION,
        required=True,
        default="quantitative",
        tracking=True,
        help="Quantitative KPIs are computed from data; qualitative KPIs are scored by an expert with a checklist.",
    )
    unit = fields.Selection(
        selection=UNIT_SELECTION,
        required=True,
        default="count",
    )
    direction = fields.Selection(
        selection=DIRECTION_SELECTION,
        required=True,
        default="higher",
        tracking=True,
    )
    description = fields.Text(
        string="Rule",
        translate=True,
        help="What the KPI measures and why, in the words of the sales regulation.",
    )
    model_id = fields.Many2one(
        comodel_name="ir.model",
        string="Source Model",
        ondelete="set null",
        domain=[("transient", "=", False)],
        help="Model whose records are counted, e.g. Sales Order or Lead/Opportunity.",
    )
    model_name = fields.Char(related="model_id.model", string="Source Model Name", store=True)
    aggregation = fields.Selection(
        selection=[
            ("count", "Count"),
            ("sum", "Sum"),
            ("avg", "Average"),
            ("count_distinct", "Count distinct"),
            ("ratio", "Ratio of two KPIs"),
        ],
        default="count",
        required=True,
        help="Ratio: the numerator KPI divided by the denominator KPI, in %, e.g. won opportunities of the "
        "opportunities closed.",
    )
    period_mode = fields.Selection(
        selection=[("flow", "Flow: records dated in the month"), ("balance", "Balance: the state at month end")],
        string="Measured As",
        default="flow",
        required=True,
        tracking=True,
        help="Flow: the records dated in the month (orders, meetings). Balance: the state at the end of the month "
        "(what customers owe, the open pipeline), i.e. the records dated up to the month's end, or all of them "
        "without a date field; measured by the last refresh within the month and never recomputed after it "
        "(the current month shows today's state).",
    )
    numerator_kpi_id = fields.Many2one(
        comodel_name="olimp.kpi",
        string="Numerator",
        ondelete="restrict",
        domain="[('kind', '=', 'quantitative'), ('aggregation', '!=', 'ratio'), ('id', '!=', id)]",
        help="Ratio KPIs: the KPI divided, e.g. Opportunities won.",
    )
    denominator_kpi_id = fields.Many2one(
        comodel_name="olimp.kpi",
        string="Denominator",
        ondelete="restrict",
        domain="[('kind', '=', 'quantitative'), ('aggregation', '!=', 'ratio'), ('id', '!=', id)]",
        help="Ratio KPIs: the KPI divided by, e.g. Opportunities closed (won or lost). Where it is 0 there is no "
        "ratio: the KPI has no zone that month and does not count in the efficiency.",
    )
    exclude_future = fields.Boolean(
        string="Only What Has Happened",
        help="Records dated after the refresh do not count yet, e.g. meetings still to come.",
    )
    due_date_field_id = fields.Many2one(
        comodel_name="ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime')), ('store', '=', True)]",
        help="Balance KPIs: the part of the balance due before the day it is measured is shown as overdue, e.g. "
        "the invoices' due date.",
    )
    measure_field_id = fields.Many2one(
        comodel_name="ir.model.fields",
        string="Measure",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Field summed or averaged (a number or an amount), or whose distinct values are counted.",
    )
    date_field_id = fields.Many2one(
        comodel_name="ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime')), ('store', '=', True)]",
        help="A record counts in the month of this date (in the company's time zone).",
    )
    user_field_id = fields.Many2one(
        comodel_name="ir.model.fields",
        string="Employee Field",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'), "
        "('relation', 'in', ('res.users', 'hr.employee')), ('store', '=', True)]",
        help="The user or employee a record is credited to, e.g. Salesperson.",
    )
    domain = fields.Text(
        string="Conditions",
        default="[]",
        required=True,
        help="Only records matching these conditions count, e.g. confirmed orders only.",
    )
    yellow_from = fields.Float(
        string="Yellow From (%)",
        default=100.0,
        help="Completion (in % of plan) from which the KPI is in the yellow zone.",
    )
    green_from = fields.Float(
        string="Green From (%)",
        default=100.0,
        help="Completion (in % of plan) from which the KPI is in the green zone. Under the yellow threshold the "
        "KPI is red: with both at 100%, anything under plan is red.",
    )
    checklist_item_ids = fields.One2many(
        comodel_name="olimp.kpi.checklist.item",
        inverse_name="kpi_id",
        string="Checklist",
        copy=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        default=lambda self: self.env.company,
        help="Leave empty to share the definition between companies; records are always counted per company.",
    )

    _sql_constraints = [
        (
            "thresholds_positive",
            "CHECK(yellow_from >= 0 AND green_from >= 0)",
            "Zone thresholds cannot be negative.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for kpi in self:
            kpi.display_name = kpi.name or kpi.code or ""

    @api.constrains("code", "company_id")
    def _check_code_unique(self):
        # Codes are unique within each company, shared KPIs counting in every company: a shared KPI's code is
        # compared with all others, including those of companies the user does not work in (hence sudo).
        Kpi = self.sudo().with_context(active_test=False)
        for kpi in self:
            scope = [("company_id", "in", [kpi.company_id.id, False])] if kpi.company_id else []
            if Kpi.search_count([("id", "!=", kpi.id), ("code", "=", kpi.code), *scope], limit=1):
                raise ValidationError(self.env._("The KPI code %(code)s is already used.", code=kpi.code))

    @api.constrains("company_id")
    def _check_company_of_profiles(self):
        lines = self.env["olimp.kpi.profile.line"].sudo().search([("kpi_id", "in", self.ids)])
        lines._check_kpi_company()

    @api.constrains("yellow_from", "green_from")
    def _check_thresholds(self):
        for kpi in self:
            if kpi.yellow_from > kpi.green_from:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s: the yellow zone must start at or below the green zone "
                        "(yellow from %(yellow)s%%, green from %(green)s%%).",
                        kpi=kpi.display_name,
                        yellow=kpi.yellow_from,
                        green=kpi.green_from,
                    )
                )

    @api.constrains(
        "kind",
        "model_id",
        "aggregation",
        "measure_field_id",
        "date_field_id",
        "user_field_id",
        "domain",
        "period_mode",
        "due_date_field_id",
        "numerator_kpi_id",
        "denominator_kpi_id",
        "active",
    )
    def _check_source(self):
        # Model metadata is read as superuser (KPI administrators need not be system administrators).
        for kpi in self.sudo():
            if kpi.kind == "quantitative" and kpi.aggregation == "ratio":
                kpi._check_ratio()
            elif kpi.kind == "quantitative":
                kpi._check_quantitative_source()
            elif kpi.domain and parse_domain_or_none(kpi.domain) is None:
                raise ValidationError(kpi._domain_error(literal_problem(kpi.env, kpi.domain)))
        # A KPI that ratios divide must stay something they can divide.
        ratios = self.sudo().search(
            [
                ("aggregation", "=", "ratio"),
                "|",
                ("numerator_kpi_id", "in", self.ids),
                ("denominator_kpi_id", "in", self.ids),
            ]
        )
        for ratio in ratios - self.sudo():
            ratio._check_ratio()

    def _check_ratio(self):
        self.ensure_one()
        if not self.numerator_kpi_id or not self.denominator_kpi_id:
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s is a ratio: choose its numerator and its denominator KPIs.", kpi=self.display_name
                )
            )
        if any(self[fname] for fname in SOURCE_DEFINITION_FIELDS):
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s is a ratio: it has no source model or fields of its own, its numerator and "
                    "denominator KPIs count the records.",
                    kpi=self.display_name,
                )
            )
        if not self.active:
            return
        for operand in self.numerator_kpi_id | self.denominator_kpi_id:
            if operand == self or operand.aggregation == "ratio":
                problem = self.env._("it is a ratio itself, and a ratio of ratios could divide itself in a cycle")
            elif operand.kind != "quantitative":
                problem = self.env._("it is scored with a checklist: only KPIs counted from data can be divided")
            elif not operand.active:
                problem = self.env._("it is archived")
            else:
                continue
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s cannot divide %(operand)s: %(problem)s.",
                    kpi=self.display_name,
                    operand=operand.display_name,
                    problem=problem,
                )
            )

    def _check_quantitative_source(self):
        self.ensure_one()
        if not self.model_id:
            raise ValidationError(self.env._("KPI %(kpi)s: choose the source model to count.", kpi=self.display_name))
        model_name = self.model_id.model
        if model_name not in self.env:
            raise ValidationError(
                self.env._("KPI %(kpi)s: model %(model)s is not installed.", kpi=self.display_name, model=model_name)
            )
        for field in (self.measure_field_id, self.date_field_id, self.user_field_id, self.due_date_field_id):
            if field and field.model != model_name:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s: field %(field)s does not belong to %(model)s.",
                        kpi=self.display_name,
                        field=field.field_description,
                        model=self.model_id.name,
                    )
                )
        balance = self.period_mode == "balance"
        if (not balance and not self.date_field_id) or (
            self.date_field_id and self.date_field_id.ttype not in DATE_TYPES
        ):
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s: the date field must be a date or date-time field of %(model)s.",
                    kpi=self.display_name,
                    model=self.model_id.name,
                )
            )
        if self.due_date_field_id and (not balance or self.due_date_field_id.ttype not in DATE_TYPES):
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s: a due date field splits off the overdue part of a balance: it must be a date "
                    "field of %(model)s, on a KPI measured as a balance.",
                    kpi=self.display_name,
                    model=self.model_id.name,
                )
            )
        user_field = self.user_field_id
        if balance and not user_field:
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s measures a balance: choose the employee field whose balance it is (e.g. "
                    "Salesperson), or every salesperson would get the whole company's balance.",
                    kpi=self.display_name,
                )
            )
        if not user_field or user_field.ttype != "many2one" or user_field.relation not in SUBJECT_MODELS:
            raise ValidationError(
                self.env._(
                    "KPI %(kpi)s: the employee field must link to a user or an employee "
                    "(a many2one to Users or Employees), e.g. Salesperson.",
                    kpi=self.display_name,
                )
            )
        if self.aggregation != "count":
            measure = self.measure_field_id
            if not measure:
                raise ValidationError(
                    self.env._("KPI %(kpi)s: this aggregation needs a measure field.", kpi=self.display_name)
                )
            if self.aggregation in ("sum", "avg") and measure.ttype not in NUMERIC_TYPES:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s: field %(field)s is not a number: only numbers and amounts can be summed "
                        "or averaged.",
                        kpi=self.display_name,
                        field=measure.field_description,
                    )
                )
        for field in (self.measure_field_id, self.date_field_id, self.user_field_id, self.due_date_field_id):
            if field and not field.store:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s: field %(field)s is not stored in the database and cannot be counted.",
                        kpi=self.display_name,
                        field=field.field_description,
                    )
                )
        self._check_domain_fields()

    def _domain_error(self, detail=None):
        message = self.env._(
            "KPI %(kpi)s: the conditions are not a valid domain. Use a list of conditions with fixed values, "
            'e.g. [("state", "=", "sale")].',
            kpi=self.display_name,
        )
        if detail:
            message += "\n" + detail
        return message

    def _check_domain_fields(self):
        try:
            compile_domain(self.env[self.model_id.model].sudo(), self.domain)
        except ValueError as error:
            raise ValidationError(self._domain_error(str(error))) from error

    @api.onchange("model_id")
    def _onchange_model_id(self):
        for kpi in self:
            for fname in ("measure_field_id", "date_field_id", "user_field_id", "due_date_field_id"):
                if kpi[fname] and kpi[fname].model_id != kpi.model_id:
                    kpi[fname] = False

    @api.onchange("kind")
    def _onchange_kind(self):
        for kpi in self.filtered(lambda k: k.kind == "qualitative"):
            kpi.unit = "percent"

    @api.onchange("aggregation")
    def _onchange_aggregation(self):
        for kpi in self.filtered(lambda k: k.aggregation == "ratio"):
            kpi.update(dict.fromkeys(SOURCE_DEFINITION_FIELDS, False))
            kpi.unit = "percent"

    @api.onchange("period_mode")
    def _onchange_period_mode(self):
        for kpi in self.filtered(lambda k: k.period_mode == "flow"):
            kpi.due_date_field_id = False

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A KPI that profiles, scorecards or ratios use cannot go: say which, and offer to archive it instead
        (archived, it leaves new scorecards and the catalogue, and past months keep it)."""
        Sudo = self.sudo().with_context(active_test=False)
        profiles = (
            self.env["olimp.kpi.profile.line"]
            .sudo()
            .with_context(active_test=False)
            .search([("kpi_id", "in", self.ids)])
            .profile_id
        )
        scorecard_lines = self.env["olimp.kpi.scorecard.line"].sudo().search([("kpi_id", "in", self.ids)])
        ratios = Sudo.search(
            [
                "|",
                ("numerator_kpi_id", "in", self.ids),
                ("denominator_kpi_id", "in", self.ids),
                ("id", "not in", self.ids),
            ]
        )
        if not (profiles or scorecard_lines or ratios):
            return
        uses = []
        if profiles:
            uses.append(self.env._("profiles %(names)s", names=_names(profiles.mapped("display_name"))))
        if scorecard_lines:
            employees = scorecard_lines.scorecard_id.employee_id
            uses.append(
                self.env._(
                    "%(count)s scorecards (%(employees)s)",
                    count=len(scorecard_lines.scorecard_id),
                    employees=_names(employees.mapped("name")),
                )
            )
        if ratios:
            uses.append(self.env._("the ratio KPIs %(names)s", names=_names(ratios.mapped("display_name"))))
        message = self.env._(
            "%(kpis)s cannot be deleted: %(uses)s use it, and closed months must keep their figures. Archive it "
            "instead: it leaves the catalogue and the next months' scorecards, and the past stays as it was.",
            kpis=_names(self.mapped("display_name")),
            uses="; ".join(uses),
        )
        if not self.env.user.has_group(KPI_ADMIN_GROUP):
            raise UserError(message)
        raise RedirectWarning(
            message,
            self.env.ref("olimp_kpi.olimp_kpi_action_archive").id,
            self.env._("Archive"),
            {"active_model": self._name, "active_ids": self.ids, "active_id": self[:1].id},
        )

    def init(self):
        # KPIs made before source indexes existed (module update) get theirs here.
        self.search([("kind", "=", "quantitative")])._ensure_source_index()
        self._ensure_catalogue_indexes()

    def _ensure_catalogue_indexes(self):
        """Covering indexes of the records the catalogue's busiest KPIs read, unless the administrator manages
        source indexes (``olimp_kpi.source_indexes``).

        - *New opportunities* and their amount read the opportunities created in the month.
        - *Sales* and the count of confirmed orders read the month's confirmed orders: an index of those alone, by
          date, holding every column their grouped query needs, is read without visiting the orders themselves
          (19,000 orders of a month: 30 ms → 8 ms in the benchmark).
        - *Receivables* is a balance: the unpaid customer invoices of every month up to the one measured, which no
          date bound narrows. An index of the unpaid ones alone, with their amounts and due dates, is read instead of
          every invoice (50,000 invoices, 20,000 unpaid: 30–50 ms → 10 ms).

        PostgreSQL uses them when the query's conditions imply the index's condition, so they serve any KPI with
        these conditions (the catalogue's, or a user's copy of them). Named like the source indexes, they go when the
        add-on is uninstalled. Each is built once, at install or at the first update that knows it, holding writes on
        its table meanwhile (a fraction of a second on the benchmark's 400,000 orders); afterwards the columns it
        covers (an order's untaxed amount, an invoice's residual) change without HOT updates.
        """
        if self.env["ir.config_parameter"].sudo().get_param("olimp_kpi.source_indexes") in ("0", "False"):
            return
        for model, name, key, include, where in CATALOGUE_INDEXES:
            if model not in self.env or table_kind(self.env.cr, self.env[model]._table) != TableKind.Regular:
                continue
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s) INCLUDE (%s) WHERE %s",
                    SQL.identifier(f"{SOURCE_INDEX_PREFIX}{self.env[model]._table}__{name}"),
                    SQL.identifier(self.env[model]._table),
                    SQL(", ").join(map(SQL.identifier, key)),
                    SQL(", ").join(map(SQL.identifier, include)),
                    SQL(where),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        kpis = super().create(vals_list)
        kpis._ensure_source_index()
        return kpis

    def write(self, vals):
        result = super().write(vals)
        if SOURCE_FIELDS & set(vals):
            self._ensure_source_index()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for kpi, vals in zip(self, vals_list, strict=True):
            if "code" not in (default or {}):
                vals["code"] = self.env._("%(code)s (copy)", code=kpi.code)
            if "name" not in (default or {}):
                vals["name"] = self.env._("%(name)s (copy)", name=kpi.name)
        return vals_list

    def action_archive(self):
        """Archiving a KPI that active ratios divide would leave them unable to compute: say which."""
        ratios = self.sudo().search(
            [
                ("aggregation", "=", "ratio"),
                ("id", "not in", self.ids),
                "|",
                ("numerator_kpi_id", "in", self.ids),
                ("denominator_kpi_id", "in", self.ids),
            ]
        )
        if ratios:
            raise UserError(
                self.env._(
                    "%(kpis)s cannot be archived while the ratio KPIs %(ratios)s divide it: archive them first, or "
                    "give them other KPIs to divide.",
                    kpis=_names(self.mapped("display_name")),
                    ratios=_names(ratios.mapped("display_name")),
                )
            )
        return super().action_archive()

    def _ensure_source_index(self):
        """Indexes on each quantitative KPI's source table, unless such ones exist: on (employee field, date field),
        and on the date field alone.

        The refresh asks each source for the records of the scorecards' employees in a month. A team's or a batch's
        refresh reads just those through the first index; a whole company's month (all employees) is best read
        through the second, by date alone. Odoo indexes few of these (e.g. none on meetings by start), and a big
        table without them is read whole at every refresh. The indexes are made once, when a KPI is saved; building
        one holds writes on that table for the time it takes (seconds on a million rows). Set the system parameter
        ``olimp_kpi.source_indexes`` to ``False`` to manage such indexes yourself.
        """
        if not self or self.env["ir.config_parameter"].sudo().get_param("olimp_kpi.source_indexes") in ("0", "False"):
            return
        cr = self.env.cr
        done = set()
        for kpi in self:
            if kpi.kind != "quantitative" or not kpi.active or kpi.model_name not in self.env or not kpi.date_field_id:
                continue
            Source = self.env[kpi.model_name]
            columns = [Source._fields.get(field.name) for field in (kpi.user_field_id, kpi.date_field_id)]
            if not all(field and field.store and field.column_type and not field.inherited for field in columns):
                continue
            table, user_column, date_column = Source._table, columns[0].name, columns[1].name
            if table_kind(cr, table) != TableKind.Regular:
                continue
            for index_columns in ((user_column, date_column), (date_column,)):
                if (table, index_columns) in done:
                    continue
                done.add((table, index_columns))
                if _has_index(cr, table, index_columns):
                    continue
                name = make_identifier(f"{SOURCE_INDEX_PREFIX}{table}__{'__'.join(index_columns)}")
                _logger.info("KPI %s: creating index %s on %s %s", kpi.code, name, table, index_columns)
                cr.execute(
                    SQL(
                        "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                        SQL.identifier(name),
                        SQL.identifier(table),
                        SQL(", ").join(SQL.identifier(column) for column in index_columns),
                    )
                )

    def _engine_spec(self):
        """The definition in the engine's terms (see :mod:`..engine.collector`).

        Field metadata is read as superuser: whoever may see the KPI may know what it counts.
        """
        self.ensure_one()
        kpi = self.sudo()
        if kpi.aggregation == "ratio":
            raise ValueError("a ratio is computed from its numerator and denominator KPIs")
        balance = kpi.period_mode == "balance"
        if not (kpi.model_name and kpi.model_name in kpi.env and (kpi.date_field_id or balance) and kpi.user_field_id):
            # E.g. the source model or a field of it went away with an uninstalled module.
            raise KeyError(f"incomplete definition: source {kpi.model_name}, date and employee fields needed")
        Source = kpi.env[kpi.model_name]
        measure = kpi.measure_field_id.name if kpi.aggregation != "count" else None
        due_field = kpi.due_date_field_id.name if balance and kpi.due_date_field_id else None
        for name in filter(None, (measure, kpi.date_field_id.name, kpi.user_field_id.name, due_field)):
            if name not in Source._fields:
                raise KeyError(f"field {name} of {kpi.model_name} does not exist")
        # Compiled, not run: conditions on fields that no longer exist fail here rather than in the grouped query.
        domain = tuple(compile_domain(Source, kpi.domain))
        currency_field = None
        if measure and kpi.aggregation in ("sum", "avg"):
            field = Source._fields[measure]
            name = field.get_currency_field(Source) if field.type == "monetary" else None
            currency = Source._fields.get(name) if name else None
            # A currency that is not stored (e.g. the company's, through a related field) cannot be grouped on:
            # such amounts are in the company currency already.
            if currency and currency.store and currency.comodel_name == "res.currency":
                currency_field = name
        company_field = Source._fields.get("company_id")
        return KpiSpec(
            key=kpi.id,
            model=kpi.model_name,
            aggregation=kpi.aggregation,
            measure=measure,
            date_field=kpi.date_field_id.name or None,
            date_is_datetime=kpi.date_field_id.ttype == "datetime",
            subject_field=kpi.user_field_id.name,
            domain=domain,
            company_field="company_id" if company_field and company_field.store else None,
            currency_field=currency_field,
            balance=balance,
            until_now=kpi.exclude_future,
            due_field=due_field,
            due_is_datetime=kpi.due_date_field_id.ttype == "datetime",
        )

    def _operands(self):
        """The KPIs whose figures make this one: its numerator and denominator for a ratio, else itself."""
        self.ensure_one()
        if self.aggregation == "ratio":
            return self.numerator_kpi_id | self.denominator_kpi_id
        return self


def _has_index(cr, table, columns):
    """Whether a valid index of ``table`` without condition starts with ``columns``, in that order."""
    cr.execute(
        SQL(
            """SELECT 1 FROM pg_index AS idx
                WHERE idx.indrelid = %s::regclass AND idx.indpred IS NULL AND idx.indisvalid
                  AND (SELECT array_agg(attribute.attname::text ORDER BY position.n)
                         FROM unnest((idx.indkey::int2[])[0:%s]) WITH ORDINALITY AS position(attnum, n)
                         JOIN pg_attribute AS attribute ON attribute.attrelid = idx.indrelid
                                                       AND attribute.attnum = position.attnum) = %s::text[]""",
            table,
            len(columns) - 1,
            list(columns),
        )
    )
    return bool(cr.fetchone())


def _names(names, limit=5):
    """Up to ``limit`` names, then how many more."""
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit})" if len(names) > limit else "")
