"""Benchmark: Olimp KPI scorecards side by side with Odoo's gamification, and follow-ups at scale.

    $ODOO_PYTHON tests/benchmark/run.py --db bn_big                      # on a database made by generate.py
    $ODOO_PYTHON tests/benchmark/run.py --smoke                           # tiny database, made and dropped

What one run measures, on one database and one month (the last month of the generated data):

1. our refresh of all the month's scorecards (8 KPIs) with ``olimp.kpi.scorecard.action_refresh()``; the month
   before has its scorecards, closed (made and closed once, in the set-up), so that the trend reads their frozen
   figures, as it does in a company that closes its months;
2. the same 8 measures computed by ``gamification``: one goal definition per KPI (same model, date field, user
   field, domain; ``count`` or ``sum``; batch mode), one challenge over the same users and month, goals computed
   with ``gamification.goal.update_goal()``, the method the challenge cron runs on them; then the cron's own path,
   ``challenge._update_all()``, and, for reference, ``update_goal()`` with batch mode off (gamification's default);
3. both again on the first 100 / 300 / 1,000 employees (``--sizes``), to show how cost grows;
4. when ``olimp_followup`` is installed (skipped with a message otherwise), rolled back afterwards:

   a. the confirmation of the same orders (``sale.order.action_confirm()``, in batches) without and with the
      default regulation (five steps), side by side: Odoo's own cost, then ours on top of it;
   b. a month of the company's orders (the generator's confirmed orders of the benchmark month, day by day in date
      order) through the regulation: how many follow-ups and activities, and never two open follow-ups of a step
      for one customer.

Each measure starts from the same state: the results of the previous run are reset with SQL (our lines and
scorecards to zero, the goals to the value gamification gives a new goal), the ORM cache is flushed and emptied,
then wall time (``time.perf_counter``), SQL queries (``cr.sql_log_count``) and CPU time (the Odoo process's and its
PostgreSQL backend's) are taken around the call, final flush included. Our runs and gamification's alternate, so
that on a shared machine both see the same load. Both sides then hold the actuals of every (user, KPI): they are
compared one by one, so that the speed comparison is one of equal work.
"""

import argparse
import ast
import datetime
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import odoo_env

CATALOGUE = ["MEETINGS", "NEW_OPPS", "NEW_OPPS_AMOUNT", "SALES", "NEW_CUSTOMERS", "RECEIVABLES"]
# Two more measures on the generated data, both of a kind gamification supports (count, sum).
BENCH_KPIS = [
    {
        "code": "BENCH_ORDERS",
        "name": "Confirmed orders",
        "model": "sale.order",
        "aggregation": "count",
        "date_field": "date_order",
        "user_field": "user_id",
        "domain": '[("state", "=", "sale")]',
        "unit": "count",
    },
    {
        "code": "BENCH_WON_REVENUE",
        "name": "Revenue of won opportunities",
        "model": "crm.lead",
        "aggregation": "sum",
        "measure": "expected_revenue",
        "date_field": "date_closed",
        "user_field": "user_id",
        "domain": '[("type", "=", "opportunity"), ("stage_id.is_won", "=", True)]',
        "unit": "amount",
    },
]
TARGETS = {
    "MEETINGS": 10,
    "NEW_OPPS": 5,
    "NEW_OPPS_AMOUNT": 1_000_000,
    "SALES": 500_000,
    "NEW_CUSTOMERS": 3,
    "RECEIVABLES": 100_000,
    "BENCH_ORDERS": 20,
    "BENCH_WON_REVENUE": 200_000,
}
PROFILE_NAME = "Benchmark: 8 KPIs"
DEFINITION_PREFIX = "Benchmark: "
FOLLOWUP_RULE_PREFIX = "Benchmark step "
# The default regulation (olimp_followup's data); made under these names when a database lacks it.
FOLLOWUP_STEPS = [("feedback", 3), ("support", 14), ("needs", 30), ("offer", 60), ("reorder", 80)]


class Rollback(Exception):
    """Raised to undo a part of the benchmark that must leave no trace (follow-ups)."""


def log(message=""):
    print(message, flush=True)


# -- measuring ----------------------------------------------------------------------------------------------------
def backend_cpu(env):
    """CPU seconds used so far by the PostgreSQL backend of ``env``'s connection (Linux ``/proc``), or ``None``.

    On a machine shared with other work, wall time measures the others too; the CPU time of the Odoo process and of
    its database backend is what the work itself costs (parallel query workers are not counted).
    """
    try:
        pid = env.cr._cnx.get_backend_pid()
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure(env, function):
    """Wall time, SQL queries and CPU seconds (Odoo and PostgreSQL) of ``function()``, from an empty ORM cache,
    final flush included."""
    env.flush_all()
    env.invalidate_all()
    gc.collect()
    queries = env.cr.sql_log_count
    database = backend_cpu(env)
    cpu = time.process_time()
    started = time.perf_counter()
    function()
    env.flush_all()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if database is not None:
        database = backend_cpu(env) - database
    return elapsed, env.cr.sql_log_count - queries, (cpu, database)


