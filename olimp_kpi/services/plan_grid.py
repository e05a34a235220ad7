"""The plan grid: the ORM side of the client action ``olimp_kpi.plan_grid`` (``static/src/screens/plan_grid``).

Two layouts: the KPIs of one month (employees × KPIs), and the year of one KPI (employees × 12 months). A cell is
one employee's plan of one KPI for one month, past or future, up to the end of next year (so any month up to 12
months ahead): the plan typed for that month (``olimp.kpi.plan``) when there is one, else the scorecard's target,
else the employee's profile (shown as such). A cell is editable while its month is not closed and the KPI is in the
employee's profile or scorecard.

Every read goes through the ORM with the caller's rights, one query per need whatever the number of employees:
the employees a user plans for (:meth:`OlimpKpiPlan._scope_domain`, the same conditions as the record rules of
plans), their profiles, the plans and the scorecard lines of the months shown, the KPIs. Writes go through
:meth:`OlimpKpiPlan._upsert`: the scorecard of the month is locked first, a closed one refuses, and a plan changed
by someone else since the user saw it is not overwritten.
"""

from collections import defaultdict

from babel.dates import format_date

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import get_lang

from ..engine import boards, periods, plans
from .groups import TEAM_LEADER_GROUP

MODES = ("kpis", "year")
PLAN_FIELDS = ["employee_id", "kpi_id", "date_from", "target"]
LINE_FIELDS = [
    "employee_id",
    "kpi_id",
    "date_from",
    "target",
    "actual",
    "zone",
    "state",
    "prorate_days",
    "prorate_month_days",
    "prorate_note",
]


