"""Data of the scorecard screen, the team board and the plan grid: the ORM side of :mod:`..engine.boards`.

Every read goes through the ORM with the caller's access rights: record rules decide whose scorecards appear (a
sales person sees only their own card, a team leader their team's). Each need is one query whatever the number of
employees: the month's scorecards, their lines, the KPI definitions, the checklist answers, and one grouped read
over the previous months for the small charts. The web client (``static/src/screens``) gets plain JSON.

Only the names of the source model and fields of a KPI's definition are read as superuser: they are metadata that
sales people may not read directly (``ir.model``), and they say nothing about anybody's figures.
"""

from collections import defaultdict

from babel.dates import format_date
from babel.numbers import format_decimal

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import get_lang

from ..engine import boards, periods, scoring

HISTORY_MONTHS = 6
PLAN_MONTHS_BEFORE = 2
PLAN_MONTHS_AFTER = 3
MANAGER_GROUP = "olimp_kpi.group_kpi_manager"

EMPLOYEE_CARD_FIELDS = ["employee_id", "user_id"]
CARD_FIELDS = [
    "employee_id",
    "user_id",
    "team_id",
    "company_id",
    "currency_id",
    "manager_user_id",
    "department_id",
    "date_from",
    "period_label",
    "state",
    "efficiency",
    "previous_efficiency",
    "efficiency_trend",
    "efficiency_reference",
    "trend_basis",
    "working_days",
    "elapsed_working_days",
    "efficiency_warning",
    "counted_line_count",
    "red_count",
    "yellow_count",
    "green_count",
    "refreshed_on",
    "closed_on",
    "closed_by_id",
]
LINE_FIELDS = [
    "kpi_id",
    "name",
    "description",
    "kind",
    "unit",
    "direction",
    "target",
    "actual",
    "previous_actual",
    "trend_reference",
    "trend_basis",
    "is_ratio",
    "numerator_actual",
    "denominator_actual",
    "actual_overdue",
    "measured_on",
    "completion",
    "zone",
    "trend",
    "weight",
    "floor",
    "cap",
    "score",
    "yellow_from",
    "green_from",
    "unanswered_count",
]
ANSWER_FIELDS = ["line_id", "name", "value", "comment", "evidence", "answered_by_id", "answered_on"]
BOARD_CARD_FIELDS = [
    "employee_id",
    "user_id",
    "team_id",
    "company_id",
    "efficiency",
    "efficiency_trend",
    "state",
    "red_count",
    "yellow_count",
    "green_count",
]
BOARD_LINE_FIELDS = ["scorecard_id", "kpi_id", "target", "actual", "completion", "zone", "trend", "direction"]
PLAN_LINE_FIELDS = ["scorecard_id", "employee_id", "kpi_id", "date_from", "target", "actual", "zone", "state", "unit"]


def _id(value):
    """The id of a many2one value as read by ``search_read``: ``(id, name)`` or ``False``."""
    return value[0] if value else False