def summarize(runs, **info):
    """Medians of measures ``(wall, queries, (cpu, database cpu))``, with the runs themselves."""
    cpu = [run[2][0] for run in runs]
    database = [run[2][1] for run in runs if run[2][1] is not None]
    return {
        **info,
        "seconds": statistics.median(run[0] for run in runs),
        "runs": [run[0] for run in runs],
        "queries": int(statistics.median(run[1] for run in runs)),
        "cpu_seconds": statistics.median(cpu),
        "database_cpu_seconds": statistics.median(database) if database else None,
    }


# -- set-up ---------------------------------------------------------------------------------------------------------
class Bench:
    """The benchmark's records in one database: KPIs, scorecards, gamification challenge and goals."""

    def __init__(self, env, month):
        self.env = env
        self.month = month
        self.month_end = generate.add_months(month, 1) - datetime.timedelta(days=1)

    def setup(self):
        env = self.env
        self.kpis = self._kpis()
        self.employees = (
            env["hr.employee"]
            .search([("user_id.login", "=like", "bench.seller.%")])
            .sorted(lambda emp: emp.user_id.login)
        )
        if not self.employees:
            raise SystemExit(f"{env.cr.dbname}: no benchmark salespeople; run tests/benchmark/generate.py first")
        profile = self._profile()
        todo = self.employees.filtered(lambda emp: emp.olimp_kpi_profile_id != profile)
        if todo:
            todo.write({"olimp_kpi_profile_id": profile.id})
        started = time.perf_counter()
        Scorecard = env["olimp.kpi.scorecard"].with_context(tracking_disable=True, mail_create_nolog=True)
        existing = Scorecard.search_count([("employee_id", "in", self.employees.ids), ("date_from", "=", self.month)])
        scorecards = Scorecard.generate(self.month, self.employees)
        by_employee = {sc.employee_id.id: sc for sc in scorecards}
        self.scorecards = Scorecard.browse([by_employee[emp.id].id for emp in self.employees])
        self.setup_times = {}
        if existing < len(self.scorecards):
            self.setup_times["olimp: generate scorecards"] = time.perf_counter() - started
        # The month before, closed: its figures are the trend's previous month.
        previous = Scorecard.generate(generate.add_months(self.month, -1), self.employees)
        todo = previous.filtered(lambda sc: sc.state == "open")
        if todo:
            started = time.perf_counter()
            todo.action_close()
            self.setup_times["olimp: close the month before (with the records counted)"] = time.perf_counter() - started
        self.users = self.employees.user_id
        self.definitions = self._definitions()
        self.challenge, elapsed = self._challenge()
        if elapsed:
            self.setup_times["gamification: generate goals (challenge start)"] = elapsed
        goals = env["gamification.goal"].search([("challenge_id", "=", self.challenge.id)])
        goals_by_user = {}
        for goal in goals:
            goals_by_user.setdefault(goal.user_id.id, []).append(goal.id)
        self.goal_ids_by_user = goals_by_user
        env.cr.commit()  # the set-up is kept: the next run reuses it
        return self

    def _kpis(self):
        Kpi = self.env["olimp.kpi"].with_context(active_test=False)
        kpis = []
        for code in CATALOGUE:
            kpi = Kpi.search([("code", "=", code)], limit=1)
            if not kpi:
                raise SystemExit(f"KPI {code} of the default catalogue is missing")
            kpis.append(kpi)
        for spec in BENCH_KPIS:
            kpi = Kpi.search([("code", "=", spec["code"])], limit=1)
            if not kpi:
                fields = self.env["ir.model.fields"]
                kpi = Kpi.create(
                    {
                        "name": spec["name"],
                        "code": spec["code"],
                        "kind": "quantitative",
                        "unit": spec["unit"],
                        "model_id": self.env["ir.model"]._get_id(spec["model"]),
                        "aggregation": spec["aggregation"],
                        "measure_field_id": fields._get(spec["model"], spec["measure"]).id
                        if spec.get("measure")
                        else False,
                        "date_field_id": fields._get(spec["model"], spec["date_field"]).id,
                        "user_field_id": fields._get(spec["model"], spec["user_field"]).id,
                        "domain": spec["domain"],
                        "company_id": False,
                    }
                )
            kpis.append(kpi)
        return self.env["olimp.kpi"].concat(*kpis)

    def _profile(self):
        Profile = self.env["olimp.kpi.profile"]
        profile = Profile.search([("name", "=", PROFILE_NAME)], limit=1)
        if not profile:
            profile = Profile.create(
                {
                    "name": PROFILE_NAME,
                    "line_ids": [
                        (0, 0, {"kpi_id": kpi.id, "target": TARGETS[kpi.code], "weight": 1.0, "sequence": index})
                        for index, kpi in enumerate(self.kpis)
                    ],
                }
            )
        return profile

    def _definitions(self):
        """One gamification goal definition per KPI: same source, same conditions, batch mode."""
        Definition = self.env["gamification.goal.definition"]
        definitions = {}
        for kpi in self.kpis:
            name = DEFINITION_PREFIX + kpi.code
            definition = Definition.search([("name", "=", name)], limit=1)
            if not definition:
                definition = Definition.create(
                    {
                        "name": name,
                        "computation_mode": "count" if kpi.aggregation == "count" else "sum",
                        "monetary": kpi.unit == "amount",
                        "model_id": kpi.model_id.id,
                        "field_id": kpi.measure_field_id.id if kpi.aggregation == "sum" else False,
                        # A balance is not the records of the month: its date bound goes into the conditions.
                        "field_date_id": kpi.date_field_id.id if kpi.period_mode == "flow" else False,
                        "domain": self._goal_domain(kpi),
                        "condition": kpi.direction,
                        "batch_mode": True,
                        "batch_distinctive_field": kpi.user_field_id.id,
                        "batch_user_expression": "user.id",
                    }
                )
            definitions[kpi.id] = definition
        return definitions

    def _goal_domain(self, kpi, prefix=()):
        """The KPI's conditions for gamification, with the bounds our engine adds to them: a balance counts the
        records dated up to the month's end (gamification's date field would take the month's only), and a KPI
        that counts only what has happened leaves out the records dated after now."""
        domain = [*prefix, *ast.literal_eval(kpi.domain or "[]")]
        field = kpi.date_field_id
        if field and kpi.period_mode == "balance":
            domain.append((field.name, "<", generate.add_months(self.month, 1).isoformat()))
        if field and kpi.exclude_future and self.month_end >= datetime.date.today():
            domain.append((field.name, "<", datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")))
        return repr(domain)

    def _challenge(self):
        """A challenge over the benchmark users for the benchmark month (period 'once' with the month's dates)."""
        Challenge = self.env["gamification.challenge"].with_context(tracking_disable=True, mail_create_nolog=True)
        name = f"Benchmark {self.month:%Y-%m}"
        challenge = Challenge.search([("name", "=", name)], limit=1)
        if challenge:
            return challenge, 0.0
        challenge = Challenge.create(
            {
                "name": name,
                "period": "once",
                "start_date": self.month,
                "end_date": self.month_end,
                "user_domain": False,
                "user_ids": [(6, 0, self.users.ids)],
                "visibility_mode": "personal",
                "report_message_frequency": "never",
                "reward_realtime": False,
                "line_ids": [
                    (0, 0, {"definition_id": self.definitions[kpi.id].id, "target_goal": TARGETS[kpi.code]})
                    for kpi in self.kpis
                ],
            }
        )
        started = time.perf_counter()
        challenge.action_start()  # creates the goals (one create per goal) and computes them once
        self.env.flush_all()
        return challenge, time.perf_counter() - started

    # -- resets: every measure starts from the same state -------------------------------------------------------
    def reset_ours(self, scorecards):
        from odoo.tools import SQL  # noqa: PLC0415

        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE olimp_kpi_scorecard_line
                      SET actual = 0, previous_actual = 0, completion = 0, score = 0, zone = 'none', trend = 'flat',
                          trend_reference = 0, trend_basis = 'none', numerator_actual = 0, denominator_actual = 0,
                          actual_overdue = 0, measured_on = NULL, record_ids = NULL, denominator_record_ids = NULL,
                          records_stored_on = NULL
                    WHERE scorecard_id = ANY(%s)""",
                scorecards.ids,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE olimp_kpi_scorecard
                      SET efficiency = 0, counted_line_count = 0, red_count = 0, yellow_count = 0, green_count = 0,
                          previous_efficiency = 0, efficiency_trend = 'flat', refreshed_on = NULL,
                          efficiency_reference = 0, trend_basis = 'none', working_days = 0, elapsed_working_days = 0
                    WHERE id = ANY(%s)""",
                scorecards.ids,
            )
        )
        self._settle(["olimp_kpi_scorecard_line", "olimp_kpi_scorecard"])

    def _settle(self, tables):
        """Commit a reset and vacuum what it touched, as autovacuum would: the measure that follows then starts
        from a steady table, not from rows the same transaction just rewrote (whose foreign keys PostgreSQL checks
        again on every update)."""
        from odoo.sql_db import db_connect  # noqa: PLC0415
        from odoo.tools import SQL  # noqa: PLC0415

        self.env.cr.commit()
        self.env.invalidate_all()
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr._cnx.autocommit = True
            for table in tables:
                cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))

    def reset_goals(self, goal_ids):
        """Goals back to the state ``_generate_goals_from_challenge`` gives a new goal."""
        from odoo.tools import SQL  # noqa: PLC0415

        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE gamification_goal AS goal
                      SET current = CASE WHEN def.condition = 'higher' THEN LEAST(goal.target_goal - 1, 0)
                                         ELSE GREATEST(goal.target_goal + 1, 0) END,
                          state = 'inprogress', closed = FALSE, last_update = NULL
                     FROM gamification_goal_definition AS def
                    WHERE def.id = goal.definition_id AND goal.id = ANY(%s)""",
                goal_ids,
            )
        )
        self._settle(["gamification_goal"])

    def goal_ids(self, users):
        return [goal_id for user in users for goal_id in self.goal_ids_by_user.get(user.id, [])]

    # -- the measures -------------------------------------------------------------------------------------------
    def run_ours_once(self, count):
        scorecards = self.scorecards[:count]
        self.reset_ours(scorecards)
        return measure(self.env, scorecards.action_refresh)

    def run_gamification_once(self, count):
        goal_ids = self.goal_ids(self.employees[:count].user_id)
        self.reset_goals(goal_ids)
        return measure(self.env, self.env["gamification.goal"].browse(goal_ids).update_goal)

    def run_both(self, count, repeat=1, gamification_repeat=1, gamification=True):
        """Our refresh and gamification's batch mode, one run of each in turn: on a shared machine both then see
        the same load. Returns ``(ours, gamification)`` summaries (medians), gamification's ``None`` if skipped."""
        ours, theirs = [], []
        for index in range(max(repeat, gamification_repeat if gamification else 0)):
            if index < repeat:
                ours.append(self.run_ours_once(count))
            if gamification and index < gamification_repeat:
                theirs.append(self.run_gamification_once(count))
        queries = {run[1] for run in ours}
        if len(queries) != 1:
            raise AssertionError(f"our query count changed between identical runs: {sorted(queries)}")
        mine = summarize(ours, employees=len(self.scorecards[:count]))
        if not gamification:
            return mine, None
        goals = len(self.goal_ids(self.employees[:count].user_id))
        return mine, summarize(theirs, employees=len(self.employees[:count]), goals=goals)

    def run_gamification_cron(self):
        """The path of the challenge cron: ``challenge._update_all()``.

        It computes the goals of participants seen online since their goals were last written (``bus_presence``)
        with ``update_goal()``, then looks for goals to create, reports and rewards. Every participant is marked
        online first, and the challenge as reported today, so that all goals are computed and no report is sent.
        """
        from odoo.tools import SQL  # noqa: PLC0415

        goal_ids = self.goal_ids(self.users)
        self.reset_goals(goal_ids)
        self.env.cr.execute(
            SQL(
                """INSERT INTO bus_presence (user_id, status, last_poll, last_presence)
                   SELECT user_id, 'online', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                     FROM unnest(%s::int[]) AS user_id
                   ON CONFLICT (user_id) WHERE user_id IS NOT NULL
                   DO UPDATE SET status = 'online', last_poll = EXCLUDED.last_poll,
                                 last_presence = EXCLUDED.last_presence""",
                self.users.ids,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE gamification_challenge SET last_report_date = %s WHERE id = %s",
                datetime.date.today(),
                self.challenge.id,
            )
        )
        self.env.cr.commit()
        return summarize(
            [measure(self.env, self.challenge._update_all)], employees=len(self.users), goals=len(goal_ids)
        )

    def run_gamification_per_user(self):
        """Gamification without batch mode, its default for a new goal definition: one query per goal.

        The definitions are switched (domain with ``user.id``, batch mode off) inside a savepoint rolled back
        afterwards; the values are compared before the rollback.
        """
        goal_ids = self.goal_ids(self.users)
        self.reset_goals(goal_ids)
        result = {}
        try:
            with self.env.cr.savepoint():
                for kpi in self.kpis:
                    domain = self._goal_domain(kpi)
                    self.definitions[kpi.id].write(
                        {
                            "batch_mode": False,
                            "domain": f"[({kpi.user_field_id.name!r}, '=', user.id)] + {domain}",
                        }
                    )
                goals = self.env["gamification.goal"].browse(goal_ids)
                result = summarize(
                    [measure(self.env, goals.update_goal)], employees=len(self.users), goals=len(goal_ids)
                )
                result["check"] = self.compare(len(self.users))
                raise Rollback
        except Rollback:
            pass
        self.env.invalidate_all()
        return result

    def compare(self, count):
        """Actual of every (user, KPI) on both sides; returns the number compared, differing and non-zero."""
        from odoo.tools import SQL  # noqa: PLC0415

        self.env.flush_all()
        users = self.employees[:count].user_id
        ours = {
            (user_id, kpi_id): actual
            for user_id, kpi_id, actual in self.env.execute_query(
                SQL(
                    """SELECT line.user_id, line.kpi_id, line.actual FROM olimp_kpi_scorecard_line AS line
                        WHERE line.scorecard_id = ANY(%s) AND line.kind = 'quantitative'""",
                    self.scorecards[:count].ids,
                )
            )
        }
        kpi_of_definition = {definition.id: kpi_id for kpi_id, definition in self.definitions.items()}
        theirs = {
            (user_id, kpi_of_definition[definition_id]): current
            for user_id, definition_id, current in self.env.execute_query(
                SQL(
                    "SELECT user_id, definition_id, current FROM gamification_goal WHERE id = ANY(%s)",
                    self.goal_ids(users),
                )
            )
        }
        # Batch mode writes only the goals of users that have records: the others keep the value a new goal
        # starts with (0 for "higher is better", target + 1 for "lower is better"). Such a goal agrees with an
        # actual of 0; it is counted apart so that the report shows it.
        untouched = {
            (user_id, kpi_of_definition[definition_id]): initial
            for user_id, definition_id, initial in self.env.execute_query(
                SQL(
                    """SELECT goal.user_id, goal.definition_id,
                              CASE WHEN def.condition = 'higher' THEN LEAST(goal.target_goal - 1, 0)
                                   ELSE GREATEST(goal.target_goal + 1, 0) END
                         FROM gamification_goal AS goal
                         JOIN gamification_goal_definition AS def ON def.id = goal.definition_id
                        WHERE goal.id = ANY(%s)""",
                    self.goal_ids(users),
                )
            )
        }
        codes = {kpi.id: kpi.code for kpi in self.kpis}
        differing = []
        left_untouched = 0
        for key, actual in sorted(ours.items()):
            other = theirs.get(key)
            if other is not None and abs(actual - other) <= 0.01 + 1e-9 * abs(actual):
                continue
            if not actual and other == untouched.get(key):
                left_untouched += 1
                continue
            differing.append((key[0], codes[key[1]], actual, other))
        per_kpi = {
            codes[kpi_id]: sum(1 for (__, kid), value in ours.items() if kid == kpi_id and value) for kpi_id in codes
        }
        return {
            "compared": len(ours),
            "differing": len(differing),
            "zero_left_at_initial_value": left_untouched,
            "examples": differing[:10],
            "non_zero_per_kpi": per_kpi,
        }


