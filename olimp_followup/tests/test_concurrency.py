"""Two transactions schedule the same follow-ups at once: each gets its own database connection.

``self.registry.cursor()`` would not do: in tests it may hand out a cursor sharing the test's connection. The data
these tests need is committed with a real cursor and deleted at the end.

The order triggers (confirmation, payment) are a user's calls: they go through Odoo's retry of serialization
failures, as every JSON-RPC call does (:func:`odoo.service.model.retrying`, reproduced by :func:`user_call`). Two
of them working on the same customer take turns on the customer's cycle: the second one fails, is retried, and
then sees what the first one did. The crons are not retried: they skip what others hold.

Also: the nightly crons (silent customers, overdue flag, activities) while sales people mark follow-ups done, two
salespeople confirming two orders of the same customer at once, and every trigger and cron fired from several
workers at once, a few rounds over.
"""

import random
import threading
import time
from contextlib import closing
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


def user_call(env, function, attempts=None):
    """``function(env)`` as a JSON-RPC call runs it: rolled back and tried again on a serialization failure (at most
    5 times), as :func:`odoo.service.model.retrying` does, without its reload of the registry. ``attempts`` (a list)
    receives the error of each failed attempt."""
    for tries_left in reversed(range(MAX_TRIES_ON_CONCURRENCY_FAILURE)):
        try:
            result = function(env)
            env.flush_all()
            return result
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
            if attempts is not None:
                attempts.append(error)
            if not tries_left:
                raise
            env.cr.rollback()
            env.clear()
            time.sleep(random.uniform(0.0, 0.3))


