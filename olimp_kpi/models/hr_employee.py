import contextlib
from datetime import date, datetime, time, timedelta

import pytz
from babel.dates import format_date

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import get_lang

from ..engine import periods
from ..services.groups import HR_READER_GROUP, KPI_ADMIN_GROUP, KPI_USER_GROUP

# Who reads an employee's scorecards and efficiency is decided by the KPI groups (own, team, all, HR readers), never
# by HR rights alone: the record rules of the scorecards then say whose.
KPI_READER_GROUPS = f"{KPI_USER_GROUP},{HR_READER_GROUP}"


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    olimp_kpi_profile_id = fields.Many2one(
        comodel_name="olimp.kpi.profile",
        string="KPI Profile",
        groups="hr.group_hr_user",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        help="The KPIs and plans this employee is measured by every month.",
    )
    olimp_date_start = fields.Date(
        string="Start Date",
        groups="hr.group_hr_user",
        tracking=True,
        copy=False,
        help="First working day. The plans of counts and amounts of the month an employee starts in (or leaves in, "
        "see Departure Date) are pro-rated to the working days worked. With Employee Contracts installed, the "
        "contracts' dates are used instead, for employees who have contracts.",
    )
    olimp_scorecard_ids = fields.One2many(
        comodel_name="olimp.kpi.scorecard",
        inverse_name="employee_id",
        string="KPI Scorecards",
        groups=KPI_READER_GROUPS,
    )
    olimp_scorecard_count = fields.Integer(compute="_compute_olimp_efficiency", groups=KPI_READER_GROUPS)
    olimp_efficiency = fields.Float(
        string="Efficiency (%)",
        compute="_compute_olimp_efficiency",
        groups=KPI_READER_GROUPS,
        help="Efficiency of the last closed monthly scorecard (the month is shown next to it).",
    )
    olimp_efficiency_date = fields.Date(
        string="Efficiency Month",
        compute="_compute_olimp_efficiency",
        groups=KPI_READER_GROUPS,
        help="First day of the month of the last closed scorecard, whose efficiency is shown.",
    )
    olimp_efficiency_month = fields.Char(
        string="Efficiency Of",
        compute="_compute_olimp_efficiency",
        groups=KPI_READER_GROUPS,
        help="The month of the last closed scorecard, whose efficiency is shown; empty without a closed month.",
    )

    def _compute_olimp_efficiency(self):
        Scorecard = self.env["olimp.kpi.scorecard"]
        counts = dict(Scorecard._read_group([("employee_id", "in", self.ids)], ["employee_id"], ["__count"]))
        last = {}
        for scorecard in Scorecard.search_fetch(
            [("employee_id", "in", self.ids), ("state", "=", "closed")],
            ["employee_id", "date_from", "efficiency"],
            order="date_from desc",
        ):
            last.setdefault(scorecard.employee_id, scorecard)
        locale = get_lang(self.env).code
        for employee in self:
            scorecard = last.get(employee)
            employee.olimp_scorecard_count = counts.get(employee, 0)
            employee.olimp_efficiency = scorecard.efficiency if scorecard else 0.0
            employee.olimp_efficiency_date = scorecard.date_from if scorecard else False
            employee.olimp_efficiency_month = (
                format_date(scorecard.date_from, "LLLL y", locale=locale).capitalize() if scorecard else False
            )

    @api.constrains("olimp_kpi_profile_id", "user_id", "company_id")
    def _check_olimp_kpi_user(self):
        for employee in self:
            profile_company = employee.olimp_kpi_profile_id.company_id
            if profile_company and profile_company != employee.company_id:
                raise ValidationError(
                    self.env._(
                        "The KPI profile %(profile)s belongs to %(company)s: it cannot be assigned to %(employee)s, "
                        "an employee of %(employee_company)s.",
                        profile=employee.olimp_kpi_profile_id.name,
                        company=profile_company.name,
                        employee=employee.name,
                        employee_company=employee.company_id.name,
                    )
                )
            if employee.olimp_kpi_profile_id and not employee.user_id:
                raise ValidationError(
                    self.env._(
                        "%(employee)s has no related user: link a user to the employee before assigning the KPI "
                        "profile %(profile)s, since KPIs are credited to users.",
                        employee=employee.name,
                        profile=employee.olimp_kpi_profile_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        profiled = [vals.get("name") or "" for vals in vals_list if vals.get("olimp_kpi_profile_id")]
        if profiled:
            self._check_olimp_kpi_profile_right(profiled)
        return super().create(vals_list)

    def write(self, vals):
        if "olimp_kpi_profile_id" in vals:
            self._check_olimp_kpi_profile_right(self.mapped("name"))
        return super().write(vals)

    @api.model
    def _check_olimp_kpi_profile_right(self, names):
        """The KPI profile says what an employee is paid on: KPI administrators set it (on the employee when they
        are HR officers too, else with the profile's *Assign to Employees*); HR officers only see it."""
        if self.env.su or self.env.user.has_group(KPI_ADMIN_GROUP):
            return
        raise AccessError(
            self.env._(
                "Only KPI administrators assign KPI profiles to employees: ask one to change the profile of "
                "%(employees)s.",
                employees=", ".join(filter(None, names)),
            )
        )

    def _olimp_kpi_presence(self, month):
        """``{employee id: (working days worked, working days of the month)}`` for the employees of ``self`` who do
        not work the whole month of ``month`` (they start or leave during it), by their working schedules."""
        first, last = periods.month_start(month), periods.month_end(month)
        calendar_days = {}
        result = {}
        for employee, spans in self._olimp_kpi_spans(first, last).items():
            calendar = employee.resource_calendar_id or employee.company_id.resource_calendar_id
            if calendar not in calendar_days:
                calendar_days[calendar] = self._olimp_kpi_working_days(calendar, first, last)
            days = calendar_days[calendar]
            worked = sum(1 for day in days if any(start <= day <= stop for start, stop in spans))
            result[employee.id] = (worked, len(days))
        return result

    def _olimp_kpi_spans(self, first, last):
        """``{employee: [(first day, last day)]}``: when each employee works between ``first`` and ``last``, for
        those who do not work all of it. Contracts when the employee has any (``hr_contract``), else the employee's
        start and departure dates."""
        employees = self.sudo()
        spans = {}
        if "contract_ids" in employees._fields:
            contracts = (
                self.env["hr.contract"].sudo().search([("employee_id", "in", employees.ids), ("state", "!=", "cancel")])
            )
            for contract in contracts:
                periods_of = spans.setdefault(contract.employee_id, [])
                stop = contract.date_end or last
                if contract.date_start <= last and stop >= first:
                    periods_of.append((max(contract.date_start, first), min(stop, last)))
        for employee in employees:
            if employee in spans:
                continue
            start, stop = employee.olimp_date_start or first, employee.departure_date or last
            spans[employee] = [(max(start, first), min(stop, last))] if start <= last and stop >= first else []
        return {employee: found for employee, found in spans.items() if found != [(first, last)]}

    @api.model
    def _olimp_kpi_working_days(self, calendar, first, last):
        """The days from ``first`` to ``last`` with working hours in ``calendar`` (public holidays excepted);
        Monday to Friday without a calendar."""
        if calendar:
            tz = pytz.timezone(calendar.tz or "UTC")
            start = tz.localize(datetime.combine(first, time.min))
            stop = tz.localize(datetime.combine(last, time.max))
            intervals = calendar._work_intervals_batch(start, stop)[False]
            days = sorted({begin.astimezone(tz).date() for begin, __, __ in intervals})
            if days or not calendar.flexible_hours:
                return days
        count = (last - first).days + 1
        return [day for day in (first + timedelta(days=offset) for offset in range(count)) if day.weekday() < 5]

    def olimp_get_efficiency(self, date_from, date_to):
        """Average efficiency (%) of the employee's closed scorecards of the months from the month of ``date_from``
        to the month of ``date_to``, or ``None`` when none of those months has a closed scorecard.

        Meant for salary rules and commissions, e.g. ``employee.olimp_get_efficiency(payslip.date_from,
        payslip.date_to)``. ``None`` is never a silent 0: a rule multiplying by it fails visibly, and the payroll
        glue turns it into a warning on the payslip; :meth:`olimp_get_efficiency_detail` tells which months are
        closed and which are not. Raises a :class:`UserError` for a date that is not one (e.g. ``"31.12.2026"``),
        for ``date_from`` after ``date_to``, and when ``self`` is not exactly one employee. Reads scorecards with
        the caller's rights: KPI HR readers and administrators see everyone's.
        """
        return self.olimp_get_efficiency_detail(date_from, date_to)["efficiency"]

    def olimp_get_efficiency_detail(self, date_from, date_to):
        """What :meth:`olimp_get_efficiency` answers, and why: a dict with

        - ``efficiency``: the average efficiency (%) of the closed months, ``None`` when there is none;
        - ``closed_months``: first days of the months with a closed scorecard, in order;
        - ``missing_months``: first days of the months of the period without a closed scorecard (none made, or
          still open);
        - ``scorecard_ids``: the closed scorecards averaged.

        Same errors as :meth:`olimp_get_efficiency`.
        """
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "The efficiency is read for one employee at a time, not for %(count)s.",
                    count=len(self),
                )
            )
        first = periods.month_start(self._olimp_date(date_from))
        last = periods.month_start(self._olimp_date(date_to))
        if first > last:
            raise UserError(
                self.env._(
                    "The period from %(date_from)s to %(date_to)s ends before it begins.",
                    date_from=date_from,
                    date_to=date_to,
                )
            )
        scorecards = self.env["olimp.kpi.scorecard"].search_fetch(
            [
                ("employee_id", "=", self.id),
                ("state", "=", "closed"),
                ("date_from", ">=", first),
                ("date_from", "<=", last),
            ],
            ["date_from", "efficiency"],
            order="date_from",
        )
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = periods.next_month_start(month)
        closed = [scorecard.date_from for scorecard in scorecards]
        return {
            "efficiency": (sum(scorecards.mapped("efficiency")) / len(scorecards)) if scorecards else None,
            "closed_months": closed,
            "missing_months": [month for month in months if month not in closed],
            "scorecard_ids": scorecards.ids,
        }

    def _olimp_date(self, value):
        """``value`` as a date, or a clear error (a payroll rule may pass anything)."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        day = None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                day = date.fromisoformat(value[:10])
        if day:
            return day
        raise UserError(
            self.env._("“%(value)s” is not a date: give a date, or a text such as 2026-12-31.", value=value)
        )

    def action_open_olimp_scorecards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("olimp_kpi.olimp_kpi_scorecard_action")
        action["domain"] = [("employee_id", "=", self.id)]
        action["context"] = {"search_default_employee_id": self.id}
        return action