# -- follow-ups ---------------------------------------------------------------------------------------------------
def run_followups(env, orders, batch, baseline=True, month=None, repeat=3):
    """Part 4, rolled back afterwards: ``orders`` orders confirmed without and with the regulation, and a month of
    the generator's orders (``month``) through it."""
    if "olimp.followup" not in env:
        return {"skipped": "olimp_followup is not installed in this database: part 4 skipped"}
    result = {}
    try:
        with env.cr.savepoint():
            rules = _regulation(env)
            if orders:
                result = _confirmations(env, rules, orders, batch, baseline, repeat)
            if month:
                result["month"] = _followup_month(env, rules, month)
            raise Rollback
    except Rollback:
        pass
    env.invalidate_all()
    return result


def _regulation(env):
    """The default regulation's steps triggered by a confirmation, active, and no other rule of that trigger."""
    Rule = env["olimp.followup.rule"].with_context(active_test=False)
    rules = Rule
    for task_type, delay in FOLLOWUP_STEPS:
        rule = env.ref(f"olimp_followup.rule_{task_type}", raise_if_not_found=False)
        if not rule:
            vals = {
                "name": f"{FOLLOWUP_RULE_PREFIX}{task_type}",
                "trigger": "order_confirmed",
                "delay_days": delay,
                "task_type": task_type,
                "responsible": "order_salesperson",
                "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                "company_id": False,
            }
            rule = Rule.create({key: value for key, value in vals.items() if key in Rule._fields})
        rules |= rule
    (Rule.search([("trigger", "=", "order_confirmed"), ("active", "=", True)]) - rules).write({"active": False})
    rules.write({"active": True})
    return rules


