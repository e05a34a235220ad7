"""Two workers at once: generation, refresh, crons, plan edits, answers and closing from real database transactions.

These tests commit: they run on their own cursors (not the test transaction), build their data under a unique
prefix, in a company of their own (so that the crons, which cover every employee of the allowed companies, only
meet this test's employees), and delete it afterwards.

How the interleavings are made
------------------------------
- :func:`run_in_parallel` starts workers together behind a barrier: real races, repeated a few times.
- :class:`Worker` runs one transaction in a thread; :func:`pause_refresh` stops a refresh right after it locked
  its scorecards, so that another transaction can be started at that exact point; :func:`wait_until_blocked`
  watches ``pg_stat_activity`` until a worker waits for a lock. Such interleavings are deterministic.
- A user's call goes through :func:`odoo.service.model.retrying`, as every JSON-RPC call does: a serialization
  failure is retried and never reaches the user, a deadlock is retried too but means both transactions waited
  for each other (the victim may be a cron, which is not retried), so the tests require that none happens.
"""

import random
import threading
import time
from contextlib import contextmanager
from unittest.mock import patch

from psycopg2 import errors as pgerrors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from ..services.scorecard_refresh import ScorecardRefresh

# A month no run of these tests happens in: the cron test uses the current month.
MONTH = "2024-03-01"
PREFIX = "olimp_concurrency"
ROUNDS = 3


