"""Benchmark data: salespeople and 13 months of CRM, sales, calendar and accounting records, fast and seeded.

    $ODOO_PYTHON tests/benchmark/generate.py --db bn_big --create --template tmpl_base \
          --employees 1000 --records 1000000 --seed 42

How it works
------------
- Salespeople (``res.users`` with an ``hr.employee``) are created with the ORM, in batches, because Odoo derives
  much from a user (partner, groups, employee). They are the only ORM creates.
- Every other record is inserted with plain SQL in batches of ``BATCH`` rows: ``INSERT ... SELECT ... FROM
  unnest(<arrays>)``, one statement per batch, the arrays built in Python from ``random.Random(seed)``. Only the
  columns the KPIs read and the ``NOT NULL`` columns are filled; stored values that Odoo would compute (amounts,
  ``partner_share``, ``commercial_partner_id``) are written consistently. Timestamps have whole seconds, as Odoo's.
- ``records`` is split between the source models by :data:`SHARES`; each salesperson gets an activity weight
  (log-normal), so actuals differ from one person to the next as they do in a real company.
- The data spans the 13 calendar months ending with ``--month`` (default: last month), so that the benchmark month
  and the month before it are full. The company's time zone is set to UTC, so that Odoo's ``gamification`` (which
  compares datetimes with naive dates) and our engine (months in the company's time zone) use the same bounds.
- When ``olimp_followup`` is installed, past follow-ups (done or cancelled) of confirmed orders are added too, and
  nine meetings of the past in ten are marked held (the catalogue's *Meetings held* counts only those).
- Each customer's first confirmed order is marked, as the ORM does when orders are confirmed (*New customers*),
  and each meeting with a customer attending.

The run is reproducible: the same seed, sizes and month give the same rows. A database is generated once: a second
run finds the marker parameter ``olimp_bench.month`` and stops.
"""

import argparse
import contextlib
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_env

BATCH = 50_000
MONTHS = 13
# Share of the records per source model; follow-ups take theirs from the orders when olimp_followup is installed.
SHARES = {
    "sale.order": 0.40,
    "crm.lead": 0.30,
    "calendar.event": 0.20,
    "res.partner": 0.05,
    "account.move": 0.05,
}
FOLLOWUP_SHARE = 0.05
SELLER_LOGIN = "bench.seller.%05d"
PARAM_MONTH = "olimp_bench.month"
# Tables the generator fills: analysed at once, vacuumed after the commit (as autovacuum would do later).
TABLES = ("res_partner", "sale_order", "crm_lead", "calendar_event", "calendar_event_res_partner_rel", "account_move")


def last_month(today=None):
    today = today or datetime.date.today()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


