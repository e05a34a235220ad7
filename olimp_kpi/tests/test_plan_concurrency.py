"""Several people on the same cells of the plan grid, from real database transactions (see test_concurrency.py).

Two team leaders plan the same employees: Lena as their manager, Theo as the leader of their sales team. The
interleavings are made deterministic: one change is left uncommitted on its own cursor while the other starts and
waits for its lock; then the first commits. A user's call goes through the same retry as a JSON-RPC call.
"""

import time

from psycopg2 import errors as pgerrors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_concurrency import (
    PrefixedConcurrencyCase,
    Worker,
    company_and_leads_kpi,
    pause_refresh,
    run_in_parallel,
    wait_until_blocked,
)

MONTH = "2024-05-01"  # a past month with an open scorecard
FUTURE = "2024-06-01"  # a month without scorecards
PREFIX = "olimp_plan_concurrency"


@tagged("post_install", "-at_install")
class TestPlanConcurrency(PrefixedConcurrencyCase):
    prefix = PREFIX

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company, kpi = company_and_leads_kpi(env, PREFIX, "Concurrent plans")
            profile = env["olimp.kpi.profile"].create(
                {
                    "name": PREFIX,
                    "company_id": company.id,
                    "line_ids": [Command.create({"kpi_id": kpi.id, "target": 2, "weight": 1})],
                }
            )

            def user(login, group):
                return env["res.users"].create(
                    {
                        "name": f"{PREFIX} {login}",
                        "login": f"{PREFIX}_{login}",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [Command.set([env.ref(group).id])],
                    }
                )

            lena, theo = user("lena", "olimp_kpi.group_kpi_manager"), user("theo", "olimp_kpi.group_kpi_manager")
            manager = env["hr.employee"].create(
                {"name": f"{PREFIX} Lena", "user_id": lena.id, "company_id": company.id}
            )
            sellers = [user(f"seller_{index}", "olimp_kpi.group_kpi_user") for index in range(3)]
            env["crm.team"].create(
                {
                    "name": PREFIX,
                    "user_id": theo.id,
                    "company_id": company.id,
                    "crm_team_member_ids": [Command.create({"user_id": seller.id}) for seller in sellers],
                }
            )
            employees = env["hr.employee"]
            for seller in sellers:
                employees |= env["hr.employee"].create(
                    {
                        "name": seller.name,
                        "user_id": seller.id,
                        "company_id": company.id,
                        "parent_id": manager.id,
                        "olimp_kpi_profile_id": profile.id,
                    }
                )
            env["olimp.kpi.scorecard"].generate(MONTH, employees)
            cls.kpi_id, cls.lena_id, cls.theo_id = kpi.id, lena.id, theo.id
            cls.employee_ids = employees.ids

    # -- helpers ---------------------------------------------------------------------------------------------
    def _set(self, env, index, month, text, seen=None):
        return env["olimp.kpi.plan"].set_grid_plan(self.employee_ids[index], self.kpi_id, month, text, seen=seen)

    def _state(self, index, month):
        """The plans of the cell (to count duplicates) and the open line's target."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            plans = env["olimp.kpi.plan"].search(
                [
                    ("employee_id", "=", self.employee_ids[index]),
                    ("kpi_id", "=", self.kpi_id),
                    ("date_from", "=", month),
                ]
            )
            line = env["olimp.kpi.scorecard.line"].search(
                [
                    ("employee_id", "=", self.employee_ids[index]),
                    ("kpi_id", "=", self.kpi_id),
                    ("date_from", "=", month),
                ]
            )
            return plans.mapped("target"), line.target if line else None

    def _reset(self, index, month, target=None):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            plans = env["olimp.kpi.plan"].search(
                [
                    ("employee_id", "=", self.employee_ids[index]),
                    ("kpi_id", "=", self.kpi_id),
                    ("date_from", "=", month),
                ]
            )
            plans.unlink()
            if target is not None:
                self._set(env, index, month, str(target))

    def _leader_env(self, cr, uid):
        return api.Environment(cr, uid, {"lang": "en_US"})

    def _race(self, index, month, first, second):
        """``first(env)`` on Lena's cursor, left uncommitted; ``second(env)`` as Theo's call meanwhile, which must wait
        for it; then the first commits. Returns Theo's worker."""
        with self.registry.cursor() as cr:
            first(self._leader_env(cr, self.lena_id))
            cr.flush()
            theo = Worker(self.registry, second, retry=True, uid=self.theo_id).start()
            self.assertTrue(wait_until_blocked(self.registry, theo), "Theo waits for Lena's change")
            # Past the deadlock timeout (1 s): were there a deadlock, one of them would be its victim.
            time.sleep(1.2)
            cr.commit()  # pylint: disable=invalid-commit
        return theo.join()

    def _no_deadlock(self, worker):
        self.assertFalse([e for e in worker.attempts if isinstance(e, pgerrors.DeadlockDetected)], worker.attempts)

    # -- cases -----------------------------------------------------------------------------------------------
    def test_1_same_planned_cell_of_an_open_month(self):
        """Both saw 2 and type their own plan: Lena's is saved, Theo is told instead of overwriting it."""
        self._reset(0, MONTH, 2)
        theo = self._race(
            0,
            MONTH,
            lambda env: self._set(env, 0, MONTH, "5", seen=2),
            lambda env: self._set(env, 0, MONTH, "7", seen=2),
        )
        self._no_deadlock(theo)
        self.assertIsInstance(theo.error, UserError)
        self.assertIn("has just changed the plan", str(theo.error))
        self.assertEqual(self._state(0, MONTH), ([5.0], 5.0), "one plan, Lena's, and the scorecard follows it")

    def test_2_same_new_cell_of_a_future_month(self):
        """Nobody planned the cell yet: one plan is made, the second person is told, no duplicate, no error page."""
        self._reset(1, FUTURE)
        theo = self._race(
            1, FUTURE, lambda env: self._set(env, 1, FUTURE, "4"), lambda env: self._set(env, 1, FUTURE, "9")
        )
        self._no_deadlock(theo)
        self.assertIsInstance(theo.error, UserError)
        self.assertEqual(self._state(1, FUTURE), ([4.0], None))

    def test_3_grid_and_scorecard_form_on_the_same_cell(self):
        """Lena types the target on the scorecard line while Theo types it in the grid: the line and the plan agree."""
        self._reset(2, MONTH, 2)

        def line_edit(env):
            line = env["olimp.kpi.scorecard.line"].search(
                [("employee_id", "=", self.employee_ids[2]), ("date_from", "=", MONTH)]
            )
            line.write({"target": 6})

        theo = self._race(2, MONTH, line_edit, lambda env: self._set(env, 2, MONTH, "8", seen=2))
        self._no_deadlock(theo)
        self.assertIsInstance(theo.error, UserError)
        self.assertEqual(self._state(2, MONTH), ([6.0], 6.0))

    def test_4_plan_typed_while_the_refresh_holds_the_scorecard(self):
        self._reset(0, MONTH, 2)
        with self.registry.cursor() as cr:
            scorecard_id = (
                api.Environment(cr, SUPERUSER_ID, {})["olimp.kpi.scorecard"]
                .search([("employee_id", "=", self.employee_ids[0]), ("date_from", "=", MONTH)])
                .id
            )
        refresh = Worker(self.registry, lambda env: env["olimp.kpi.scorecard"].browse(scorecard_id).action_refresh())
        with pause_refresh(refresh.env.cr) as (locked, go):
            refresh.start()
            self.assertTrue(locked.wait(30))
            edit = Worker(
                self.registry, lambda env: self._set(env, 0, MONTH, "3", seen=2), retry=True, uid=self.theo_id
            ).start()
            wait_until_blocked(self.registry, edit)
            time.sleep(1.2)
            go.set()
            refresh.join()
            edit.join()
        self.assertIsNone(refresh.error)
        self.assertIsNone(edit.error)
        self._no_deadlock(edit)
        self.assertEqual(self._state(0, MONTH), ([3.0], 3.0))

    def test_5_different_cells_at_once(self):
        """Each leader plans other employees of the same month at the same time: nobody is refused."""
        for index in range(3):
            self._reset(index, FUTURE)
        errors = run_in_parallel(
            self.registry,
            *(
                lambda env, index=index: self._set(
                    env(user=self.lena_id if index % 2 else self.theo_id), index, FUTURE, "5"
                )
                for index in range(3)
            ),
        )
        self.assertEqual(errors, [])
        self.assertEqual([self._state(index, FUTURE)[0] for index in range(3)], [[5.0], [5.0], [5.0]])