def _confirmations(env, rules, count, batch, baseline, repeat):
    """The same draft orders confirmed from the same state, in savepoints, ``repeat`` times each way, alternately
    (without the rules, then with them: neither side always runs first on a warmer cache); medians reported."""
    users = env["res.users"].search([("login", "=like", "bench.seller.%")], order="id")
    customers = env["res.partner"].search([("name", "=like", "Bench Customer %")], limit=2000, order="id")
    product = env["product.product"].create({"name": "Benchmark service", "type": "service", "list_price": 100.0})
    Order = env["sale.order"].with_context(mail_create_nolog=True)
    orders = Order
    for first in range(0, count, 500):
        orders |= Order.create(
            [
                {
                    "partner_id": customers[index % len(customers)].id,
                    "user_id": users[index % len(users)].id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 100})],
                }
                for index in range(first, min(first + 500, count))
            ]
        )
    env.flush_all()

    def confirm(subset):
        # Each batch as its request would end before its commit: flushed, and its pre-commit hooks run (the chatter's
        # tracking of the orders), so that both measures count the same work.
        for first in range(0, len(subset), batch):
            subset[first : first + batch].action_confirm()
            env.cr.flush()

    def measured(active, subset):
        """Confirm ``subset`` with the rules active or not; measured, then undone."""
        rules.write({"active": active})
        outcome = {}
        try:
            with env.cr.savepoint():
                seconds, queries = measure(env, lambda: confirm(subset))[:2]  # wall time and queries
                outcome = {"orders": len(subset), "seconds": seconds, "queries": queries}
                if active:
                    outcome.update(_check_followups(env, rules, subset))
                raise Rollback
        except Rollback:
            pass
        env.invalidate_all()
        return outcome

    # Warm-up (caches of Odoo and PostgreSQL, both ways), then each measure from the same state.
    warm = orders[: min(50, len(orders))]
    measured(False, warm)
    measured(True, warm)
    runs, base_runs = [], []
    for __ in range(max(repeat, 1)):
        if baseline:
            base_runs.append(measured(False, orders))
        runs.append(measured(True, orders))
    rules.write({"active": True})
    result = dict(runs[-1], seconds=statistics.median(run["seconds"] for run in runs))
    result.update({"rules": len(rules), "batch": batch, "runs": [run["seconds"] for run in runs]})
    if baseline:
        base = dict(base_runs[-1], seconds=statistics.median(run["seconds"] for run in base_runs))
        base["runs"] = [run["seconds"] for run in base_runs]
        result["baseline"] = base
        result["ratio"] = result["seconds"] / base["seconds"] if base["seconds"] else None
        result["scheduling_seconds"] = result["seconds"] - base["seconds"]
        result["scheduling_queries"] = result["queries"] - base["queries"]
    return result