class PlanGrid:
    def __init__(self, env):
        self.env = env
        self.Plan = env["olimp.kpi.plan"]
        self.Line = env["olimp.kpi.scorecard.line"]
        self.locale = get_lang(env).code

    # -- months ----------------------------------------------------------------------------------------------
    def _today(self):
        return periods.month_start(fields.Date.context_today(self.Plan))

    def horizon(self):
        """The last month that can be planned: December of next year, so always 12 months ahead at least."""
        return self._today().replace(year=self._today().year + 1, month=12)

    def _month(self, month):
        try:
            day = fields.Date.to_date(month) if month else self._today()
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("%(value)s is not a date: use YYYY-MM-DD.", value=month)) from error
        return periods.month_start(day)

    def _year_months(self, month):
        return [month.replace(month=number) for number in range(1, 13)]

    def _month_info(self, month, pattern="LLLL y"):
        return {"key": month.isoformat(), "label": format_date(month, pattern, locale=self.locale).capitalize()}

    # -- who and what ----------------------------------------------------------------------------------------
    def can_edit(self):
        return self.env.user.has_group(TEAM_LEADER_GROUP) and self.Plan.has_access("create")

    def _check_can_edit(self):
        if not self.can_edit():
            raise AccessError(self.env._("Only team leaders can change plans."))

    def _employees(self, team_id=None, company_id=None):
        """The employees with a KPI profile the caller plans for (read as superuser: the scope is the caller's)."""
        domain = [*self.Plan._scope_domain(), ("olimp_kpi_profile_id", "!=", False), ("user_id", "!=", False)]
        if team_id:
            domain.append(("user_id.sale_team_id", "=", team_id))
        if company_id:
            domain.append(("company_id", "=", company_id))
        return self.env["hr.employee"].sudo().search(domain)

    def _profile_targets(self, employees):
        """``{(employee id, kpi id): profile target}`` of the active KPIs of the employees' profiles."""
        result = {}
        for employee in employees.sudo():
            for line in employee.olimp_kpi_profile_id.line_ids:
                if line.kpi_id.active:
                    result[employee.id, line.kpi_id.id] = line.target
        return result

    def cells(self, months, kpi_ids=None, team_id=None, company_id=None):
        """Every cell of ``months`` for the caller: ``{(employee id, kpi id, month): cell}`` and the employees'
        names. A cell exists where the KPI is in the employee's profile, plan or scorecard line."""
        employees = self._employees(team_id, company_id)
        profile = self._profile_targets(employees)
        names = {employee.id: employee.name for employee in employees}
        scope = [("date_from", "in", months)]
        if kpi_ids:
            scope.append(("kpi_id", "in", list(kpi_ids)))
        if team_id:
            scope.append(("employee_id.user_id.sale_team_id", "=", team_id))
        if company_id:
            scope.append(("company_id", "=", company_id))
        month_plans = {
            (plan["employee_id"][0], plan["kpi_id"][0], periods.as_month(plan["date_from"])): plan
            for plan in self.Plan.search_read(scope, PLAN_FIELDS)
        }
        lines = {
            (line["employee_id"][0], line["kpi_id"][0], periods.as_month(line["date_from"])): line
            for line in self.Line.search_read(scope, LINE_FIELDS)
        }
        for record in [*month_plans.values(), *lines.values()]:
            names.setdefault(record["employee_id"][0], record["employee_id"][1])
        keys = set(month_plans) | set(lines)
        for employee_id, kpi_id in profile:
            if not kpi_ids or kpi_id in kpi_ids:
                keys.update((employee_id, kpi_id, month) for month in months)
        kpis = {
            kpi["id"]: kpi
            for kpi in self.env["olimp.kpi"]
            .with_context(active_test=False)
            .search_read([("id", "in", list({key[1] for key in keys}))], ["name", "code", "unit", "kind", "sequence"])
        }
        editable = self.can_edit()
        horizon = self.horizon()
        result = {}
        for key in keys:
            employee_id, kpi_id, month = key
            if kpi_id not in kpis:
                continue
            plan, line = month_plans.get(key), lines.get(key)
            profile_target = profile.get((employee_id, kpi_id))
            prorated = bool(line and line["prorate_month_days"] and line["prorate_days"] < line["prorate_month_days"])
            if plan:
                value, source = plan["target"], "plan"
            elif line and not prorated:
                value, source = line["target"], "scorecard"
            elif profile_target is not None:
                value, source = profile_target, "profile"
            else:
                value, source = line["target"], "scorecard"
            state = line["state"] if line else "none"
            result[key] = {
                "employee_id": employee_id,
                "kpi_id": kpi_id,
                "month": month.isoformat(),
                "unit": kpis[kpi_id]["unit"],
                "kind": kpis[kpi_id]["kind"],
                "value": value,
                "source": source,
                "plan": plan["target"] if plan else None,
                "line_id": line["id"] if line else False,
                "target": line["target"] if line else None,
                "actual": line["actual"] if line else None,
                "zone": line["zone"] if line else None,
                "prorate_note": line["prorate_note"] if prorated else False,
                "state": state,
                "editable": editable and state != "closed" and month <= horizon,
            }
        return result, names, kpis

    # -- the grid --------------------------------------------------------------------------------------------
    def grid(self, month=None, mode="kpis", kpi_id=None, team_id=None, company_id=None):
        mode = "year" if mode in ("year", "months") else "kpis"
        month = min(self._month(month), self.horizon())
        kpi_options = self.env["olimp.kpi"].search_read([], ["name", "code", "unit", "kind"])
        if mode == "year":
            kpi_id = kpi_id or (kpi_options[0]["id"] if kpi_options else False)
            months = self._year_months(month)
            cells, names, kpis = self.cells(months, {kpi_id} if kpi_id else set(), team_id, company_id)
            columns = [self._month_info(day, "LLL") | {"current": day == self._today()} for day in months]

            def column_of(key):
                return key[2].isoformat()

        else:
            months = [month]
            cells, names, kpis = self.cells(months, None, team_id, company_id)
            ordered = sorted(kpis.values(), key=lambda kpi: (kpi["sequence"], kpi["id"]))
            columns = [{**kpi, "key": kpi["id"], "label": kpi["name"]} for kpi in ordered]

            def column_of(key):
                return key[1]

        rows_of = defaultdict(list)
        for key in cells:
            rows_of[key[0]].append(key)
        row_keys = sorted(rows_of, key=lambda employee_id: names[employee_id].casefold())
        matrix = boards.matrix(
            row_keys, [column["key"] for column in columns], ((key[0], column_of(key), cells[key]) for key in cells)
        )
        year = month.year
        return {
            "mode": mode,
            "month": self._month_info(month),
            "previous_month": boards.shift_month(month, -1).isoformat(),
            "next_month": boards.shift_month(month, 1).isoformat() if month < self.horizon() else False,
            "current_month": self._today().isoformat(),
            "year": year,
            "previous_year": month.replace(year=year - 1, month=1).isoformat(),
            "next_year": month.replace(year=year + 1, month=1).isoformat() if year < self.horizon().year else False,
            "horizon": self._month_info(self.horizon()),
            "kpi_id": kpi_id or False,
            "kpis": kpi_options,
            "columns": columns,
            "rows": [{"employee": {"id": key, "name": names[key]}, "cells": matrix[key]} for key in row_keys],
            "can_edit": self.can_edit(),
            **self._filters(team_id, company_id),
            "currency": self._currency(),
            "labels": self._labels(),
        }

    def _filters(self, team_id, company_id):
        employees = self._employees()
        teams = employees.user_id.sale_team_id
        if team_id:
            teams |= self.env["crm.team"].browse(team_id)
        companies = employees.company_id
        return {
            "teams": sorted(
                ({"id": team.id, "name": team.display_name} for team in teams), key=lambda t: t["name"].casefold()
            ),
            "companies": [{"id": c.id, "name": c.display_name} for c in companies.sorted("sequence")],
            "team_id": team_id or False,
            "company_id": company_id or False,
        }

    def _currency(self):
        currency = self.env.company.currency_id
        return {"id": currency.id, "symbol": currency.symbol, "position": currency.position, "name": currency.name}

    def _labels(self):
        described = self.Line.fields_get(["zone", "unit", "kind", "state"], ["selection"])
        return {name: dict(description["selection"]) for name, description in described.items()}

    # -- changes ---------------------------------------------------------------------------------------------
    def _key(self, employee_id, kpi_id, month):
        try:
            return int(employee_id), int(kpi_id), self._month(month)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("This cell of the plan grid is not valid: reload the page.")) from error

    def set_plan(self, employee_id, kpi_id, month, text, seen=None, clear=False):
        """Save the plan typed in one cell (the text as typed, read in the user's language) and return the cell.

        ``seen``: the plan the user saw (``None``: there was none); ``clear``: the user confirmed that an emptied cell
        means "no plan" (0: the KPI then leaves the employee's efficiency this month).
        """
        self._check_can_edit()
        key = self._key(employee_id, kpi_id, month)
        employee = self.env["hr.employee"].sudo().browse(key[0]).exists()
        kpi = self.env["olimp.kpi"].browse(key[1]).exists()
        if not employee or not kpi:
            raise UserError(self.env._("This employee or KPI no longer exists: reload the page."))
        if key[2] > self.horizon():
            raise UserError(
                self.env._("Plans can be made up to %(month)s.", month=self._month_info(self.horizon())["label"])
            )
        value = self.Plan._parse(text, kpi, employee)
        if value is None and not clear:
            raise UserError(
                self.env._(
                    "Type a plan, or confirm that %(employee)s has no plan for this KPI.", employee=employee.name
                )
            )
        seen_value = None if seen in (None, False, "") else float(seen)
        self.Plan._upsert({key: value or 0.0}, seen={key: seen_value})
        return self.cell(*key)

    def cell(self, employee_id, kpi_id, month):
        key = self._key(employee_id, kpi_id, month)
        cells, __, __ = self.cells([key[2]], {key[1]}, None, None)
        return cells.get(key) or False

    def _sources(self, months, kpi_id, team_id, company_id):
        cells, __, __ = self.cells(months, {kpi_id} if kpi_id else None, team_id, company_id)
        return cells

    def _write(self, values):
        """Write ``{key: target}`` into the cells that are not closed; counts of what was done."""
        targets, __, __ = self.cells(sorted({key[2] for key in values}), {key[1] for key in values}, None, None)
        closed = [key for key in values if targets.get(key, {}).get("state") == "closed"]
        writable = {key: value for key, value in values.items() if key not in closed}
        created, changed, unchanged = self.Plan._upsert(writable)
        return {"copied": created + changed, "unchanged": unchanged, "closed": len(closed)}

    def copy_to_next_month(self, month, team_id=None, company_id=None, kpi_id=None):
        """The plans of ``month`` (as the grid shows them) become those of the next month, closed months excepted."""
        self._check_can_edit()
        month = self._month(month)
        next_month = periods.next_month_start(month)
        if next_month > self.horizon():
            raise UserError(
                self.env._("Plans can be made up to %(month)s.", month=self._month_info(self.horizon())["label"])
            )
        sources = self._sources([month], kpi_id, team_id, company_id)
        if not sources:
            raise UserError(self.env._("There is no plan to copy in this month."))
        result = self._write({(key[0], key[1], next_month): cell["value"] for key, cell in sources.items()})
        return {**result, "month": self._month_info(next_month)}

    def copy_year_forward(self, year, percent=0.0, team_id=None, company_id=None, kpi_id=None):
        """Each month's plans of ``year`` become those of the same month of the next year, raised by ``percent`` %."""
        self._check_can_edit()
        try:
            year = int(year)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("Give the year as a number.")) from error
        try:
            percent = plans.parse_plan(percent, *self.Plan._lang_separators()) or 0.0
        except plans.PlanInputError as error:
            raise UserError(self.env._("“%(value)s” is not a percentage.", value=error.text)) from error
        if percent <= -100:
            raise UserError(self.env._("A change of %(percent)s %% would leave no plan at all.", percent=percent))
        if year + 1 > self.horizon().year:
            raise UserError(
                self.env._("Plans can be made up to %(month)s.", month=self._month_info(self.horizon())["label"])
            )
        sources = self._sources(self._year_months(fields.Date.to_date(f"{year}-01-01")), kpi_id, team_id, company_id)
        if not sources:
            raise UserError(self.env._("There is no plan to copy in %(year)s.", year=year))
        values = {
            (key[0], key[1], key[2].replace(year=year + 1)): plans.scale(
                cell["value"], percent, cell["unit"], cell["kind"]
            )
            for key, cell in sources.items()
        }
        return {**self._write(values), "year": year + 1}

    def fill_year_from_profile(self, year, team_id=None, company_id=None, kpi_id=None):
        """Months of ``year`` without a plan of their own get the profile's, as plans to change from there."""
        self._check_can_edit()
        try:
            year = int(year)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("Give the year as a number.")) from error
        months = [day for day in self._year_months(fields.Date.to_date(f"{year}-01-01")) if day <= self.horizon()]
        cells = self._sources(months, kpi_id, team_id, company_id)
        profile = self._profile_targets(self._employees(team_id, company_id))
        values = {
            key: profile[key[0], key[1]]
            for key, cell in cells.items()
            if cell["plan"] is None and (key[0], key[1]) in profile
        }
        result = self._write(values)
        return {
            "filled": result["copied"] + result["unchanged"],
            "planned": sum(1 for cell in cells.values() if cell["plan"] is not None),
            "closed": result["closed"],
            "year": year,
        }
