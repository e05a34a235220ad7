"""Two workers at once: generation, refresh and closing from two real database transactions.

These tests commit: they run on their own cursors (not the test transaction), build their data under a unique
prefix, and delete it afterwards.
"""

import threading

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

MONTH = "2026-11-01"
PREFIX = "olimp_concurrency"


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


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls._cleanup()
        cls.addClassCleanup(cls._cleanup)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            kpi = env["olimp.kpi"].create(
                {
                    "name": "Concurrent leads",
                    "code": f"{PREFIX}_LEADS",
                    "model_id": env["ir.model"]._get_id("crm.lead"),
                    "aggregation": "count",
                    "date_field_id": env["ir.model.fields"]._get("crm.lead", "date_deadline").id,
                    "user_field_id": env["ir.model.fields"]._get("crm.lead", "user_id").id,
                }
            )
            profile = env["olimp.kpi.profile"].create(
                {"name": PREFIX, "line_ids": [Command.create({"kpi_id": kpi.id, "target": 2, "weight": 1})]}
            )
            employees = env["hr.employee"]
            for index in range(6):
                user = env["res.users"].create({"name": f"{PREFIX} {index}", "login": f"{PREFIX}_{index}"})
                employees |= env["hr.employee"].create(
                    {"name": f"{PREFIX} {index}", "user_id": user.id, "olimp_kpi_profile_id": profile.id}
                )
                env["crm.lead"].create({"name": PREFIX, "user_id": user.id, "date_deadline": "2026-11-10"})
            cls.employee_ids = employees.ids

    @classmethod
    def _cleanup(cls):
        """Delete everything made under the prefix (also what an interrupted earlier run left)."""
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            employees = env["hr.employee"].search([("name", "=like", f"{PREFIX}%")])
            users = env["res.users"].search([("login", "=like", f"{PREFIX}%")])
            scorecards = env["olimp.kpi.scorecard"].search([("employee_id", "in", employees.ids)])
            scorecards.write({"state": "open"})
            scorecards.unlink()
            env["crm.lead"].search([("name", "=", PREFIX)]).unlink()
            employees.unlink()
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            env["olimp.kpi.profile"].search([("name", "=", PREFIX)]).unlink()
            env["olimp.kpi"].search([("code", "=like", f"{PREFIX}%")]).unlink()

    def _employees(self, env):
        return env["hr.employee"].browse(self.employee_ids)

    def _scorecards(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecards = env["olimp.kpi.scorecard"].search([("employee_id", "in", self.employee_ids)])
            return [
                (sc.employee_id.id, str(sc.date_from), sc.state, sc.line_ids.mapped("actual"), sc.refreshed_on)
                for sc in scorecards
            ]

    def test_1_generate_twice_at_once(self):
        for _attempt in range(3):
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

        for _attempt in range(3):
            self.assertEqual(run_in_parallel(self.registry, refresh, refresh, refresh), [])
        rows = self._scorecards()
        self.assertTrue(rows)
        self.assertTrue(all(actuals == [1.0] for __, __, __, actuals, __ in rows), rows)

    def test_3_refresh_does_not_touch_a_scorecard_being_closed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            scorecard = env["olimp.kpi.scorecard"].search([("employee_id", "=", self.employee_ids[0])])
            scorecard.action_refresh()
            frozen_on = scorecard.refreshed_on
            env["crm.lead"].create({"name": PREFIX, "user_id": scorecard.user_id.id, "date_deadline": "2026-11-11"})
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
            self.assertEqual(closed.line_ids.actual, 1.0, "the lead created before closing is not counted after it")

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