def _check_followups(env, rules, orders):
    """What the regulation made of ``orders``: follow-ups, activities, open duplicates, orders left out."""
    from odoo.tools import SQL  # noqa: PLC0415

    env.flush_all()
    partners = orders.partner_id.commercial_partner_id
    # The follow-ups about these orders: those they started and those they joined (not the customers' history).
    rows = env.execute_query(
        SQL(
            """SELECT count(*) FILTER (WHERE state = 'planned'),
                      count(*) FILTER (WHERE state = 'cancelled' AND cancel_reason = 'new_order'),
                      count(activity_id),
                      count(*),
                      count(*) FILTER (WHERE order_id = ANY(%(orders)s))
                 FROM olimp_followup
                WHERE rule_id = ANY(%(rules)s)
                  AND id IN (SELECT followup_id FROM olimp_followup_sale_order_rel WHERE order_id = ANY(%(orders)s))""",
            rules=rules.ids,
            orders=orders.ids,
        )
    )
    planned, ended, activities, total, started = rows[0]
    duplicates = env.execute_query(
        SQL(
            """SELECT count(*) FROM (
                   SELECT 1 FROM olimp_followup WHERE state = 'planned' AND rule_id = ANY(%s) AND partner_id = ANY(%s)
                    GROUP BY rule_id, partner_id, company_id HAVING count(*) > 1) AS duplicate""",
            rules.ids,
            partners.ids,
        )
    )[0][0]
    # Every order in a follow-up of every rule that matches it (the default regulation has no conditions).
    covered = env.execute_query(
        SQL(
            """SELECT count(DISTINCT (followup.rule_id, rel.order_id))
                 FROM olimp_followup_sale_order_rel AS rel
                 JOIN olimp_followup AS followup ON followup.id = rel.followup_id
                WHERE followup.rule_id = ANY(%s) AND rel.order_id = ANY(%s)""",
            rules.ids,
            orders.ids,
        )
    )[0][0]
    return {
        "followups": total,
        "started": started,
        "planned": planned,
        "ended": ended,
        "with_activity": activities,
        "customers": len(partners),
        "open_duplicates": duplicates,
        "uncovered": len(orders) * len(rules) - covered,
    }