def run_in_parallel(registry, *functions):
    """Run each ``function(env)`` in its own thread and transaction, started together; return their errors.

    The environments are made in the calling thread: making the first environment of a cursor looks the registry
    up under a lock that the test runner's thread holds while tests run.
    """
    barrier = threading.Barrier(len(functions))
    errors = []
    envs = [api.Environment(registry.cursor(), SUPERUSER_ID, {}) for _function in functions]

    def worker(function, env):
        try:
            barrier.wait(timeout=30)
            function(env)
            env.cr.commit()
        except Exception as error:
            env.cr.rollback()
            errors.append(error)
        finally:
            env.cr.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in zip(functions, envs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        if thread.is_alive():
            errors.append(TimeoutError("a worker is still running after 2 minutes"))
    return errors


class Worker:
    """One transaction in a thread: ``function(env)`` then commit; ``retry`` makes it a user's call (JSON-RPC).

    ``attempts`` lists the exception of every failed attempt (retried or not), ``error`` the one that ended it.
    The retry is that of :func:`odoo.service.model.retrying` (roll back, clear the caches, wait, try again, at most
    5 times) without its reload of the registry, which would wait for the lock the test runner holds.
    """

    def __init__(self, registry, function, retry=False, uid=SUPERUSER_ID):
        self.env = api.Environment(registry.cursor(), uid, {})
        self.function = function
        self.retry = retry
        self.attempts = []
        self.error = None
        self.result = None
        self.thread = threading.Thread(target=self._run)

    @property
    def pid(self):
        return self.env.cr._cnx.get_backend_pid()

    def start(self):
        self.thread.start()
        return self

    def _attempt(self):
        try:
            result = self.function(self.env)
            self.env.flush_all()
            return result
        except Exception as error:
            self.attempts.append(error)
            raise

    def _retrying(self):
        for tries_left in reversed(range(MAX_TRIES_ON_CONCURRENCY_FAILURE)):
            try:
                return self._attempt()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                if not tries_left:
                    raise
                self.env.cr.rollback()
                self.env.clear()
                time.sleep(random.uniform(0.0, 0.5))

    def _run(self):
        try:
            self.result = self._retrying() if self.retry else self._attempt()
            # The worker's own cursor, not the test transaction: the other workers must see what it did.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        except Exception as error:
            self.env.cr.rollback()
            self.error = error
        finally:
            self.env.cr.close()

    def join(self, timeout=60):
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise TimeoutError("a worker is still running")
        return self


@contextmanager
def pause_refresh(cr):
    """Stop the refresh running on ``cr`` right after it locked its scorecards, until ``go`` is set."""
    locked, go = threading.Event(), threading.Event()
    collect = ScorecardRefresh._collect

    def paused_collect(refresh, *args, **kwargs):
        if refresh.env.cr is cr:
            locked.set()
            go.wait(60)
        return collect(refresh, *args, **kwargs)

    with patch.object(ScorecardRefresh, "_collect", paused_collect):
        try:
            yield locked, go
        finally:
            go.set()


def wait_until_blocked(registry, worker, timeout=30):
    """Wait until ``worker`` waits for a lock (or has finished); return whether it was blocked."""
    deadline = time.monotonic() + timeout
    pid = worker.pid
    with registry.cursor() as cr:
        while time.monotonic() < deadline:
            if not worker.thread.is_alive():
                return False
            cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cr.fetchone()
            if row and row[0] == "Lock":
                return True
            cr.rollback()
            time.sleep(0.02)
    raise TimeoutError("the worker neither waited for a lock nor finished")


def company_and_leads_kpi(env, prefix, name):
    """The company of a concurrency test class (made once and kept: a company is not deleted) and a KPI counting
    its leads by deadline and salesperson."""
    company = env["res.company"].search([("name", "=", f"{prefix} company")]) or env["res.company"].create(
        {"name": f"{prefix} company"}
    )
    company.partner_id.tz = "UTC"
    kpi = env["olimp.kpi"].create(
        {
            "name": name,
            "code": f"{prefix}_LEADS",
            "model_id": env["ir.model"]._get_id("crm.lead"),
            "aggregation": "count",
            "date_field_id": env["ir.model.fields"]._get("crm.lead", "date_deadline").id,
            "user_field_id": env["ir.model.fields"]._get("crm.lead", "user_id").id,
            "company_id": company.id,
        }
    )
    return company, kpi


def delete_prefixed(registry, prefix):
    """Delete everything a concurrency test class made under ``prefix`` (also what an interrupted earlier run left),
    in an order the foreign keys accept; the company stays, to be used again."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
        employees = env["hr.employee"].search([("name", "=like", f"{prefix}%")])
        users = env["res.users"].search([("login", "=like", f"{prefix}%")])
        env["olimp.kpi.plan"].search([("employee_id", "in", employees.ids)]).unlink()
        scorecards = env["olimp.kpi.scorecard"].search([("employee_id", "in", employees.ids)])
        scorecards.write({"state": "open"})
        scorecards.unlink()
        env["crm.lead"].search([("name", "=", prefix)]).unlink()
        env["crm.team"].search([("name", "=", prefix)]).unlink()
        employees.unlink()
        partners = users.partner_id
        users.unlink()
        partners.unlink()
        env["olimp.kpi.profile"].search([("name", "=", prefix)]).unlink()
        env["olimp.kpi"].search([("code", "=like", f"{prefix}%")]).unlink()


class PrefixedConcurrencyCase(BaseCase):
    """A concurrency test class: real transactions on the test database, its records named after ``prefix`` and
    deleted before (what an interrupted run left) and after the class."""

    prefix = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls._cleanup()
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        delete_prefixed(cls.registry, cls.prefix)


@tagged("post_install", "-at_install")
class TestConcurrency(PrefixedConcurrencyCase):
    prefix = PREFIX

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, kpi = company_and_leads_kpi(env, PREFIX, "Concurrent leads")
            check = env["olimp.kpi"].create(
                {
                    "name": "Concurrent checklist",
                    "code": f"{PREFIX}_CHECK",
                    "kind": "qualitative",
                    "company_id": company.id,
                    "checklist_item_ids": [Command.create({"name": "Q1"}), Command.create({"name": "Q2"})],
                }
            )
            profile = env["olimp.kpi.profile"].create(
                {
                    "name": PREFIX,
                    "company_id": company.id,
                    "line_ids": [
                        Command.create({"kpi_id": kpi.id, "target": 2, "weight": 1}),
                        Command.create({"kpi_id": check.id, "target": 100, "weight": 1}),
                    ],
                }
            )
            employees = env["hr.employee"]
            today = fields.Date.context_today(env["crm.lead"])
            for index in range(6):
                user = env["res.users"].create(
                    {
                        "name": f"{PREFIX} {index}",
                        "login": f"{PREFIX}_{index}",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                    }
                )
                employees |= env["hr.employee"].create(
                    {
                        "name": f"{PREFIX} {index}",
                        "user_id": user.id,
                        "company_id": company.id,
                        "olimp_kpi_profile_id": profile.id,
                    }
                )
                for day in ("2024-03-10", today):
                    env["crm.lead"].create(
                        {"name": PREFIX, "user_id": user.id, "date_deadline": day, "company_id": company.id}
                    )
            cls.company_id = company.id
            cls.employee_ids = employees.ids
            cls.kpi_id, cls.check_id = kpi.id, check.id

    def _employees(self, env):
        return env["hr.employee"].browse(self.employee_ids)

    def _scorecards(self, month=MONTH):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecards = env["olimp.kpi.scorecard"].search(
                [("employee_id", "in", self.employee_ids), ("date_from", "=", month)]
            )
            return [
                (
                    sc.employee_id.id,
                    str(sc.date_from),
                    sc.state,
                    sc.line_ids.filtered(lambda ln: ln.kind == "quantitative").mapped("actual"),
                    sc.refreshed_on,
                )
                for sc in scorecards
            ]

    def _card(self, env, index=0, month=MONTH):
        scorecard = env["olimp.kpi.scorecard"].search(
            [("employee_id", "=", self.employee_ids[index]), ("date_from", "=", month)]
        )
        if not scorecard:
            scorecard = env["olimp.kpi.scorecard"].generate(month, self._employees(env)[index])
        return scorecard

    def _prepare(self, index, reopen=True):
        """An open, refreshed scorecard of employee ``index`` with one more lead than it counts; its id."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecard = self._card(env, index)
            if reopen and scorecard.state == "closed":
                scorecard.action_reopen()
            scorecard.answer_ids.write({"value": False, "comment": False})
            scorecard.line_ids.write({"target": 2, "weight": 1, "floor": 0})
            scorecard.line_ids.filtered(lambda ln: ln.kind == "qualitative").target = 100
            env["crm.lead"].search([("name", "=", PREFIX), ("date_deadline", "=", "2024-03-11")]).unlink()
            scorecard.action_refresh()
            env["crm.lead"].create(
                {
                    "name": PREFIX,
                    "user_id": scorecard.user_id.id,
                    "date_deadline": "2024-03-11",
                    "company_id": self.company_id,
                }
            )
            return scorecard.id

    def _lead_line(self, scorecard):
        return scorecard.line_ids.filtered(lambda ln: ln.kpi_id.id == self.kpi_id)

    def _check_line(self, scorecard):
        return scorecard.line_ids.filtered(lambda ln: ln.kpi_id.id == self.check_id)

    def test_1_generate_twice_at_once(self):
        for _attempt in range(ROUNDS):
            errors = run_in_parallel(
                self.registry,
                lambda env: env["olimp.kpi.scorecard"].generate(MONTH, self._employees(env)),
                lambda env: env["olimp.kpi.scorecard"].generate(MONTH, self._employees(env)),
            )
            self.assertEqual(errors, [])
        rows = self._scorecards()
        self.assertEqual(len(rows), len(self.employee_ids), "one scorecard per employee and month")

    def test_2_refresh_twice_at_once(self):
        def refresh(env):
            env["olimp.kpi.scorecard"].search([("employee_id", "in", self.employee_ids)]).action_refresh()

        for _attempt in range(ROUNDS):
            self.assertEqual(run_in_parallel(self.registry, refresh, refresh, refresh), [])
        rows = self._scorecards()
        self.assertTrue(rows)
        self.assertTrue(all(actuals == [1.0] for __, __, __, actuals, __ in rows), rows)

    def test_3_refresh_does_not_touch_a_scorecard_being_closed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecard = self._card(env)
            scorecard.action_refresh()
            frozen_on = scorecard.refreshed_on
            env["crm.lead"].create(
                {
                    "name": PREFIX,
                    "user_id": scorecard.user_id.id,
                    "date_deadline": "2024-03-11",
                    "company_id": self.company_id,
                }
            )
            # A real cursor, not the test transaction: the other worker must see the lead.
            cr.commit()  # pylint: disable=invalid-commit
            # This transaction closes the scorecard (and holds its row) while another worker refreshes.
            scorecard.write({"state": "closed"})
            env.flush_all()
            errors = run_in_parallel(
                self.registry,
                lambda other: other["olimp.kpi.scorecard"].browse(scorecard.id).action_refresh(),
            )
            self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            closed = env["olimp.kpi.scorecard"].browse(scorecard.id)
            self.assertEqual(closed.state, "closed")
            self.assertEqual(closed.refreshed_on, frozen_on)
            self.assertEqual(self._lead_line(closed).actual, 1.0, "the lead created before closing is not counted")
            closed.action_reopen()
            env["crm.lead"].search([("name", "=", PREFIX), ("date_deadline", "=", "2024-03-11")]).unlink()

    def test_4_refresh_after_a_concurrent_refresh_committed(self):
        """A transaction that began before another refreshed (and committed) skips those scorecards, no error."""
        with self.registry.cursor() as cr_b:
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            ids = env_b["olimp.kpi.scorecard"].search([("employee_id", "in", self.employee_ids)]).ids
            self.assertTrue(ids)  # this transaction's snapshot is taken here
            with self.registry.cursor() as cr_a:
                env_a = api.Environment(cr_a, SUPERUSER_ID, {})
                env_a["olimp.kpi.scorecard"].browse(ids).action_refresh()
                refreshed_by_a = dict(
                    env_a["olimp.kpi.scorecard"].browse(ids).mapped(lambda sc: (sc.id, sc.refreshed_on))
                )
            # Rows changed after this transaction began: locking them would be a serialization failure.
            refreshed = env_b["olimp.kpi.scorecard"].browse(ids).action_refresh()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            after = {sc.id: sc.refreshed_on for sc in env["olimp.kpi.scorecard"].browse(ids)}
        self.assertEqual(after, refreshed_by_a)
        self.assertTrue(refreshed)

    def test_5_crons_at_once(self):
        """The generation and refresh crons, each twice, from concurrent workers: every round from scratch."""
        month = fields.Date.to_string(fields.Date.today().replace(day=1))

        def generate_cron(env):
            # The cron's method, in the test's company only (the cron covers every company of its user).
            env["olimp.kpi.scorecard"].with_context(allowed_company_ids=[self.company_id])._cron_generate()

        def refresh_cron(env):
            # The cron's batch (olimp_kpi_queue, when installed, plans the same batches as queue jobs instead).
            env["olimp.kpi.scorecard"]._refresh_next_batch()

        for round_ in range(ROUNDS):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["olimp.kpi.scorecard"].search(
                    [("employee_id", "in", self.employee_ids), ("date_from", "=", month)]
                ).unlink()
            functions = [generate_cron, generate_cron, refresh_cron, refresh_cron]
            self.assertEqual(run_in_parallel(self.registry, *functions), [], f"round {round_}")
            self.assertEqual(len(self._scorecards(month)), len(self.employee_ids), "one scorecard per employee")
            self.assertEqual(run_in_parallel(self.registry, refresh_cron, refresh_cron, generate_cron), [])
            rows = self._scorecards(month)
            self.assertEqual(len(rows), len(self.employee_ids))
            self.assertTrue(all(refreshed_on for *__, refreshed_on in rows), "every scorecard refreshed")
            self.assertTrue(all(actuals == [1.0] for __, __, __, actuals, __ in rows), rows)

    def test_6_plan_edited_while_refresh_runs(self):
        """A team leader changes a plan while the refresh holds the scorecard: no deadlock, the plan stays, and the
        result is computed from the new plan and the new actual."""
        scorecard_id = self._prepare(1)
        refresh = Worker(self.registry, lambda env: env["olimp.kpi.scorecard"].browse(scorecard_id).action_refresh())
        with pause_refresh(refresh.env.cr) as (locked, go):
            refresh.start()
            self.assertTrue(locked.wait(30))
            edit = Worker(
                self.registry,
                lambda env: self._lead_line(env["olimp.kpi.scorecard"].browse(scorecard_id)).write({"target": 3}),
                retry=True,
            ).start()
            wait_until_blocked(self.registry, edit)
            # Past the deadlock timeout (1 s) of the edit: were there a deadlock, the refresh would be its victim.
            time.sleep(1.5)
            go.set()
            refresh.join()
            edit.join()
        self.assertIsNone(refresh.error)
        self.assertIsNone(edit.error)
        self.assertFalse([e for e in edit.attempts if isinstance(e, pgerrors.DeadlockDetected)], edit.attempts)
        with self.registry.cursor() as cr:
            scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
            line = self._lead_line(scorecard)
            self.assertEqual((line.target, line.actual), (3, 2), "the new plan and the new actual")
            self.assertAlmostEqual(line.completion, 200 / 3, places=2)
            self.assertAlmostEqual(scorecard.efficiency, 200 / 3 / 2, places=2)

    def test_7_answer_written_while_refresh_runs(self):
        """An answer written while the refresh holds the scorecard is kept and counted."""
        scorecard_id = self._prepare(2)
        refresh = Worker(self.registry, lambda env: env["olimp.kpi.scorecard"].browse(scorecard_id).action_refresh())
        with pause_refresh(refresh.env.cr) as (locked, go):
            refresh.start()
            self.assertTrue(locked.wait(30))
            answer = Worker(
                self.registry,
                lambda env: (
                    self._check_line(env["olimp.kpi.scorecard"].browse(scorecard_id))
                    .answer_ids[:1]
                    .write({"value": "yes", "comment": "Seen the leaflets"})
                ),
                retry=True,
            ).start()
            wait_until_blocked(self.registry, answer)
            time.sleep(1.5)
            go.set()
            refresh.join()
            answer.join()
        self.assertIsNone(refresh.error)
        self.assertIsNone(answer.error)
        self.assertFalse([e for e in answer.attempts if isinstance(e, pgerrors.DeadlockDetected)], answer.attempts)
        with self.registry.cursor() as cr:
            scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
            line = self._check_line(scorecard)
            self.assertEqual(line.answer_ids.mapped("value"), ["yes", False])
            self.assertEqual(line.actual, 50)
            self.assertEqual(self._lead_line(scorecard).actual, 2, "the refresh went through")
            self.assertAlmostEqual(scorecard.efficiency, (100 + 50) / 2)

    def test_8_no_change_after_a_concurrent_close(self):
        """Writes that began before a scorecard was closed and arrive after it: refused, nothing changes.

        The writer's transaction saw the scorecard open; the close committed in between. Changes that do not touch
        the scorecard row itself (a comment, a floor that does not change the score) would otherwise slip in.
        """
        writes = {
            "answer comment": lambda sc: self._check_line(sc).answer_ids[:1].write({"comment": "late"}),
            "floor": lambda sc: self._lead_line(sc).write({"floor": 10}),
            "new answer": lambda sc: sc.env["olimp.kpi.scorecard.answer"].create(
                {
                    "line_id": self._check_line(sc).id,
                    "item_id": sc.env["olimp.kpi.checklist.item"].create({"kpi_id": self.check_id, "name": "Q3"}).id,
                }
            ),
        }
        for name, write in writes.items():
            with self.subTest(write=name):
                scorecard_id = self._prepare(3)
                with self.registry.cursor() as cr_late:
                    env_late = api.Environment(cr_late, SUPERUSER_ID, {})
                    late = env_late["olimp.kpi.scorecard"].browse(scorecard_id)
                    self.assertEqual(late.state, "open")  # the late writer's snapshot starts here
                    with self.registry.cursor() as cr:
                        scorecards = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"]
                        scorecards.browse(scorecard_id).with_context(olimp_unanswered_as_no=True).action_close()
                    with self.assertRaises(UserError):
                        retrying(lambda late=late, write=write: (write(late), late.env.flush_all()), env_late)
                    cr_late.rollback()  # as the failed request does
                with self.registry.cursor() as cr:
                    scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
                    self.assertEqual(scorecard.state, "closed")
                    self.assertFalse(any(scorecard.answer_ids.mapped("comment")))
                    self.assertEqual(len(scorecard.answer_ids), 2)
                    self.assertEqual(self._lead_line(scorecard).floor, 0)
                    self.assertFalse(
                        scorecard.env["olimp.kpi.checklist.item"].search(
                            [("kpi_id", "=", self.check_id), ("name", "=", "Q3")]
                        )
                    )
                    scorecard.action_reopen()

    def test_9_refresh_after_a_concurrent_plan_edit_committed(self):
        """A refresh that began before a plan edit committed (which did not change the scorecard row) skips the
        scorecard instead of failing on the edited line."""
        scorecard_id = self._prepare(4)
        with self.registry.cursor() as cr_refresh:
            env_refresh = api.Environment(cr_refresh, SUPERUSER_ID, {})
            self.assertTrue(env_refresh["olimp.kpi.scorecard"].browse(scorecard_id).line_ids)  # snapshot
            with self.registry.cursor() as cr:
                scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
                self._lead_line(scorecard).write({"floor": 10})  # score unchanged: the scorecard row is not
            env_refresh["olimp.kpi.scorecard"].browse(scorecard_id).action_refresh()
            env_refresh.flush_all()
        with self.registry.cursor() as cr:
            scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
            self.assertEqual(self._lead_line(scorecard).floor, 10, "the plan edit stays")
            # Skipped this time, refreshed by the next refresh.
            scorecard.action_refresh()
            self.assertEqual(self._lead_line(scorecard).actual, 2)

    def test_9a_two_closes_at_once_store_the_records_once(self):
        """Two team leaders close the same month at once: it is closed once, with the records it counts."""
        for _attempt in range(ROUNDS):
            scorecard_id = self._prepare(5)

            def close(env, scorecard_id=scorecard_id):
                scorecard = env["olimp.kpi.scorecard"].browse(scorecard_id)
                return scorecard.with_context(olimp_unanswered_as_no=True).action_close()

            workers = [Worker(self.registry, close, retry=True) for _worker in range(2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            self.assertEqual([worker.error for worker in workers], [None, None])
            attempts = [error for worker in workers for error in worker.attempts]
            self.assertFalse([e for e in attempts if isinstance(e, pgerrors.DeadlockDetected)], attempts)
            with self.registry.cursor() as cr:
                scorecard = api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"].browse(scorecard_id)
                line = self._lead_line(scorecard)
                self.assertEqual(scorecard.state, "closed")
                self.assertEqual(line.actual, 2, "the lead added after the last refresh is counted at close")
                leads = scorecard.env["crm.lead"].browse(line.record_ids)
                self.assertEqual(len(leads), 2)
                self.assertEqual(set(leads.mapped("user_id")), {scorecard.user_id})
                closes = scorecard.message_ids.filtered(lambda m: "counting 2 unanswered" in (m.body or ""))
                self.assertEqual(len(closes), 1, "one close, recorded once")
                scorecard.message_ids.filtered(lambda m: "counting 2 unanswered" in (m.body or "")).unlink()
                scorecard.action_reopen()

    def test_9b_records_stored_at_close_are_those_counted(self):
        """A lead added while the close counts and stores: the close's actual and its records agree (both without
        it), and its drill-down opens exactly them."""
        scorecard_id = self._prepare(4)
        close = Worker(
            self.registry,
            lambda env: (
                env["olimp.kpi.scorecard"].browse(scorecard_id).with_context(olimp_unanswered_as_no=True).action_close()
            ),
        )
        with pause_refresh(close.env.cr) as (locked, go):
            close.start()
            self.assertTrue(locked.wait(30))
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                user = env["olimp.kpi.scorecard"].browse(scorecard_id).user_id
                late = env["crm.lead"].create(
                    {"name": PREFIX, "user_id": user.id, "date_deadline": "2024-03-12", "company_id": self.company_id}
                )
            go.set()
            close.join()
        self.assertIsNone(close.error)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecard = env["olimp.kpi.scorecard"].browse(scorecard_id)
            line = self._lead_line(scorecard)
            self.assertEqual(scorecard.state, "closed")
            self.assertEqual(line.actual, len(line.record_ids))
            self.assertNotIn(late.id, line.record_ids)
            action = line.action_open_records()
            self.assertEqual(len(env["crm.lead"].search(action["domain"])), line.actual)
            env["crm.lead"].browse(late.id).unlink()
            scorecard.action_reopen()