@tagged("post_install", "-at_install")
class TestConcurrentScheduling(TransactionCase):
    def setUp(self):
        super().setUp()
        self.db = db_connect(self.env.cr.dbname)
        # A cursor used as a context manager commits when the block ends.
        with self.db.cursor() as cr:
            env = self._env(cr)
            user = env.ref("base.user_admin")
            self.partner_id = env["res.partner"].create({"name": "Concurrent Customer", "user_id": user.id}).id
            self.product_id = env["product.product"].create({"name": "Concurrent Service", "type": "service"}).id
            activity_type = env.ref("mail.mail_activity_data_call")
            self.rule_ids = (
                env["olimp.followup.rule"]
                .create(
                    [
                        {
                            "name": "Concurrent thanks",
                            "trigger": "invoice_paid",
                            "delay_days": 1,
                            "activity_type_id": activity_type.id,
                            "domain": f"[('partner_id', '=', {self.partner_id})]",
                        },
                        {
                            "name": "Concurrent feedback",
                            "trigger": "order_confirmed",
                            "delay_days": 3,
                            "activity_type_id": activity_type.id,
                            "domain": f"[('partner_id', '=', {self.partner_id})]",
                        },
                        {
                            "name": "Concurrent reactivation",
                            "trigger": "no_order",
                            "no_order_days": 30,
                            "activity_type_id": activity_type.id,
                            "domain": f"[('id', '=', {self.partner_id})]",
                        },
                        {
                            "name": "Concurrent reminder",
                            "trigger": "order_confirmed",
                            "task_type": "reorder",  # a new order ends it
                            "delay_days": 80,
                            "activity_type_id": activity_type.id,
                            "domain": f"[('partner_id', '=', {self.partner_id})]",
                        },
                    ]
                )
                .ids
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": self.partner_id,
                        "user_id": user.id,
                        "order_line": [Command.create({"product_id": self.product_id, "price_unit": 10})],
                    }
                    for __ in range(2)
                ]
            )
            # Confirmed without firing the triggers: the tests fire them. The second order is a day later.
            for order, days in zip(orders, (40, 39), strict=True):
                order.write({"state": "sale", "date_order": fields.Datetime.now() - timedelta(days=days)})
            self.order_id, self.order_2_id = orders.ids
        self.addCleanup(self._delete_committed_data)

    def _env(self, cr):
        cr.execute("SET lock_timeout = '30s'")
        return api.Environment(cr, SUPERUSER_ID, {})

    def _delete_committed_data(self):
        with self.db.cursor() as cr:
            env = self._env(cr)
            env["olimp.followup"].search(
                ["|", ("rule_id", "in", self.rule_ids), ("partner_id", "=", self.partner_id)]
            ).unlink()
            orders = env["sale.order"].browse([self.order_id, self.order_2_id])
            orders.write({"state": "cancel"})
            orders.unlink()
            env["olimp.followup.cycle"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["olimp.followup.rule"].browse(self.rule_ids).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env["product.product"].browse(self.product_id).product_tmpl_id.unlink()

    def _count(self):
        """Follow-ups per rule of the test's order and customer (the database's own rules may fire too)."""
        with closing(self.db.cursor()) as cr:
            cr.execute(
                "SELECT rule_id, count(*) FROM olimp_followup WHERE order_id = %s OR partner_id = %s GROUP BY rule_id",
                [self.order_id, self.partner_id],
            )
            return dict(cr.fetchall())

    def _activity_count(self):
        with closing(self.db.cursor()) as cr:
            cr.execute(
                "SELECT count(*) FROM mail_activity WHERE (res_model = 'sale.order' AND res_id = %s) "
                "OR (res_model = 'res.partner' AND res_id = %s)",
                [self.order_id, self.partner_id],
            )
            return cr.fetchone()[0]

    def _schedule(self, env, which, order_id=None):
        order = env["sale.order"].browse(order_id or self.order_id)
        if which == "order":
            return env["olimp.followup"]._schedule_orders("order_confirmed", order)
        if which == "paid":
            return env["olimp.followup"]._schedule_orders("invoice_paid", order)
        rule = env["olimp.followup.rule"].browse(self.rule_ids[2])
        return env["olimp.followup"]._schedule_no_order(rules=rule)[0]

    def _call(self, env, which, order_id=None, attempts=None):
        """An order trigger is a user's call (retried); the scan of silent customers a cron's (not retried)."""
        if which == "no_order":
            return self._schedule(env, which)
        return user_call(env, lambda env: self._schedule(env, which, order_id), attempts)

    def _race_after_commit(self, which, order_b=None):
        """B's snapshot predates A's commit: B cannot see A's follow-ups and must not duplicate them (a user's call
        is retried and then sees them; the cron skips them)."""
        with closing(self.db.cursor()) as cr_a, closing(self.db.cursor()) as cr_b:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            self.assertEqual(env_b["sale.order"].browse(self.order_id).state, "sale")  # B's snapshot starts
            created_a = self._schedule(env_a, which)
            self.assertIn(self.rule_ids[1 if which == "order" else 2], created_a.rule_id.ids)
            cr_a.commit()
            attempts = []
            created_b = self._call(env_b, which, order_b, attempts)
            cr_b.commit()
            if which != "no_order":
                self.assertEqual(len(attempts), 1, "B took its turn: retried once")
            return created_b

    def _race_in_flight(self, which, order_b=None):
        """B works while A's changes are not committed yet: B waits for A, then (retried, for a user's call) sees
        what A made."""
        with closing(self.db.cursor()) as cr_a, closing(self.db.cursor()) as cr_b:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            self.assertEqual(env_b["sale.order"].browse(self.order_id).state, "sale")  # B's snapshot starts
            self.assertIn(self.rule_ids[1 if which == "order" else 2], self._schedule(env_a, which).rule_id.ids)
            result = {}

            def run_b():
                try:
                    result["created"] = self._call(env_b, which, order_b).ids
                    cr_b.commit()
                except Exception as error:  # reported by the main thread
                    result["error"] = error
                    cr_b.rollback()

            thread = threading.Thread(target=run_b)
            thread.start()
            self._wait_until_blocked(cr_b._cnx.get_backend_pid(), thread)
            cr_a.commit()
            thread.join(60)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", result)
            return result["created"]

    def _wait_until_blocked(self, pid, thread):
        if self._wait_for_lock(pid, thread, tries=200) == "timeout":
            self.fail("The second transaction never waited for the first one")

    def _wait_for_lock(self, pid, thread, tries):
        """``"lock"`` once the transaction of ``pid`` waits for a lock, ``"done"`` if ``thread`` ends first, else
        ``"timeout"`` after ``tries`` polls, 50 ms apart."""
        with closing(self.db.cursor()) as cr:
            for __ in range(tries):
                if not thread.is_alive():
                    return "done"
                cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cr.fetchone()
                if row and row[0] == "Lock":
                    return "lock"
                cr.rollback()
                time.sleep(0.05)
        return "done" if not thread.is_alive() else "timeout"

    def _assert_once(self, rule_index):
        counts = self._count()
        self.assertEqual(counts.get(self.rule_ids[rule_index]), 1)
        self.assertEqual(set(counts.values()), {1}, "one follow-up per rule")
        self._assert_activities()

    def _assert_activities(self):
        """One activity per planned follow-up whose window opened (the others get theirs later), none else."""
        with closing(self.db.cursor()) as cr:
            followups = self._env(cr)["olimp.followup"].search(
                [("partner_id", "=", self.partner_id), ("state", "=", "planned")]
            )
            due = followups.filtered(lambda f: f.date_activity <= fields.Date.context_today(f))
            self.assertEqual(followups.filtered("activity_id"), due, "an activity for each follow-up due")
            self.assertEqual(len(due.activity_id), len(due))
        self.assertEqual(self._activity_count(), len(due), "one activity per follow-up due")

    def test_order_trigger_race_after_commit(self):
        self.assertFalse(self._race_after_commit("order"))
        self._assert_once(1)

    def test_order_trigger_race_in_flight(self):
        self.assertEqual(self._race_in_flight("order"), [])
        self._assert_once(1)

    def test_no_order_cron_race_after_commit(self):
        self.assertFalse(self._race_after_commit("no_order"))
        self._assert_once(2)

    def test_no_order_cron_race_in_flight(self):
        self.assertEqual(self._race_in_flight("no_order"), [])
        self._assert_once(2)

    # -- two orders of one customer ------------------------------------------------------------------------------
    def _assert_one_open_per_rule_covering_both_orders(self):
        """Whoever went first: one planned follow-up per rule for the customer (the database's own rules too), and
        both orders in the follow-ups of each rule that fires on confirmation (none lost)."""
        orders = {self.order_id, self.order_2_id}
        with closing(self.db.cursor()) as cr:
            env = self._env(cr)
            followups = env["olimp.followup"].search([("partner_id", "=", self.partner_id)])
            planned = followups.filtered(lambda f: f.state == "planned")
            self.assertEqual(len(planned), len(planned.rule_id), "one open follow-up per rule and customer")
            confirmation_rules = followups.rule_id.filtered(lambda r: r.trigger == "order_confirmed")
            self.assertIn(self.rule_ids[1], confirmation_rules.ids)
            for rule in confirmation_rules:
                covered = followups.filtered(lambda f, rule=rule: f.rule_id == rule).order_ids
                self.assertEqual(set(covered.ids), orders, rule.name)
            # The reminder counts from the later order, whichever was confirmed first.
            reminder = planned.filtered(lambda f: f.rule_id.id == self.rule_ids[3])
            self.assertEqual(reminder.order_id.id, self.order_2_id)
        self._assert_activities()

    def test_two_orders_of_a_customer_in_flight(self):
        """A salesperson confirms an order; a colleague confirms another order of the same customer meanwhile."""
        self._race_in_flight("order", order_b=self.order_2_id)
        self._assert_one_open_per_rule_covering_both_orders()

    def test_two_orders_of_a_customer_after_commit(self):
        self._race_after_commit("order", order_b=self.order_2_id)
        self._assert_one_open_per_rule_covering_both_orders()

    def test_two_orders_of_a_customer_at_once(self):
        """Two workers confirm the two orders of one customer at the same moment, three rounds, either order first."""
        for round_ in range(3):
            with self.db.cursor() as cr:
                self._env(cr)["olimp.followup"].search([("partner_id", "=", self.partner_id)]).unlink()
            order_ids = [self.order_id, self.order_2_id][:: 1 if round_ % 2 else -1]
            workers = [lambda env, order_id=order_id: self._call(env, "order", order_id) for order_id in order_ids]
            errors = self._run_together(workers)
            self.assertFalse(errors, f"round {round_}")
            self._assert_one_open_per_rule_covering_both_orders()

    # -- crons and triggers at once ------------------------------------------------------------------------------
    def _overdue_followup(self):
        """A planned follow-up of the test's order whose deadline passed since the overdue cron last ran."""
        with self.db.cursor() as cr:
            env = self._env(cr)
            followup = self._schedule(env, "order").filtered(lambda f: f.rule_id.id == self.rule_ids[1])
            self.assertTrue(followup.is_overdue, "due 37 days ago")
            followup.flush_recordset()
            cr.execute("UPDATE olimp_followup SET is_overdue = false WHERE id = %s", [followup.id])
            return followup.id

    def _run(self, env, function, result):
        try:
            result["value"] = function(env)
            env.flush_all()
            env.cr.commit()
        except Exception as error:  # reported by the main thread
            result["error"] = error
            env.cr.rollback()

    def test_overdue_cron_while_a_followup_is_being_done(self):
        """The salesperson marks the follow-up done; the cron meanwhile skips it instead of failing on it."""
        followup_id = self._overdue_followup()
        with closing(self.db.cursor()) as cr_user, closing(self.db.cursor()) as cr_cron:
            env_user, env_cron = self._env(cr_user), self._env(cr_cron)
            self.assertTrue(env_cron["olimp.followup"].browse(followup_id).activity_id)  # the cron's snapshot
            env_user["olimp.followup"].browse(followup_id).action_done(feedback="Late, but done")
            env_user.flush_all()
            result = {}
            thread = threading.Thread(
                target=self._run, args=(env_cron, lambda env: env["olimp.followup"]._cron_flag_overdue(), result)
            )
            thread.start()
            # Still running after the polls counts as waiting too.
            blocked = self._wait_for_lock(cr_cron._cnx.get_backend_pid(), thread, tries=100) != "done"
            cr_user.commit()
            thread.join(60)
            self.assertFalse(thread.is_alive())
            self.assertNotIn("error", result)
            self.assertFalse(blocked, "the cron does not wait for the follow-up being done")
        self._assert_done_late(followup_id)

    def test_overdue_cron_after_a_followup_was_done(self):
        """The follow-up was done and committed after the cron's transaction began: skipped, no error."""
        followup_id = self._overdue_followup()
        with closing(self.db.cursor()) as cr_cron:
            env_cron = self._env(cr_cron)
            self.assertTrue(env_cron["olimp.followup"].browse(followup_id).activity_id)  # the cron's snapshot
            with self.db.cursor() as cr_user:
                self._env(cr_user)["olimp.followup"].browse(followup_id).action_done(feedback="Late, but done")
            env_cron["olimp.followup"]._cron_flag_overdue()
            env_cron.flush_all()
            cr_cron.commit()
        self._assert_done_late(followup_id)

    def _assert_done_late(self, followup_id):
        with closing(self.db.cursor()) as cr:
            followup = self._env(cr)["olimp.followup"].browse(followup_id)
            self.assertRecordValues(followup, [{"state": "done", "is_overdue": True, "on_time": False}])
            self.assertEqual(followup.feedback, "Late, but done")

    def _run_together(self, workers):
        """Run each ``worker(env)`` in its own transaction and thread, started together; return their errors."""
        cursors = [self.db.cursor() for _worker in workers]
        try:
            envs = [self._env(cr) for cr in cursors]
            barrier = threading.Barrier(len(workers))
            results = [{} for _worker in workers]

            def run(env, function, result, barrier=barrier):
                barrier.wait(30)
                self._run(env, function, result)

            threads = [threading.Thread(target=run, args=args) for args in zip(envs, workers, results, strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        finally:
            for cr in cursors:
                cr.close()
        return [result["error"] for result in results if "error" in result]

    def test_triggers_and_crons_at_once(self):
        """Every trigger and cron of follow-ups from several workers at once, three rounds: each follow-up once."""
        workers = [
            lambda env: self._call(env, "order"),
            lambda env: self._call(env, "order"),
            lambda env: self._call(env, "paid"),
            lambda env: self._call(env, "paid"),
            lambda env: self._schedule(env, "no_order"),
            lambda env: self._schedule(env, "no_order"),
            lambda env: env["olimp.followup"]._cron_flag_overdue(),
            lambda env: env["olimp.followup"]._cron_create_activities(),
        ]
        for round_ in range(3):
            with self.db.cursor() as cr:
                env = self._env(cr)
                env["olimp.followup"].search([("rule_id", "in", self.rule_ids)]).unlink()
            errors = self._run_together(workers)
            self.assertFalse(errors, f"round {round_}")
            counts = self._count()
            self.assertEqual({rule: counts.get(rule) for rule in self.rule_ids}, dict.fromkeys(self.rule_ids, 1))
            self.assertEqual(set(counts.values()), {1}, "one follow-up per rule (the database's own rules too)")
            self._assert_activities()