def _followup_month(env, rules, month):
    """The generator's confirmed orders of ``month`` through the regulation, one batch per day in date order."""
    from odoo.tools import SQL  # noqa: PLC0415

    rules.write({"active": True})
    end = generate.add_months(month, 1)
    rows = env.execute_query(
        SQL(
            """SELECT id, date_order::date FROM sale_order
                WHERE state = 'sale' AND date_order >= %s AND date_order < %s ORDER BY date_order, id""",
            month,
            end,
        )
    )
    days = {}
    for order_id, day in rows:
        days.setdefault(day, []).append(order_id)
    Followup = env["olimp.followup"]
    Order = env["sale.order"]

    def replay():
        for day, order_ids in sorted(days.items()):
            Followup._schedule_orders("order_confirmed", Order.browse(order_ids), dict.fromkeys(order_ids, day))
            env.flush_all()
            env.invalidate_all()

    seconds, queries = measure(env, replay)[:2]
    result = {"orders": len(rows), "days": len(days), "seconds": seconds, "queries": queries}
    result.update(_check_followups(env, rules, Order.browse([order_id for order_id, __ in rows])))
    return result


# -- report -------------------------------------------------------------------------------------------------------
def machine():
    info = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
    try:
        with open("/proc/meminfo") as meminfo:
            info["memory_gb"] = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as cpuinfo:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    except OSError:
        pass
    return info


