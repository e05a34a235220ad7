import contextlib
from datetime import date, datetime

from babel.dates import format_date

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import get_lang

from ..engine import periods


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
    olimp_scorecard_ids = fields.One2many(
        comodel_name="olimp.kpi.scorecard",
        inverse_name="employee_id",
        string="KPI Scorecards",
        groups="hr.group_hr_user",
    )
    olimp_scorecard_count = fields.Integer(compute="_compute_olimp_efficiency", groups="hr.group_hr_user")
    olimp_efficiency = fields.Float(
        string="Efficiency (%)",
        compute="_compute_olimp_efficiency",
        groups="hr.group_hr_user",
        help="Efficiency of the last closed monthly scorecard (the month is shown next to it).",
    )
    olimp_efficiency_date = fields.Date(
        string="Efficiency Month",
        compute="_compute_olimp_efficiency",
        groups="hr.group_hr_user",
        help="First day of the month of the last closed scorecard, whose efficiency is shown.",
    )
    olimp_efficiency_month = fields.Char(
        string="Efficiency Of",
        compute="_compute_olimp_efficiency",
        groups="hr.group_hr_user",
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

    def olimp_get_efficiency(self, date_from, date_to):
        """Average efficiency (%) of the employee's closed scorecards of the months from the month of ``date_from``
        to the month of ``date_to``, or ``None`` when none of those months has a closed scorecard.

        Meant for salary rules and commissions, e.g. ``employee.olimp_get_efficiency(payslip.date_from,
        payslip.date_to)``. ``None`` is never a silent 0: a rule multiplying by it fails visibly, and the payroll
        glue turns it into a warning on the payslip; :meth:`olimp_get_efficiency_detail` tells which months are
        closed and which are not. Raises a :class:`UserError` for a date that is not one (e.g. ``"31.12.2026"``),
        for ``date_from`` after ``date_to``, and when ``self`` is not exactly one employee. Reads scorecards with
        the caller's rights: HR officers see everyone's.
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