class Generator:
    """Fills one database; ``log`` receives progress lines."""

    def __init__(self, env, employees, records, seed, month, log=print):
        self.env = env
        self.cr = env.cr
        self.employees = employees
        self.records = records
        self.rng = random.Random(seed)
        self.seed = seed
        self.month = month
        self.first_month = add_months(month, -(MONTHS - 1))
        self.start = datetime.datetime.combine(self.first_month, datetime.time())
        self.stop = datetime.datetime.combine(add_months(month, 1), datetime.time())
        self.span = int((self.stop - self.start).total_seconds())
        self.log = log
        self.company = env.ref("base.main_company")
        self.currency_id = self.company.currency_id.id
        self.counts = {}

    # -- helpers ---------------------------------------------------------------------------------------------
    def _moments(self, count):
        """``count`` instants of the 13 months in chronological order: records are inserted in the order a
        company creates them, so that a month's records sit together on disk, as they do in a real database."""
        return sorted(self.start + datetime.timedelta(seconds=self.rng.randrange(self.span)) for _ in range(count))

    def _sellers(self, count):
        return self.rng.choices(self.user_ids, cum_weights=self.cum_weights, k=count)

    def _insert(self, label, sql_factory, count, build):
        """Insert ``count`` rows in batches and return what they return.

        ``build(size, offset)`` returns the column arrays of ``size`` rows, ``sql_factory(*arrays)`` the query.
        Required columns the query leaves out (added by other installed modules, e.g. ``sale_stock``'s
        warehouse and shipping policy) get the model's default for the time of the insert.
        """
        from odoo.tools import SQL  # noqa: PLC0415

        model = label.split(" ")[0]
        started = time.perf_counter()
        rows = []
        done = 0
        with self._column_defaults(model):
            while done < count:
                size = min(BATCH, count - done)
                query = sql_factory(*build(size, done))
                assert isinstance(query, SQL)
                rows += self.env.execute_query(query)
                done += size
        self.counts[label] = len(rows)
        self.log(f"  {label:<28} {len(rows):>9,} rows in {time.perf_counter() - started:6.1f} s")
        return rows

    @contextlib.contextmanager
    def _column_defaults(self, model):
        """Give the NOT NULL columns of ``model``'s table that have no database default the ORM's default."""
        from odoo.tools import SQL  # noqa: PLC0415

        Model = self.env[model]
        columns = [
            name
            for (name,) in self.env.execute_query(
                SQL(
                    """SELECT column_name FROM information_schema.columns
                        WHERE table_schema = current_schema() AND table_name = %s AND is_nullable = 'NO'
                          AND column_default IS NULL AND column_name != 'id'""",
                    Model._table,
                )
            )
        ]
        defaults = Model.default_get([name for name in columns if name in Model._fields])
        defaults = {name: value for name, value in defaults.items() if value not in (None, False)}
        for name, value in defaults.items():
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
                    SQL.identifier(Model._table),
                    SQL.identifier(name),
                    value,
                )
            )
        try:
            yield
        finally:
            for name in defaults:
                self.env.cr.execute(
                    SQL(
                        "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
                        SQL.identifier(Model._table),
                        SQL.identifier(name),
                    )
                )

    # -- stages ----------------------------------------------------------------------------------------------
    def run(self):
        from odoo.tools import SQL  # noqa: PLC0415

        started = time.perf_counter()
        self.log(
            f"Generating {self.employees:,} salespeople and ~{self.records:,} records over {MONTHS} months "
            f"({self.first_month:%Y-%m} .. {self.month:%Y-%m}), seed {self.seed}"
        )
        self.company.partner_id.tz = "UTC"
        self._salespeople()
        with_followups = "olimp.followup" in self.env
        shares = dict(SHARES)
        if with_followups:
            shares["sale.order"] -= FOLLOWUP_SHARE
        sizes = {model: int(self.records * share) for model, share in shares.items()}
        self.customer_ids = self._customers(sizes["res.partner"])
        self.order_rows = self._orders(sizes["sale.order"])
        if hasattr(self.env["sale.order"], "_olimp_update_first_orders"):
            self.env["sale.order"]._olimp_update_first_orders()
        self._leads(sizes["crm.lead"])
        self._events(sizes["calendar.event"])
        if hasattr(self.env["calendar.event"], "_olimp_set_with_customer"):
            self.env["calendar.event"]._olimp_set_with_customer()
        if "olimp_held" in self.env["calendar.event"]._fields:
            # Deterministic: every meeting of the past but one in ten took place.
            self.cr.execute(
                SQL("UPDATE calendar_event SET olimp_held = (start < %s AND mod(id, 10) <> 0)", datetime.datetime.now())
            )
        self._invoices(sizes["account.move"])
        if with_followups:
            self._followups(int(self.records * FOLLOWUP_SHARE))
        self.env.flush_all()
        for table in TABLES:
            self.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        params = self.env["ir.config_parameter"]
        params.set_param(PARAM_MONTH, self.month.isoformat())
        params.set_param("olimp_bench.seed", str(self.seed))
        params.set_param("olimp_bench.counts", json.dumps(self.counts))
        total = sum(count for label, count in self.counts.items() if label != "salespeople")
        self.log(f"Generated {total:,} source records in {time.perf_counter() - started:.1f} s")
        return self.counts

    def _salespeople(self):
        started = time.perf_counter()
        Users = self.env["res.users"].with_context(
            no_reset_password=True, mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        groups = [self.env.ref("base.group_user").id, self.env.ref("sales_team.group_sale_salesman").id]
        existing = Users.with_context(active_test=False).search([("login", "=like", "bench.seller.%")], order="id")
        users = existing
        for first in range(len(existing), self.employees, 200):
            vals = [
                {
                    "name": f"Bench Seller {index:05d}",
                    "login": SELLER_LOGIN % index,
                    "groups_id": [(6, 0, groups)],
                    "tz": "UTC",
                }
                for index in range(first, min(first + 200, self.employees))
            ]
            users |= Users.create(vals)
        users = users[: self.employees]
        Employee = self.env["hr.employee"].with_context(tracking_disable=True, mail_create_nolog=True)
        have_employee = Employee.search([("user_id", "in", users.ids)]).user_id
        missing = users - have_employee
        for first in range(0, len(missing), 200):
            Employee.create(
                [
                    {"name": user.name, "user_id": user.id, "company_id": self.company.id}
                    for user in missing[first : first + 200]
                ]
            )
        self.env.flush_all()
        self.user_ids = users.ids
        self.user_partner = {user.id: user.partner_id.id for user in users}
        weights = [self.rng.lognormvariate(0.0, 0.5) for _ in self.user_ids]
        self.cum_weights = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cum_weights.append(total)
        self.counts["salespeople"] = len(users)
        self.log(f"  {'salespeople (ORM)':<28} {len(users):>9,} rows in {time.perf_counter() - started:6.1f} s")

    def _customers(self, count):
        from odoo.tools import SQL  # noqa: PLC0415

        moments = self._moments(count)

        def build(size, offset):
            names = [f"Bench Customer {offset + i:07d}" for i in range(size)]
            return names, self._sellers(size), moments[offset : offset + size]

        def sql(names, users, dates):
            return SQL(
                """INSERT INTO res_partner (name, complete_name, user_id, create_date, write_date, create_uid,
                                            write_uid, active, type, is_company, partner_share, customer_rank,
                                            supplier_rank, autopost_bills, lang, tz)
                   SELECT v.name, v.name, v.user_id, v.created, v.created, 1, 1, TRUE, 'contact', TRUE, TRUE, 1, 0,
                          'ask', 'en_US', 'UTC'
                     FROM unnest(%s::varchar[], %s::int[], %s::timestamp[]) AS v(name, user_id, created)
                RETURNING id""",
                names,
                users,
                dates,
            )

        ids = [row[0] for row in self._insert("res.partner (customers)", sql, count, build)]
        self.cr.execute(
            SQL(
                "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
                ids,
            )
        )
        return ids

    def _orders(self, count):
        from odoo.tools import SQL  # noqa: PLC0415

        states = ["sale", "draft", "sent", "cancel"]
        state_weights = [0.70, 0.12, 0.08, 0.10]
        moments = self._moments(count)

        def build(size, offset):
            names = [f"BSO{offset + i:07d}" for i in range(size)]
            dates = moments[offset : offset + size]
            order_states = self.rng.choices(states, weights=state_weights, k=size)
            amounts = [round(self.rng.lognormvariate(7.0, 1.0), 2) for _ in range(size)]
            partners = self.rng.choices(self.customer_ids, k=size)
            return names, self._sellers(size), partners, dates, order_states, amounts

        def sql(names, users, partners, dates, order_states, amounts):
            return SQL(
                """INSERT INTO sale_order (name, user_id, partner_id, partner_invoice_id, partner_shipping_id,
                                           company_id, currency_id, date_order, create_date, write_date, create_uid,
                                           write_uid, state, invoice_status, amount_untaxed, amount_tax,
                                           amount_total, currency_rate, locked)
                   SELECT v.name, v.user_id, v.partner_id, v.partner_id, v.partner_id, %s, %s, v.date_order,
                          v.date_order, v.date_order, 1, 1, v.state, 'no', v.amount, round(v.amount * 0.2, 2),
                          round(v.amount * 1.2, 2), 1.0, FALSE
                     FROM unnest(%s::varchar[], %s::int[], %s::int[], %s::timestamp[], %s::varchar[], %s::numeric[])
                          AS v(name, user_id, partner_id, date_order, state, amount)
                RETURNING id, user_id, partner_id, date_order, state""",
                self.company.id,
                self.currency_id,
                names,
                users,
                partners,
                dates,
                order_states,
                amounts,
            )

        return self._insert("sale.order", sql, count, build)

    def _leads(self, count):
        from odoo.tools import SQL  # noqa: PLC0415

        stage_ids = self.env["crm.stage"].search([], order="sequence, id")
        won_stage = stage_ids.filtered("is_won")[:1].id
        open_stages = (stage_ids - stage_ids.filtered("is_won")).ids
        moments = self._moments(count)

        def build(size, offset):
            names, types, created, revenue, probability, active, stage, closed = ([] for _ in range(8))
            for i in range(size):
                moment = moments[offset + i]
                roll = self.rng.random()
                names.append(f"Bench opportunity {offset + i}")
                types.append("lead" if self.rng.random() < 0.15 else "opportunity")
                created.append(moment)
                revenue.append(round(self.rng.lognormvariate(8.0, 1.0), 2))
                if roll < 0.20:  # won
                    probability.append(100.0)
                    active.append(True)
                    stage.append(won_stage)
                    close = moment + datetime.timedelta(seconds=self.rng.randrange(45 * 86400))
                    closed.append(min(close, self.stop - datetime.timedelta(seconds=1)))
                elif roll < 0.32:  # lost: archived, as Odoo does
                    probability.append(0.0)
                    active.append(False)
                    stage.append(self.rng.choice(open_stages))
                    closed.append(min(moment + datetime.timedelta(days=3), self.stop - datetime.timedelta(seconds=1)))
                else:
                    probability.append(float(self.rng.choice([10, 20, 30, 50, 70, 90])))
                    active.append(True)
                    stage.append(self.rng.choice(open_stages))
                    closed.append(None)
            return names, types, self._sellers(size), created, revenue, probability, active, stage, closed

        def sql(names, types, users, created, revenue, probability, active, stage, closed):
            return SQL(
                """INSERT INTO crm_lead (name, type, user_id, company_id, create_date, write_date, date_open,
                                         date_last_stage_update, create_uid, write_uid, expected_revenue,
                                         prorated_revenue, probability, automated_probability, active, stage_id,
                                         date_closed, priority)
                   SELECT v.name, v.type, v.user_id, %s, v.created, v.created, v.created, v.created, 1, 1, v.revenue,
                          round(v.revenue * v.probability::numeric / 100, 2), v.probability, v.probability, v.active,
                          v.stage_id, v.closed, '0'
                     FROM unnest(%s::varchar[], %s::varchar[], %s::int[], %s::timestamp[], %s::numeric[],
                                 %s::float8[], %s::bool[], %s::int[], %s::timestamp[])
                          AS v(name, type, user_id, created, revenue, probability, active, stage_id, closed)
                RETURNING id""",
                self.company.id,
                names,
                types,
                users,
                created,
                revenue,
                probability,
                active,
                stage,
                closed,
            )

        self._insert("crm.lead", sql, count, build)

    def _events(self, count):
        from odoo.tools import SQL  # noqa: PLC0415

        moments = self._moments(count)

        def build(size, offset):
            names = [f"Bench meeting {offset + i}" for i in range(size)]
            users = self._sellers(size)
            starts = [moment.replace(minute=0, second=0) for moment in moments[offset : offset + size]]
            # 80% with a customer attending, the others internal (the salesperson alone).
            attendees = [
                self.rng.choice(self.customer_ids) if self.rng.random() < 0.8 else self.user_partner[user]
                for user in users
            ]
            return names, users, starts, attendees

        def sql(names, users, starts, attendees):
            return SQL(
                """WITH v AS (
                        SELECT * FROM unnest(%s::varchar[], %s::int[], %s::timestamp[], %s::int[])
                                   AS v(name, user_id, start, partner_id)
                   ), ev AS (
                        INSERT INTO calendar_event (name, user_id, start, stop, start_date, stop_date, duration,
                                                    allday, active, show_as, privacy, recurrency, create_date,
                                                    write_date, create_uid, write_uid)
                        SELECT v.name, v.user_id, v.start, v.start + interval '1 hour', v.start::date,
                               v.start::date, 1.0, FALSE, TRUE, 'busy', 'public', FALSE, v.start, v.start, 1, 1
                          FROM v
                     RETURNING id, name
                   ), rel AS (
                        INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id)
                        SELECT ev.id, v.partner_id FROM ev JOIN v ON v.name = ev.name
                   )
                   SELECT id FROM ev""",
                names,
                users,
                starts,
                attendees,
            )

        self._insert("calendar.event", sql, count, build)

    def _invoices(self, count):
        from odoo.tools import SQL  # noqa: PLC0415

        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        moments = self._moments(count)

        def build(size, offset):
            names, numbers, invoice_dates, due_dates, payment_states, totals, residuals = ([] for _ in range(7))
            for i in range(size):
                day = moments[offset + i].date()
                total = round(self.rng.lognormvariate(7.5, 1.0), 2)
                roll = self.rng.random()
                state = "not_paid" if roll < 0.3 else "partial" if roll < 0.4 else "paid"
                names.append(f"BINV/{offset + i + 1:07d}")
                numbers.append(offset + i + 1)
                invoice_dates.append(day)
                due_dates.append(min(day + datetime.timedelta(days=30), self.stop.date() - datetime.timedelta(1)))
                payment_states.append(state)
                totals.append(total)
                residuals.append(
                    total if state == "not_paid" else round(total * self.rng.random(), 2) if state == "partial" else 0
                )
            partners = self.rng.choices(self.customer_ids, k=size)
            users = self._sellers(size)
            return names, numbers, users, partners, invoice_dates, due_dates, payment_states, totals, residuals

        def sql(names, numbers, users, partners, invoice_dates, due_dates, payment_states, totals, residuals):
            return SQL(
                """INSERT INTO account_move (name, move_type, state, payment_state, journal_id, company_id,
                                             currency_id, partner_id, commercial_partner_id, invoice_user_id,
                                             date, invoice_date, invoice_date_due, amount_untaxed, amount_tax,
                                             amount_total, amount_residual, amount_untaxed_signed,
                                             amount_tax_signed, amount_total_signed, amount_residual_signed,
                                             amount_total_in_currency_signed, amount_untaxed_in_currency_signed,
                                             auto_post, sequence_prefix, sequence_number, invoice_currency_rate,
                                             create_date, write_date, create_uid, write_uid)
                   SELECT v.name, 'out_invoice', 'posted', v.payment_state, %s, %s, %s, v.partner_id, v.partner_id,
                          v.user_id, v.invoice_date, v.invoice_date, v.due, v.total, 0, v.total, v.residual, v.total,
                          0, v.total, v.residual, v.total, v.total, 'no', 'BINV/', v.number, 1.0,
                          v.invoice_date, v.invoice_date, 1, 1
                     FROM unnest(%s::varchar[], %s::int[], %s::int[], %s::int[], %s::date[], %s::date[],
                                 %s::varchar[], %s::numeric[], %s::numeric[])
                          AS v(name, number, user_id, partner_id, invoice_date, due, payment_state, total, residual)
                RETURNING id""",
                journal.id,
                self.company.id,
                self.currency_id,
                names,
                numbers,
                users,
                partners,
                invoice_dates,
                due_dates,
                payment_states,
                totals,
                residuals,
            )

        self._insert("account.move (invoices)", sql, count, build)

    def _followups(self, count):
        """Past follow-ups of confirmed orders, when olimp_followup is installed (columns checked first)."""
        from odoo.tools import SQL  # noqa: PLC0415

        Rule = self.env["olimp.followup.rule"].with_context(active_test=False)
        rules = Rule.search([("trigger", "=", "order_confirmed")], order="id")
        if not rules:
            self.log("  olimp.followup: no rule triggered by confirmed orders, no history generated")
            return
        required = {
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """SELECT column_name FROM information_schema.columns
                        WHERE table_name = 'olimp_followup' AND is_nullable = 'NO' AND column_default IS NULL"""
                )
            )
        }
        known = {"rule_id", "task_type", "partner_id", "order_id", "user_id", "date_deadline", "date_done", "state"}
        known |= {"company_id", "create_date", "write_date", "create_uid", "write_uid"}
        unknown = required - known - {"id"}
        if unknown:
            self.log(f"  olimp.followup: required columns {sorted(unknown)} unknown to the generator, skipped")
            return
        # Each rule fires once per order: every rule for a sample of the confirmed orders, oldest first.
        confirmed = [row for row in self.order_rows if row[4] == "sale"]
        rule_info = [(rule.id, rule.task_type, rule.delay_days or 0) for rule in rules]
        count = min(count, len(confirmed) * len(rule_info))
        orders_needed = -(-count // len(rule_info))
        sample = sorted(self.rng.sample(range(len(confirmed)), orders_needed))
        pairs = [(confirmed[index], rule) for index in sample for rule in rule_info][:count]

        def build(size, offset):
            rule_ids, task_types, partners, orders, users, deadlines, done, states = ([] for _ in range(8))
            for order, rule in pairs[offset : offset + size]:
                order_id, user_id, partner_id, date_order, _state = order
                rule_id, task_type, delay = rule
                deadline = (date_order + datetime.timedelta(days=delay)).date()
                finished = self.rng.random() < 0.9
                rule_ids.append(rule_id)
                task_types.append(task_type)
                partners.append(partner_id)
                orders.append(order_id)
                users.append(user_id)
                deadlines.append(deadline)
                done.append(deadline + datetime.timedelta(days=self.rng.randrange(-2, 5)) if finished else None)
                states.append("done" if finished else "cancelled")
            return rule_ids, task_types, partners, orders, users, deadlines, done, states

        def sql(rule_ids, task_types, partners, orders, users, deadlines, done, states):
            return SQL(
                """INSERT INTO olimp_followup (rule_id, task_type, partner_id, order_id, user_id, date_deadline,
                                               date_done, state, company_id, create_date, write_date, create_uid,
                                               write_uid)
                   SELECT v.rule_id, v.task_type, v.partner_id, v.order_id, v.user_id, v.deadline, v.done, v.state,
                          %s, v.deadline, v.deadline, 1, 1
                     FROM unnest(%s::int[], %s::varchar[], %s::int[], %s::int[], %s::int[], %s::date[], %s::date[],
                                 %s::varchar[])
                          AS v(rule_id, task_type, partner_id, order_id, user_id, deadline, done, state)
                RETURNING id""",
                self.company.id,
                rule_ids,
                task_types,
                partners,
                orders,
                users,
                deadlines,
                done,
                states,
            )

        ids = [row[0] for row in self._insert("olimp.followup (history)", sql, count, build)]
        # Since 18.0.1.1.0 a follow-up lists its orders and the day its activity appeared (a week before the deadline).
        columns = {
            row[0]
            for row in self.env.execute_query(
                SQL("SELECT column_name FROM information_schema.columns WHERE table_name = 'olimp_followup'")
            )
        }
        if "date_activity" in columns:
            self.cr.execute(SQL("UPDATE olimp_followup SET date_activity = date_deadline - 7 WHERE id = ANY(%s)", ids))
        if "olimp.followup" in self.env and "order_ids" in self.env["olimp.followup"]._fields:
            self.cr.execute(
                SQL(
                    """INSERT INTO olimp_followup_sale_order_rel (followup_id, order_id)
                       SELECT id, order_id FROM olimp_followup WHERE id = ANY(%s)""",
                    ids,
                )
            )


def generate(env, employees, records, seed, month=None, log=print, force=False):
    """Generate the data set in ``env``'s database unless it is there already; returns the month generated."""
    params = env["ir.config_parameter"].sudo()
    done = params.get_param(PARAM_MONTH)
    if done and not force:
        log(f"{env.cr.dbname}: benchmark data already generated (month {done}); nothing to do")
        return None
    month = month or last_month()
    Generator(env, employees, records, seed, month, log=log).run()
    return month


def vacuum(db, log=print):
    """``VACUUM ANALYZE`` of the generated tables, outside any transaction: the database as autovacuum leaves it
    (visibility map set, statistics fresh), so that the first measure does not pay for the bulk load."""
    from odoo.sql_db import db_connect  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    started = time.perf_counter()
    with db_connect(db).cursor() as cr:
        cr._cnx.autocommit = True
        for table in TABLES:
            cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))
    log(f"  vacuum analyze in {time.perf_counter() - started:.1f} s")