class ScorecardScreens:
    def __init__(self, env):
        self.env = env
        self.Scorecard = env["olimp.kpi.scorecard"]
        self.Line = env["olimp.kpi.scorecard.line"]
        self.locale = get_lang(env).code

    # -- helpers ---------------------------------------------------------------------------------------------
    def _month(self, month):
        day = fields.Date.to_date(month) if month else fields.Date.context_today(self.Scorecard)
        return periods.month_start(day)

    def _month_info(self, month, pattern="LLLL y"):
        return {"key": month.isoformat(), "label": format_date(month, pattern, locale=self.locale).capitalize()}

    def _navigation(self, month):
        today = self._month(None)
        return {
            "month": self._month_info(month),
            "previous_month": boards.shift_month(month, -1).isoformat(),
            "next_month": boards.shift_month(month, 1).isoformat(),
            "current_month": today.isoformat(),
        }

    def _scope(self, domain, team_id=None, company_id=None):
        if team_id:
            domain = [*domain, ("team_id", "=", team_id)]
        if company_id:
            domain = [*domain, ("company_id", "=", company_id)]
        return domain

    def _labels(self):
        """Translated labels of the selection fields the screens show."""
        described = self.Line.fields_get(
            ["zone", "trend", "unit", "direction", "kind", "state", "trend_basis"], ["selection"]
        )
        return {name: dict(description["selection"]) for name, description in described.items()}

    def _currency(self, currency_id):
        currency = self.env["res.currency"].browse(currency_id or self.env.company.currency_id.id)
        return {"id": currency.id, "symbol": currency.symbol, "position": currency.position, "name": currency.name}

    def _is_team_leader(self):
        return self.env.user.has_group(MANAGER_GROUP)

    def _kpis(self, kpi_ids):
        """The KPIs of ``kpi_ids`` (archived ones too: past scorecards keep them), in catalogue order."""
        Kpi = self.env["olimp.kpi"].with_context(active_test=False)
        return Kpi.search_read([("id", "in", list(kpi_ids))], ["name", "code", "unit", "kind", "direction"])

    def _filters(self, month, team_id, company_id):
        """Teams and companies that have scorecards this month, for the filters of the board and the grid."""
        groups = self.Scorecard._read_group([("date_from", "=", month)], ["team_id", "company_id"], ["__count"])
        teams = {team for team, __, __ in groups if team}
        companies = {company for __, company, __ in groups}
        if team_id:
            teams.add(self.env["crm.team"].browse(team_id))
        return {
            "teams": sorted(({"id": t.id, "name": t.display_name} for t in teams), key=lambda t: t["name"].casefold()),
            "companies": [{"id": c.id, "name": c.display_name} for c in sorted(companies, key=lambda c: c.sequence)],
            "team_id": team_id or False,
            "company_id": company_id or False,
        }

    def _number(self, value):
        return format_decimal(round(value or 0.0, 1), locale=self.locale)

    def _definition(self, kpi, line):
        """What a KPI counts and how it is judged, in words, for the details under the selected row."""
        number = self._number
        spec_kpi = kpi.sudo()
        parts = []
        if line["kind"] == "qualitative":
            parts.append(self.env._("Scored by the team leader with a checklist: the share of questions answered Yes."))
        elif spec_kpi.aggregation == "ratio":
            parts.append(
                self.env._(
                    "“%(numerator)s” ÷ “%(denominator)s” × 100; when the denominator is 0 there is no ratio: no zone, "
                    "and the KPI does not count in the efficiency.",
                    numerator=spec_kpi.numerator_kpi_id.display_name,
                    denominator=spec_kpi.denominator_kpi_id.display_name,
                )
            )
        elif spec_kpi.model_name and spec_kpi.model_name in self.env:
            Source = self.env[spec_kpi.model_name]
            model = spec_kpi.model_id.name

            def label(field):
                return Source._fields[field.name]._description_string(self.env) if field.name in Source._fields else ""

            values = {
                "model": model,
                "measure": label(spec_kpi.measure_field_id),
                "date": label(spec_kpi.date_field_id) or "—",
                "subject": label(spec_kpi.user_field_id),
            }
            aggregation = spec_kpi.aggregation
            if aggregation == "sum":
                sentence = self.env._(
                    "Sum of “%(measure)s” of “%(model)s” records by “%(date)s”, credited to “%(subject)s”."
                )
            elif aggregation == "avg":
                sentence = self.env._(
                    "Average “%(measure)s” of “%(model)s” records by “%(date)s”, credited to “%(subject)s”."
                )
            elif aggregation == "count_distinct":
                sentence = self.env._(
                    "Number of distinct “%(measure)s” of “%(model)s” records by “%(date)s”, credited to “%(subject)s”."
                )
            else:
                sentence = self.env._("Number of “%(model)s” records by “%(date)s”, credited to “%(subject)s”.")
            parts.append(sentence % values)
            if spec_kpi.period_mode == "balance":
                parts.append(
                    self.env._(
                        "A balance: the state at the end of the month, measured by the last refresh within the month "
                        "(today's state while the month runs)."
                    )
                )
            if spec_kpi.exclude_future:
                parts.append(self.env._("Records dated after the refresh do not count yet."))
        if line["direction"] == scoring.LOWER:
            parts.append(self.env._("Lower is better: completion is plan ÷ actual."))
        else:
            parts.append(self.env._("Higher is better: completion is actual ÷ plan."))
        if line["yellow_from"] < line["green_from"]:
            parts.append(
                self.env._(
                    "Green from %(green)s%% of plan, yellow from %(yellow)s%%, red below.",
                    green=number(line["green_from"]),
                    yellow=number(line["yellow_from"]),
                )
            )
        else:
            parts.append(self.env._("Green from %(green)s%% of plan, red below.", green=number(line["green_from"])))
        if line["floor"]:
            parts.append(
                self.env._(
                    "Score: 0 under %(floor)s%%, at most %(cap)s%%.",
                    floor=number(line["floor"]),
                    cap=number(line["cap"]),
                )
            )
        else:
            parts.append(self.env._("Score: the completion, at most %(cap)s%%.", cap=number(line["cap"])))
        return " ".join(part for part in parts if part)

    # -- the scorecard screen --------------------------------------------------------------------------------
    def screen(self, employee_id=None, month=None):
        month = self._month(month)
        cards = self.Scorecard.search_read([("date_from", "=", month)], EMPLOYEE_CARD_FIELDS)
        employees = [
            {"id": card["employee_id"][0], "name": card["employee_id"][1], "scorecard_id": card["id"]} for card in cards
        ]
        employees.sort(key=lambda employee: employee["name"].casefold())
        if employee_id:
            chosen = next((card for card in cards if card["employee_id"][0] == employee_id), None)
        else:
            # One's own card first; a team leader without a card of their own gets the first of the team.
            own = next((card for card in cards if _id(card["user_id"]) == self.env.uid), None)
            first = employees[0]["scorecard_id"] if employees else None
            chosen = own or next((card for card in cards if card["id"] == first), None)
        result = {
            **self._navigation(month),
            "employees": employees,
            "employee": False,
            "scorecard": False,
            "lines": [],
            "history_months": [],
            "labels": self._labels(),
            "can_edit": False,
        }
        if chosen:
            result["employee"] = {"id": chosen["employee_id"][0], "name": chosen["employee_id"][1]}
            result.update(self._scorecard(chosen["id"], month))
        elif employee_id:
            # Not this month: the name still tells whose month is empty (public data of any internal user).
            employee = self.env["hr.employee.public"].browse(employee_id).exists()
            result["employee"] = employee and {"id": employee.id, "name": employee.name}
            if employee and not any(item["id"] == employee.id for item in employees):
                result["employees"].append({"id": employee.id, "name": employee.name, "scorecard_id": False})
        return result

    def _scorecard(self, scorecard_id, month):
        scorecard = self.Scorecard.browse(scorecard_id)
        card = scorecard.read(CARD_FIELDS)[0]
        lines = self.Line.search_read([("scorecard_id", "=", scorecard_id)], LINE_FIELDS)
        kpis = {
            kpi.id: kpi
            for kpi in self.env["olimp.kpi"]
            .with_context(active_test=False)
            .browse({line["kpi_id"][0] for line in lines})
        }
        answers = defaultdict(list)
        for answer in self.env["olimp.kpi.scorecard.answer"].search_read(
            [("line_id", "in", [line["id"] for line in lines])], ANSWER_FIELDS
        ):
            answers[answer["line_id"][0]].append(answer)
        months = boards.month_window(month, before=HISTORY_MONTHS - 1)
        rows = self.Line._read_group(
            [
                ("employee_id", "=", card["employee_id"][0]),
                ("kpi_id", "in", list(kpis)),
                ("date_from", ">=", months[0]),
                ("date_from", "<=", month),
            ],
            ["kpi_id", "date_from:month"],
            ["actual:sum", "target:sum", "completion:avg", "zone:array_agg"],
        )
        history = boards.history(
            (
                (kpi.id, day, actual, target, completion, zones[0])
                for kpi, day, actual, target, completion, zones in rows
            ),
            months,
        )
        is_open = card["state"] == "open"
        can_edit = self._is_team_leader() and is_open and scorecard.has_access("write")
        for line in lines:
            kpi = kpis[line["kpi_id"][0]]
            line.update(
                code=kpi.code,
                trend_good=boards.trend_is_good(line["trend"], line["direction"]),
                definition=self._definition(kpi, line),
                can_open_records=line["kind"] == "quantitative"
                and (bool(kpi.sudo().model_name) or kpi.sudo().aggregation == "ratio"),
                can_open_denominator=line["is_ratio"],
                numerator_unit=kpi.sudo().numerator_kpi_id.unit or "number",
                denominator_unit=kpi.sudo().denominator_kpi_id.unit or "number",
                history=history.get(kpi.id, [None] * len(months)),
                answers=answers.get(line["id"], []),
            )
        card["efficiency_trend_good"] = boards.trend_is_good(card["efficiency_trend"], scoring.HIGHER)
        return {
            "scorecard": card,
            "currency": self._currency(_id(card["currency_id"])),
            "lines": lines,
            "history_months": [self._month_info(day, "LLL") for day in months],
            "can_edit": can_edit,
        }

    # -- the team board --------------------------------------------------------------------------------------
    def team_board(self, month=None, team_id=None, company_id=None):
        month = self._month(month)
        domain = self._scope([("date_from", "=", month)], team_id, company_id)
        cards = self.Scorecard.search_read(domain, BOARD_CARD_FIELDS)
        cards.sort(key=lambda card: card["employee_id"][1].casefold())
        lines = self.Line.search_read(domain, BOARD_LINE_FIELDS)
        kpis = self._kpis({line["kpi_id"][0] for line in lines})
        cells = boards.matrix(
            [card["id"] for card in cards],
            [kpi["id"] for kpi in kpis],
            (
                (
                    _id(line["scorecard_id"]),
                    line["kpi_id"][0],
                    {
                        "line_id": line["id"],
                        "target": line["target"],
                        "actual": line["actual"],
                        "completion": line["completion"],
                        "zone": line["zone"],
                        "trend": line["trend"],
                        "trend_good": boards.trend_is_good(line["trend"], line["direction"]),
                    },
                )
                for line in lines
            ),
        )
        rows = [
            {
                "scorecard_id": card["id"],
                "employee": {"id": card["employee_id"][0], "name": card["employee_id"][1]},
                "team": card["team_id"] and card["team_id"][1],
                "efficiency": card["efficiency"],
                "efficiency_trend": card["efficiency_trend"],
                "state": card["state"],
                "red_count": card["red_count"],
                "yellow_count": card["yellow_count"],
                "green_count": card["green_count"],
                "cells": cells[card["id"]],
            }
            for card in cards
        ]
        return {
            **self._navigation(month),
            **self._filters(month, team_id, company_id),
            "columns": kpis,
            "rows": rows,
            "averages": boards.column_averages([row["cells"] for row in rows], len(kpis)),
            "efficiency_average": (sum(row["efficiency"] for row in rows) / len(rows)) if rows else None,
            "labels": self._labels(),
        }

    # -- the plan grid ---------------------------------------------------------------------------------------
    def plan_grid(self, month=None, mode="kpis", kpi_id=None, team_id=None, company_id=None):
        month = self._month(month)
        Kpi = self.env["olimp.kpi"]
        kpi_options = Kpi.search_read([], ["name", "code", "unit", "kind"])
        if mode == "months":
            kpi_id = kpi_id or (kpi_options[0]["id"] if kpi_options else False)
            months = boards.month_window(month, PLAN_MONTHS_BEFORE, PLAN_MONTHS_AFTER)
            domain = self._scope([("date_from", "in", months), ("kpi_id", "=", kpi_id)], team_id, company_id)
            columns = [self._month_info(day, "LLL y") for day in months]

            def column_of(line):
                return periods.as_month(line["date_from"]).isoformat()

        else:
            mode = "kpis"
            domain = self._scope([("date_from", "=", month)], team_id, company_id)
            columns = None

            def column_of(line):
                return line["kpi_id"][0]

        lines = self.Line.search_read(domain, PLAN_LINE_FIELDS)
        if columns is None:
            columns = [
                {**kpi, "key": kpi["id"], "label": kpi["name"]}
                for kpi in self._kpis({column_of(line) for line in lines})
            ]
        employees = {line["employee_id"][0]: line["employee_id"][1] for line in lines}
        row_keys = sorted(employees, key=lambda employee: employees[employee].casefold())
        can_edit = self._is_team_leader()
        cells = boards.matrix(
            row_keys,
            [column["key"] for column in columns],
            (
                (
                    line["employee_id"][0],
                    column_of(line),
                    {
                        "line_id": line["id"],
                        "scorecard_id": _id(line["scorecard_id"]),
                        "target": line["target"],
                        "actual": line["actual"],
                        "zone": line["zone"],
                        "unit": line["unit"],
                        "state": line["state"],
                        "editable": can_edit and line["state"] == "open",
                    },
                )
                for line in lines
            ),
        )
        return {
            **self._navigation(month),
            **self._filters(month, team_id, company_id),
            "mode": mode,
            "kpi_id": kpi_id or False,
            "kpis": kpi_options,
            "columns": columns,
            "rows": [{"employee": {"id": key, "name": employees[key]}, "cells": cells[key]} for key in row_keys],
            "can_edit": can_edit,
            "currency": self._currency(False),
            "labels": self._labels(),
        }

    def copy_plan_to_next_month(self, month, team_id=None, company_id=None, kpi_id=None):
        """Copy the plans of the month's lines the caller sees to the next month, making its scorecards if needed.

        Lines of a closed scorecard of the next month keep their plan. Returns what was done, for a notification.
        """
        if not self._is_team_leader():
            raise AccessError(self.env._("Only team leaders can copy plans to the next month."))
        month = self._month(month)
        next_month = periods.next_month_start(month)
        domain = self._scope([("date_from", "=", month)], team_id, company_id)
        if kpi_id:
            domain.append(("kpi_id", "=", kpi_id))
        source = self.Line.search_fetch(domain, ["employee_id", "kpi_id", "target"])
        if not source:
            raise UserError(self.env._("There is no plan to copy in this month."))
        employees = source.employee_id
        existing = self.Scorecard.search_count([("date_from", "=", next_month), ("employee_id", "in", employees.ids)])
        self.Scorecard.generate(next_month, employees)
        plans = {(line.employee_id.id, line.kpi_id.id): line.target for line in source}
        targets = self.Line.search_fetch(
            [("date_from", "=", next_month), ("employee_id", "in", employees.ids), ("kpi_id", "in", source.kpi_id.ids)],
            ["employee_id", "kpi_id", "target", "state"],
        )
        by_value = defaultdict(lambda: self.Line)
        closed = 0
        for line in targets:
            plan = plans.get((line.employee_id.id, line.kpi_id.id))
            if plan is None:
                continue
            if line.state == "closed":
                closed += 1
            elif line.target != plan:
                by_value[plan] |= line
        for plan, lines in by_value.items():
            lines.write({"target": plan})
        created = self.Scorecard.search_count([("date_from", "=", next_month), ("employee_id", "in", employees.ids)])
        return {
            "month": self._month_info(next_month),
            "created": created - existing,
            "copied": sum(len(lines) for lines in by_value.values()),
            "closed": closed,
        }