def report(results):
    main, gami = results["ours"], results["gamification"]
    kpis = results["kpis"]
    log()
    log(f"== Scorecards: {main['employees']:,} employees x {len(kpis)} KPIs, month {results['month']}")
    log(f"   source records: {results['source_records']:,}")
    rows = [("gamification update_goal(), batch mode", gami)]
    labels = {
        "cron": "gamification cron path _update_all(), batch",
        "per_user": "gamification update_goal(), no batch mode",
    }
    rows += [(labels[key], value) for key, value in results["gamification_variants"].items()]
    log(f"   {'':<46}{'wall (s)':>10}{'queries':>10}{'time ratio':>12}{'query ratio':>12}")
    log(f"   {'Olimp refresh, action_refresh()':<46}{main['seconds']:>10.3f}{main['queries']:>10,}")
    for label, row in rows:
        log(
            f"   {label:<46}{row['seconds']:>10.3f}{row['queries']:>10,}"
            f"{row['seconds'] / main['seconds']:>11.1f}x{row['queries'] / main['queries']:>11.1f}x"
        )
    log("   (ratios: gamification / ours)")
    if main.get("database_cpu_seconds") is not None and gami.get("database_cpu_seconds") is not None:
        mine = main["cpu_seconds"] + main["database_cpu_seconds"]
        theirs = gami["cpu_seconds"] + gami["database_cpu_seconds"]
        log(
            f"   CPU seconds, Odoo + PostgreSQL: ours {main['cpu_seconds']:.3f} + {main['database_cpu_seconds']:.3f}, "
            f"gamification {gami['cpu_seconds']:.3f} + {gami['database_cpu_seconds']:.3f}: {theirs / mine:.1f}x"
        )
    check = results["check"]
    log(
        f"   values: {check['compared']:,} (user, KPI) actuals compared, {check['differing']} differ "
        f"({check['zero_left_at_initial_value']} zero actuals that gamification's batch mode leaves at the new "
        f"goal's value); non-zero per KPI: {check['non_zero_per_kpi']}"
    )
    for example in check["examples"]:
        log(f"     differs: user {example[0]} {example[1]}: ours {example[2]} gamification {example[3]}")
    for key, variant in results["gamification_variants"].items():
        other = variant.get("check")
        if other:
            log(f"   values, {labels[key]}: {other['compared']:,} compared, {other['differing']} differ")
    log()
    log("== Scaling")
    log(f"   {'employees':>10}{'ours (s)':>10}{'queries':>9}{'gamif. (s)':>12}{'queries':>9}{'ratio':>8}")
    for row in results["scaling"]:
        gam = row.get("gamification") or {}
        ratio = f"{gam['seconds'] / row['seconds']:>7.1f}x" if gam else ""
        log(
            f"   {row['employees']:>10,}{row['seconds']:>10.3f}{row['queries']:>9,}"
            f"{gam.get('seconds', float('nan')):>12.3f}{gam.get('queries', 0):>9,}{ratio:>8}"
        )
    log(f"   our query count at every size: {sorted({row['queries'] for row in results['scaling']})}")
    log()
    log("== Follow-ups")
    follow = results["followups"]
    if follow.get("skipped"):
        log(f"   {follow['skipped']}")
    if follow.get("orders"):
        log(
            f"   {follow['orders']:,} orders of {follow['customers']:,} customers confirmed (action_confirm in batches "
            f"of {follow['batch']}) with the default regulation ({follow['rules']} steps): {follow['seconds']:.2f} s, "
            f"{follow['queries']:,} queries (median of {', '.join(f'{s:.2f}' for s in follow['runs'])})"
        )
        log(
            f"     {follow['followups']:,} follow-ups ({follow['planned']:,} planned, {follow['ended']:,} ended by a "
            f"later order), {follow['with_activity']:,} activities now; {follow['open_duplicates']} open duplicates, "
            f"{follow['uncovered']} (order, step) left out"
        )
        if "baseline" in follow:
            base = follow["baseline"]
            log(
                f"   the same orders confirmed without the regulation (Odoo alone): {base['seconds']:.2f} s, "
                f"{base['queries']:,} queries (median of {', '.join(f'{s:.2f}' for s in base['runs'])}); "
                f"with it: {follow['ratio']:.2f}x the time "
                f"(+{follow['scheduling_seconds']:.2f} s, +{follow['scheduling_queries']:,} queries)"
            )
    month = follow.get("month")
    if month:
        log(
            f"   a month of the company's orders through the regulation: {month['orders']:,} orders of "
            f"{month['customers']:,} customers in {month['days']} daily batches, {month['seconds']:.2f} s, "
            f"{month['queries']:,} queries"
        )
        log(
            f"     {month['followups']:,} follow-ups ({month['planned']:,} planned, {month['ended']:,} ended by a "
            f"later order) instead of {month['orders'] * 5:,} (one per order and step), {month['with_activity']:,} "
            f"activities; {month['open_duplicates']} open duplicates, {month['uncovered']} (order, step) left out"
        )
    if results.get("setup"):
        log()
        log("== One-off set-up (not compared)")
        for label, seconds in results["setup"].items():
            log(f"   {label:<48}{seconds:>8.1f} s")


def run(env, options):
    params = env["ir.config_parameter"].sudo()
    month_text = params.get_param(generate.PARAM_MONTH)
    if not month_text:
        raise SystemExit(f"{env.cr.dbname}: no benchmark data; run tests/benchmark/generate.py first")
    month = datetime.date.fromisoformat(month_text)
    bench = Bench(env, month).setup()
    total = len(bench.scorecards)
    sizes = sorted({min(size, total) for size in options.sizes} | {total})
    log(f"{env.cr.dbname}: {total:,} scorecards of {month:%Y-%m}, KPIs {', '.join(bench.kpis.mapped('code'))}")

    bench.run_both(total)  # warm-up: database pages and Odoo's caches of metadata, for both sides
    ours, gamification = bench.run_both(total, options.repeat, options.gamification_repeat)
    log(f"ours: {ours['seconds']:.3f} s, {ours['queries']} queries")
    log(f"gamification update_goal: {gamification['seconds']:.3f} s, {gamification['queries']} queries")
    check = bench.compare(total)
    variants = {}
    if options.gamification_cron:
        variants["cron"] = bench.run_gamification_cron()
        variants["cron"]["check"] = bench.compare(total)
        log(f"gamification _update_all: {variants['cron']['seconds']:.3f} s, {variants['cron']['queries']} queries")
    if options.gamification_per_user:
        variants["per_user"] = bench.run_gamification_per_user()
        per_user = variants["per_user"]
        log(f"gamification without batch mode: {per_user['seconds']:.3f} s, {per_user['queries']} queries")

    scaling = []
    for size in sizes:
        if size == total:
            row, theirs = dict(ours), gamification
        else:
            row, theirs = bench.run_both(
                size, options.repeat, options.gamification_repeat, options.gamification_scaling
            )
            row = dict(row)
        if options.gamification_scaling:
            row["gamification"] = theirs
        scaling.append(row)
        log(f"scaling {size}: {row['seconds']:.3f} s, {row['queries']} queries")
    env.cr.commit()

    follow = (
        run_followups(
            env,
            options.followup_orders,
            options.followup_batch,
            options.followup_baseline,
            month if options.followup_month else None,
            options.followup_repeat,
        )
        if options.followup_orders or options.followup_month
        else {"skipped": "--followup-orders 0 --no-followup-month"}
    )
    counts = json.loads(params.get_param("olimp_bench.counts") or "{}")
    results = {
        "database": env.cr.dbname,
        "month": month.isoformat(),
        "kpis": bench.kpis.mapped("code"),
        "source_records": sum(count for label, count in counts.items() if label != "salespeople"),
        "records": counts,
        "ours": ours,
        "gamification": gamification,
        "gamification_variants": variants,
        "check": check,
        "scaling": scaling,
        "followups": follow,
        "setup": bench.setup_times,
        "machine": machine(),
    }
    report(results)
    log(f"   load average at the end: {', '.join(f'{value:.2f}' for value in os.getloadavg())} ({os.cpu_count()} CPUs)")
    return results


