import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..engine import periods, plans
from ..services.expected_sql_errors import expected_sql_errors
from ..services.groups import HR_READER_GROUP, KPI_ADMIN_GROUP, TEAM_LEADER_GROUP
from ..services.plan_grid import PlanGrid

# Set while a plan and a scorecard line copy a target to each other, so that the copy does not come back.
SYNC_CONTEXT = "olimp_kpi_plan_sync"

# Whose plans a user may see and change, as conditions on the employee. The record rules of olimp.kpi.plan
# (security/olimp_kpi_security.xml) say the same through ``employee_id``; the plan grid lists the employees without
# a plan yet with these (tests/test_plans.py checks that both agree).
SCOPE_OWN = [("user_id", "=", "uid")]
SCOPE_TEAM = [
    "|",
    "|",
    ("user_id", "=", "uid"),
    ("user_id.sale_team_id.user_id", "=", "uid"),
    ("parent_id.user_id", "=", "uid"),
]


class ImportRowByRow(Exception):
    """A batch of imported plans holds a bad row: Odoo's importer retries the rows one by one."""


class OlimpKpiPlan(models.Model):
    """The plan of one KPI for one employee and one month, past or future.

    A scorecard takes each line's target from the plan of its month when there is one, and from the employee's
    profile otherwise; while the scorecard is open, changing the plan changes the line and changing the line's
    target changes the plan. A closed month's plans no longer change.
    """

    _name = "olimp.kpi.plan"
    _description = "KPI Plan"
    _order = "date_from desc, employee_id, kpi_sequence, id"
    _rec_names_search = ["employee_id.name", "kpi_id.name", "kpi_id.code"]

    employee_id = fields.Many2one(comodel_name="hr.employee", required=True, ondelete="cascade", index=True)
    kpi_id = fields.Many2one(comodel_name="olimp.kpi", string="KPI", required=True, ondelete="cascade", index=True)
    kpi_code = fields.Char(
        string="KPI Code",
        compute="_compute_kpi_code",
        inverse="_inverse_kpi_code",
        search="_search_kpi_code",
        help="The KPI by its code: the column to fill when plans are imported from a spreadsheet.",
    )
    kpi_sequence = fields.Integer(related="kpi_id.sequence", store=True)
    date_from = fields.Date(string="Month", required=True, index=True, help="The first day of the month planned.")
    target = fields.Float(string="Plan", required=True, default=0.0, aggregator="sum")
    unit = fields.Selection(related="kpi_id.unit")
    kind = fields.Selection(related="kpi_id.kind")
    user_id = fields.Many2one(related="employee_id.user_id", store=True, index=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        index=True,
        readonly=True,
    )
    period_label = fields.Char(string="Period", compute="_compute_period_label")
    state = fields.Selection(
        selection=[("none", "No scorecard yet"), ("open", "Open"), ("closed", "Closed")],
        string="Scorecard",
        compute="_compute_state",
    )

    _sql_constraints = [
        (
            "employee_kpi_month_unique",
            "UNIQUE(employee_id, kpi_id, date_from)",
            "An employee has one plan per KPI and month.",
        ),
    ]

    @api.depends("kpi_id")
    def _compute_kpi_code(self):
        for plan in self:
            plan.kpi_code = plan.kpi_id.code

    def _inverse_kpi_code(self):
        for plan in self:
            plan.kpi_id = plan._kpi_by_code(plan.kpi_code, plan.employee_id.company_id)

    def _search_kpi_code(self, operator, value):
        return [("kpi_id.code", operator, value)]

    @api.depends("employee_id")
    def _compute_company_id(self):
        for plan in self:
            plan.company_id = plan.employee_id.company_id

    @api.depends("date_from")
    def _compute_period_label(self):
        Scorecard = self.env["olimp.kpi.scorecard"]
        for plan in self:
            plan.period_label = Scorecard.new({"date_from": plan.date_from}).period_label if plan.date_from else ""

    @api.depends("employee_id", "date_from")
    def _compute_state(self):
        states = {
            (scorecard.employee_id.id, scorecard.date_from): scorecard.state
            for scorecard in self._scorecards(self._months())
        }
        for plan in self:
            plan.state = states.get((plan.employee_id.id, plan.date_from), "none")

    @api.depends("employee_id", "kpi_id", "date_from")
    def _compute_display_name(self):
        for plan in self:
            plan.display_name = " · ".join(
                filter(None, [plan.employee_id.name, plan.kpi_id.display_name, plan.period_label])
            )

    @api.constrains("date_from")
    def _check_date_from(self):
        for plan in self:
            if plan.date_from and plan.date_from.day != 1:
                raise ValidationError(
                    self.env._(
                        "A plan is made for a month: use the first day of the month (%(first)s), not %(day)s.",
                        first=periods.month_start(plan.date_from),
                        day=plan.date_from,
                    )
                )

    @api.constrains("target", "kpi_id")
    def _check_target(self):
        for plan in self:
            problem = plans.plan_problem(plan.target, plan.kpi_id.unit, plan.kpi_id.kind)
            if problem:
                raise ValidationError(self._problem_message(problem, plan.target, plan.kpi_id, plan.employee_id))

    @api.constrains("kpi_id", "employee_id")
    def _check_company(self):
        for plan in self.sudo():
            kpi_company = plan.kpi_id.company_id
            if kpi_company and kpi_company != plan.employee_id.company_id:
                raise ValidationError(
                    self.env._(
                        "KPI %(kpi)s belongs to %(company)s: it cannot be planned for %(employee)s, an employee of "
                        "%(employee_company)s.",
                        kpi=plan.kpi_id.display_name,
                        company=kpi_company.name,
                        employee=plan.employee_id.name,
                        employee_company=plan.employee_id.company_id.name,
                    )
                )

    # -- CRUD: a closed month refuses, an open scorecard follows ---------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        try:
            for vals in vals_list:
                if not vals.get("employee_id"):
                    # E.g. an imported row whose employee was not found: said before the database refuses it.
                    raise ValidationError(self.env._("A plan needs an employee."))
                if vals.get("kpi_code") and not vals.get("kpi_id"):
                    employee = self.env["hr.employee"].sudo().browse(vals.get("employee_id"))
                    vals["kpi_id"] = self._kpi_by_code(vals.pop("kpi_code"), employee.company_id).id
            self._lock_months(
                {(vals.get("employee_id"), fields.Date.to_date(vals.get("date_from"))) for vals in vals_list}
            )
            created = super().create(vals_list)
        except UserError as error:
            if self.env.context.get("import_file") and len(vals_list) > 1:
                # Odoo's importer then makes the rows one by one and reports each error at its own row; a UserError
                # of the whole batch would also be shown at the file's first row, which may be a good one.
                raise ImportRowByRow(str(error)) from error
            raise
        created._push_to_lines()
        return created

    def write(self, vals):
        if any(plan._moves(vals) for plan in self):
            raise UserError(
                self.env._("A plan's employee, KPI and month cannot change: delete it and make a new one instead.")
            )
        self._lock_months(self._months())
        result = super().write(vals)
        if "target" in vals:
            self._push_to_lines()
        return result

    def unlink(self):
        months = self._months()
        self._lock_months(months)
        keys = [(plan.employee_id.id, plan.kpi_id.id, plan.date_from) for plan in self]
        result = super().unlink()
        if not self.env.context.get(SYNC_CONTEXT):
            self.env["olimp.kpi.scorecard.line"]._reset_to_profile(keys)
        return result

    # -- the plan grid (static/src/screens/plan_grid): plain JSON with the caller's rights ----------------------
    @api.model
    def get_grid(self, month=None, mode="kpis", kpi_id=None, team_id=None, company_id=None):
        """Plans to edit in place: employees × KPIs of one month (``mode="kpis"``), or employees × the 12 months of
        the year of ``month`` for one KPI (``mode="year"``)."""
        return PlanGrid(self.env).grid(month, mode, kpi_id, team_id, company_id)

    @api.model
    def set_grid_plan(self, employee_id, kpi_id, month, text, seen=None, clear=False):
        """Save one cell typed in the grid; returns the cell as the grid draws it."""
        return PlanGrid(self.env).set_plan(employee_id, kpi_id, month, text, seen, clear)

    @api.model
    def get_grid_cell(self, employee_id, kpi_id, month):
        """One cell of the grid as it is now (after a refused change), or ``False``."""
        return PlanGrid(self.env).cell(employee_id, kpi_id, month)

    @api.model
    def copy_to_next_month(self, month, team_id=None, company_id=None, kpi_id=None):
        """The month's plans shown in the grid become the next month's; closed months keep theirs."""
        return PlanGrid(self.env).copy_to_next_month(month, team_id, company_id, kpi_id)

    @api.model
    def copy_year_forward(self, year, percent=0.0, team_id=None, company_id=None, kpi_id=None):
        """Each month of ``year`` to the same month of the next year, raised by ``percent`` %."""
        return PlanGrid(self.env).copy_year_forward(year, percent, team_id, company_id, kpi_id)

    @api.model
    def fill_year_from_profile(self, year, team_id=None, company_id=None, kpi_id=None):
        """The months of ``year`` without a plan of their own get the profile's."""
        return PlanGrid(self.env).fill_year_from_profile(year, team_id, company_id, kpi_id)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _moves(self, vals):
        """Whether ``vals`` give this plan another employee, KPI or month (an import may repeat the same ones)."""
        self.ensure_one()
        if "kpi_code" in vals and self._kpi_by_code(vals["kpi_code"], self.employee_id.company_id) != self.kpi_id:
            return True
        if "date_from" in vals and fields.Date.to_date(vals["date_from"]) != self.date_from:
            return True
        return any(fname in vals and (vals[fname] or False) != self[fname].id for fname in ("employee_id", "kpi_id"))

    def _months(self):
        return {(plan.employee_id.id, plan.date_from) for plan in self}

    @api.model
    def _scorecards(self, months):
        """The scorecards of ``months`` (``{(employee id, month)}``), whoever may see them: one query."""
        months = {(employee_id, day) for employee_id, day in months if employee_id and day}
        if not months:
            return self.env["olimp.kpi.scorecard"]
        scorecards = (
            self.env["olimp.kpi.scorecard"]
            .sudo()
            .search(
                [
                    ("employee_id", "in", list({employee_id for employee_id, __ in months})),
                    ("date_from", "in", list({day for __, day in months})),
                ]
            )
        )
        return scorecards.filtered(lambda sc: (sc.employee_id.id, sc.date_from) in months)

    @api.model
    def _lock_months(self, months):
        """Lock the scorecards of ``months`` and refuse closed ones, before any plan of theirs changes.

        Plans and scorecard lines lock the scorecard first, whichever of them is changed (the refresh and the close
        do the same): two changes of the same month wait for each other instead of deadlocking.
        """
        if self.env.context.get(SYNC_CONTEXT):
            return
        scorecards = self._scorecards(months)
        if scorecards:
            scorecards.sorted("id")._check_open()

    def _push_to_lines(self):
        """Give the open scorecards' lines of these plans their target (pro-rated as the line was)."""
        if self.env.context.get(SYNC_CONTEXT) or not self:
            return
        Line = self.env["olimp.kpi.scorecard.line"].sudo().with_context(**{SYNC_CONTEXT: True})
        plans_by_key = {(plan.employee_id.id, plan.kpi_id.id, plan.date_from): plan for plan in self}
        lines = Line.search(
            [
                ("employee_id", "in", list({key[0] for key in plans_by_key})),
                ("kpi_id", "in", list({key[1] for key in plans_by_key})),
                ("date_from", "in", list({key[2] for key in plans_by_key})),
                ("state", "=", "open"),
            ]
        )
        lines._set_targets(
            {
                line: plans_by_key[key].target
                for line in lines
                if (key := (line.employee_id.id, line.kpi_id.id, line.date_from)) in plans_by_key
            }
        )

    @api.model
    def _kpi_by_code(self, code, company):
        code = (code or "").strip()
        kpi = self.env["olimp.kpi"].search(
            [("code", "=ilike", code), ("company_id", "in", [company.id, False])], order="company_id", limit=1
        )
        if not kpi:
            raise ValidationError(
                self.env._("There is no KPI with the code %(code)s in %(company)s.", code=code, company=company.name)
            )
        return kpi

    @api.model
    def _problem_message(self, problem, value, kpi, employee=None):
        """The sentence for a reason of :func:`..engine.plans.plan_problem` or :func:`..engine.plans.parse_plan`."""
        who = (
            self.env._("%(kpi)s of %(employee)s", kpi=kpi.display_name, employee=employee.name)
            if employee
            else kpi.display_name
        )
        messages = {
            plans.NEGATIVE: self.env._("The plan of %(who)s cannot be negative (%(value)s).", who=who, value=value),
            plans.NOT_WHOLE: self.env._(
                "The plan of %(who)s counts things: it must be a whole number, not %(value)s.", who=who, value=value
            ),
            plans.OVER_100: self.env._(
                "The plan of %(who)s is the share of checklist questions answered yes: at most 100 %%, not %(value)s.",
                who=who,
                value=value,
            ),
            plans.TOO_LARGE: self.env._("The plan of %(who)s is too large (%(value)s).", who=who, value=value),
            plans.SCIENTIFIC: self.env._(
                "“%(value)s” is written in scientific notation: type the plan in full, e.g. 1000 rather than 1e3.",
                value=value,
            ),
            plans.BAD_GROUPING: self.env._(
                "“%(value)s” is not a number in your language: the decimal separator is “%(decimal)s” and digits are "
                "grouped by three with “%(thousands)s”.",
                value=value,
                decimal=self._lang_separators()[0],
                thousands=self._lang_separators()[1] or " ",
            ),
        }
        return messages.get(problem) or self.env._("“%(value)s” is not a number.", value=value)

    @api.model
    def _lang_separators(self):
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        return lang.decimal_point or ".", lang.thousands_sep or ""

    @api.model
    def _parse(self, text, kpi, employee=None):
        """The plan typed as ``text`` in the user's language, checked for ``kpi``; ``None`` for an empty text."""
        decimal_point, thousands_sep = self._lang_separators()
        try:
            value = plans.parse_plan(text, decimal_point, thousands_sep)
        except plans.PlanInputError as error:
            raise UserError(self._problem_message(error.reason, error.text, kpi, employee)) from error
        problem = plans.plan_problem(value, kpi.unit, kpi.kind)
        if problem:
            raise UserError(self._problem_message(problem, text, kpi, employee))
        return value

    @api.model
    def _upsert(self, values, seen=None):
        """Set the plans of ``values`` (``{(employee id, kpi id, month): target}``), creating the missing ones.

        ``seen`` (same keys): the plan the user saw before typing, ``None`` when there was none. A plan that changed
        since (another team leader, the scorecard form) is not overwritten: the user is told and sees the new one.
        Returns ``(created, changed, unchanged)`` counts.
        """
        if not values:
            return 0, 0, 0
        keys = list(values)
        self._lock_months({(employee_id, month) for employee_id, __, month in keys})
        existing = self._existing(keys)
        if existing:
            # Rows another transaction changed and committed since this one began fail here, and the call is
            # retried on a fresh snapshot, where the check below sees the other change.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM olimp_kpi_plan WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                    [p.id for p in existing.values()],
                ),
                log_exceptions=False,
            )
        if seen is not None:
            for key, before in seen.items():
                current = existing.get(key)
                now = current.target if current else None
                if (now is None) != (before is None) or (now is not None and abs(now - before) > 1e-9):
                    raise UserError(self._changed_meanwhile_message(key, current))
        by_value = {}
        unchanged = 0
        for key, target in values.items():
            plan = existing.get(key)
            if plan and abs(plan.target - target) <= 1e-9:
                unchanged += 1
            elif plan:
                by_value.setdefault(target, self.browse())
                by_value[target] |= plan
        for target, group in by_value.items():
            group.write({"target": target})
        missing = [
            {
                "employee_id": employee_id,
                "kpi_id": kpi_id,
                "date_from": month,
                "target": values[employee_id, kpi_id, month],
            }
            for employee_id, kpi_id, month in keys
            if (employee_id, kpi_id, month) not in existing
        ]
        if missing:
            try:
                with self.env.cr.savepoint(), expected_sql_errors():
                    self.create(missing)
            except psycopg2.errors.UniqueViolation as error:
                # Made by someone else since this transaction began: theirs is not overwritten blindly.
                raise UserError(
                    self.env._(
                        "Someone else has just planned the same month: reload to see their plan, then change it."
                    )
                ) from error
        return len(missing), sum(len(group) for group in by_value.values()), unchanged

    @api.model
    def _existing(self, keys):
        """``{(employee id, kpi id, month): plan}`` among ``keys``, whoever may see them (the caller checks)."""
        if not keys:
            return {}
        found = self.sudo().search(
            [
                ("employee_id", "in", list({key[0] for key in keys})),
                ("kpi_id", "in", list({key[1] for key in keys})),
                ("date_from", "in", list({key[2] for key in keys})),
            ]
        )
        wanted = set(keys)
        return {
            key: plan.with_env(self.env)
            for plan in found
            if (key := (plan.employee_id.id, plan.kpi_id.id, plan.date_from)) in wanted
        }

    @api.model
    def _existing_for_employees(self, employees, month):
        """``{(employee id, kpi id): target}`` of the plans of ``employees`` for ``month``: one query."""
        if not employees:
            return {}
        found = self.search_fetch(
            [("employee_id", "in", employees.ids), ("date_from", "=", month)], ["employee_id", "kpi_id", "target"]
        )
        return {(plan.employee_id.id, plan.kpi_id.id): plan.target for plan in found}

    @api.model
    def _changed_meanwhile_message(self, key, current):
        employee = self.env["hr.employee"].sudo().browse(key[0])
        kpi = self.env["olimp.kpi"].sudo().browse(key[1])
        if not current:
            return self.env._(
                "The plan of %(kpi)s for %(employee)s was removed meanwhile: reload, then type it again.",
                kpi=kpi.display_name,
                employee=employee.name,
            )
        return self.env._(
            "%(user)s has just changed the plan of %(kpi)s for %(employee)s to %(value)s: reload to see it, then "
            "type yours again if it should replace it.",
            user=current.sudo().write_uid.name,
            kpi=kpi.display_name,
            employee=employee.name,
            value=plans.round_plan(current.target, "number"),
        )

    @api.model
    def _scope_domain(self, user=None):
        """Conditions on ``hr.employee`` for the employees whose plans ``user`` (default: the caller) may change or,
        for sales people, read: what the record rules of this model say through ``employee_id``."""
        user = user or self.env.user
        if user.has_group(KPI_ADMIN_GROUP) or user.has_group(HR_READER_GROUP):
            scope = []
        elif user.has_group(TEAM_LEADER_GROUP):
            scope = SCOPE_TEAM
        else:
            scope = SCOPE_OWN
        domain = [
            (term[0], term[1], user.id if term[2] == "uid" else term[2]) if isinstance(term, tuple) else term
            for term in scope
        ]
        return expression.AND([domain, [("company_id", "in", self.env.companies.ids)]])
