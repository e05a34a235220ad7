"""Data of the scorecard screen and the team board: the ORM side of :mod:`..engine.boards` (the plan grid's is
:mod:`.plan_grid`).

Every read goes through the ORM with the caller's access rights: record rules decide whose scorecards appear (a
sales person sees only their own card, a team leader their team's). Each need is one query whatever the number of
employees: the month's scorecards, their lines, the KPI definitions, the checklist answers, and one grouped read
over the previous months for the small charts. The web client (``static/src/screens``) gets plain JSON.

Only the names of the source model and fields of a KPI's definition are read as superuser: they are metadata that
sales people may not read directly (``ir.model``), and they say nothing about anybody's figures.

Live numbers: asked with ``refresh="stale"``, the scorecard screen and the team board first refresh the open
scorecards they show whose figures are older than :data:`STALE_AFTER` (``refresh="all"``: all of them, the *Refresh*
button), then read them. Only scorecards the caller may read are refreshed: they are those their read returned.
One employee's refresh is a handful of queries (one grouped query per KPI reading other records); a refresh that
cannot be done (e.g. a missing exchange rate) leaves the figures as they were and is reported with them.
"""

from collections import defaultdict
from datetime import timedelta

from babel.dates import format_date
from babel.numbers import format_decimal

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools.misc import get_lang

from ..engine import boards, periods, scoring
from .groups import TEAM_LEADER_GROUP

HISTORY_MONTHS = 6
# Figures of an open scorecard older than this are refreshed when a screen shows them.
STALE_AFTER = timedelta(minutes=5)
REFRESH_MODES = (False, None, "stale", "all")

EMPLOYEE_CARD_FIELDS = ["employee_id", "user_id", "state", "refreshed_on"]
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
    "can_open_records",
    "can_open_denominator",
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
    "refreshed_on",
]
BOARD_LINE_FIELDS = ["scorecard_id", "kpi_id", "target", "actual", "completion", "zone", "trend", "direction"]


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

    def _refresh(self, cards, refresh):
        """Refresh the open scorecards among ``cards`` (read by the caller) whose figures are stale, or all of them
        for ``refresh="all"``; returns what the screen says about their figures (see :meth:`_freshness`)."""
        if refresh not in REFRESH_MODES:
            raise UserError(self.env._("Unknown refresh mode %(mode)s: use stale or all.", mode=refresh))
        now = fields.Datetime.now()
        open_cards = [card for card in cards if card["state"] == "open"]
        if refresh == "all":
            due = open_cards
        elif refresh == "stale":
            due = [card for card in open_cards if not card["refreshed_on"] or now - card["refreshed_on"] >= STALE_AFTER]
        else:
            due = []
        error = False
        if due:
            scorecards = self.Scorecard.browse([card["id"] for card in due])
            try:
                with self.env.cr.savepoint():
                    scorecards.action_refresh()
            except UserError as refresh_error:
                error = str(refresh_error)
            else:
                refreshed_on = {scorecard.id: scorecard.refreshed_on for scorecard in scorecards}
                for card in due:
                    card["refreshed_on"] = refreshed_on[card["id"]]
        return self._freshness(open_cards, refreshed=bool(due) and not error, error=error)

    def _freshness(self, open_cards, refreshed=False, error=False):
        """When the figures of the open scorecards shown were collected: the oldest of them (``False`` when none
        is open: closed months never change), whether this call refreshed them, and why it could not."""
        if not open_cards:
            return False
        never = [card for card in open_cards if not card["refreshed_on"]]
        oldest = False if never else min(card["refreshed_on"] for card in open_cards)
        return {
            "refreshed_on": oldest and fields.Datetime.to_string(oldest),
            "stale_after_minutes": int(STALE_AFTER.total_seconds() // 60),
            "refreshed": refreshed,
            "error": error,
        }

    def _currency(self, currency_id):
        currency = self.env["res.currency"].browse(currency_id or self.env.company.currency_id.id)
        return {"id": currency.id, "symbol": currency.symbol, "position": currency.position, "name": currency.name}

    def _is_team_leader(self):
        return self.env.user.has_group(TEAM_LEADER_GROUP)

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
    def screen(self, employee_id=None, month=None, refresh=False):
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
            "freshness": False,
        }
        if chosen:
            result["employee"] = {"id": chosen["employee_id"][0], "name": chosen["employee_id"][1]}
            result["freshness"] = self._refresh([chosen], refresh)
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
    def team_board(self, month=None, team_id=None, company_id=None, refresh=False):
        month = self._month(month)
        domain = self._scope([("date_from", "=", month)], team_id, company_id)
        cards = self.Scorecard.search_read(domain, BOARD_CARD_FIELDS)
        freshness = self._refresh(cards, refresh)
        if freshness and freshness["refreshed"]:
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
            "freshness": freshness,
        }