def verify(results):
    """The smoke test's conditions: values agree, query counts are equal at every size, follow-ups all made."""
    problems = []
    check = results["check"]
    if check["differing"]:
        problems.append(f"{check['differing']} actuals differ between our engine and gamification")
    if not any(check["non_zero_per_kpi"].values()):
        problems.append("every actual is zero: the comparison proves nothing")
    for key, variant in results["gamification_variants"].items():
        if variant.get("check", {}).get("differing"):
            problems.append(f"{variant['check']['differing']} actuals differ from gamification ({key})")
    queries = {row["queries"] for row in results["scaling"]}
    if len(queries) != 1:
        problems.append(f"our query count depends on the number of employees: {sorted(queries)}")
    follow = results["followups"]
    for label, part in (("confirmations", follow), ("month", follow.get("month") or {})):
        if part.get("orders") and (part["open_duplicates"] or part["uncovered"] or not part["planned"]):
            problems.append(
                f"follow-ups, {label}: {part['open_duplicates']} open duplicates, {part['uncovered']} (order, step) "
                f"left out, {part['planned']} planned"
            )
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="benchmark database (default with --smoke: bn_smoke_<pid>, made and dropped)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; creates the database when missing")
    parser.add_argument("--template", help="template database when the database is created, e.g. tmpl_base")
    parser.add_argument("--keep", action="store_true", help="with --smoke: keep the database it created")
    parser.add_argument("--employees", type=int, help="salespeople to generate when the database is created")
    parser.add_argument("--records", type=int, help="source records to generate when the database is created")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sizes", default="100,300,1000", help="employee counts of the scaling part")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our refresh per measure (median)")
    parser.add_argument("--gamification-repeat", type=int, default=1)
    parser.add_argument("--no-gamification-scaling", action="store_true", help="part 3: our refresh only")
    parser.add_argument("--no-gamification-cron", action="store_true", help="skip the _update_all() measure")
    parser.add_argument("--no-gamification-per-user", action="store_true", help="skip the measure without batch")
    parser.add_argument(
        "--followup-orders", type=int, default=2_500, help="orders confirmed with the regulation (0: skip part 4a)"
    )
    parser.add_argument("--followup-batch", type=int, default=500, help="orders per action_confirm() call")
    parser.add_argument("--no-followup-baseline", action="store_true", help="part 4a without Odoo's own confirmation")
    parser.add_argument("--no-followup-month", action="store_true", help="skip part 4b (a month of orders)")
    parser.add_argument("--followup-repeat", type=int, default=3, help="part 4a: runs each way (median)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--addons-path", action="append", default=[], help="extra add-on directories")
    args = parser.parse_args(argv)

    if args.smoke:
        args.db = args.db or f"bn_smoke_{os.getpid()}"
        args.employees = args.employees or 12
        args.records = args.records or 6_000
        if args.sizes == parser.get_default("sizes"):
            args.sizes = "3,6,12"
        if args.followup_orders == parser.get_default("followup_orders"):
            args.followup_orders = 10
        args.followup_batch = min(args.followup_batch, 10)
        args.repeat = 1
        args.followup_repeat = 1
    if not args.db:
        parser.error("--db is required (or --smoke)")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    addons_path = odoo_env.odoo_addons_path(args.addons_path)

    created = False
    if args.smoke or args.employees:
        created = generate.prepare_database(args.db, args.template, addons_path=addons_path, log=log)
    odoo_env.configure(addons_path)
    problems = []
    try:
        if args.smoke or args.employees:
            with odoo_env.environment(args.db) as env:
                generated = generate.generate(
                    env, args.employees or 1000, args.records or 1_000_000, args.seed, log=log
                )
            if generated:
                generate.vacuum(args.db, log=log)
        with odoo_env.environment(args.db) as env:
            results = run(
                env,
                argparse.Namespace(
                    sizes=sizes,
                    repeat=args.repeat,
                    gamification_repeat=args.gamification_repeat,
                    gamification_scaling=not args.no_gamification_scaling,
                    gamification_cron=not args.no_gamification_cron,
                    gamification_per_user=not args.no_gamification_per_user,
                    followup_orders=args.followup_orders,
                    followup_batch=args.followup_batch,
                    followup_baseline=not args.no_followup_baseline,
                    followup_month=not args.no_followup_month,
                    followup_repeat=args.followup_repeat,
                ),
            )
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, default=str))
        problems = verify(results)
    finally:
        if args.smoke and created and not args.keep:
            from odoo.modules.registry import Registry  # noqa: PLC0415
            from odoo.sql_db import close_db  # noqa: PLC0415

            Registry.delete(args.db)
            close_db(args.db)
            odoo_env.drop_database(args.db)
    for problem in problems:
        log(f"FAILED: {problem}")
    if args.smoke:
        log("smoke: " + ("FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