def modules_to_install(addons_path, with_followup=True):
    """Our add-on and gamification; olimp_followup too when one of the add-on directories has it."""
    modules = ["olimp_kpi", "gamification"]
    directories = [Path(path) for path in (addons_path or str(odoo_env.ROOT)).split(",")]
    if with_followup and any((path / "olimp_followup" / "__manifest__.py").exists() for path in directories):
        modules.append("olimp_followup")
    return modules


def prepare_database(db, template=None, with_followup=True, addons_path=None, log=print):
    """Create ``db`` (from ``template`` when given) and install the add-ons the benchmark needs."""
    if odoo_env.database_exists(db):
        log(f"{db}: database exists, reused")
        return False
    started = time.perf_counter()
    odoo_env.create_database(db, template)
    modules = modules_to_install(addons_path, with_followup)
    odoo_env.install_modules(db, modules, addons_path)
    log(
        f"{db}: created{' from ' + template if template else ''}, installed {', '.join(modules)} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return True


def parse_month(text):
    return datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database to fill (names of this project start with bn_)")
    parser.add_argument("--create", action="store_true", help="create the database and install the add-ons first")
    parser.add_argument("--template", help="template database for --create, e.g. tmpl_base")
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--records", type=int, default=1_000_000, help="source records in total")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--month", type=parse_month, help="last month of the data, YYYY-MM (default: last month)")
    parser.add_argument("--no-followup", action="store_true", help="do not install olimp_followup")
    parser.add_argument("--addons-path", action="append", default=[], help="extra add-on directories")
    args = parser.parse_args(argv)

    addons_path = odoo_env.odoo_addons_path(args.addons_path)
    if args.create:
        prepare_database(args.db, args.template, not args.no_followup, addons_path)
    odoo_env.configure(addons_path)
    with odoo_env.environment(args.db) as env:
        generated = generate(env, args.employees, args.records, args.seed, args.month)
    if generated:
        vacuum(args.db)


if __name__ == "__main__":
    main()
