"""Who may read, write, create and delete what, checked over the ORM and over JSON-RPC (/web/dataset/call_kw).

The matrix is data (``EXPECTED``): each cell lists the operations a group may perform on a model; the test tries
every operation for every group and model, and checks it is allowed exactly when the matrix says so.

Other add-ons reuse :class:`AccessMatrixMixin` for their own models: they set ``expected_matrix`` and extend
``_target``, ``_create_values`` and ``_write_values`` (see ``olimp_followup/tests/test_access_matrix.py``); the
tests over the ORM and over JSON-RPC come with the mixin (``allow_inherited_tests_method`` lets Odoo run them).

Scorecards are read by the KPI groups only: HR officers read the catalogue (KPIs, checklists, profiles: the
employee form shows the profile), not a single scorecard; *KPI / HR Reader* reads every scorecard and writes none.
Installing OCA Payroll or OCA commissions must not widen that: when they are installed, their groups join the
matrix with the rights of HR officers (payroll users are HR officers) or of plain internal users.
"""

import logging

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)
MONTH = "2026-11-01"

GROUPS = {
    "kpi_user": "olimp_kpi.group_kpi_user",
    "kpi_manager": "olimp_kpi.group_kpi_manager",
    "kpi_admin": "olimp_kpi.group_kpi_admin",
    "hr_officer": "hr.group_hr_user",
    "hr_reader": "olimp_kpi.group_kpi_hr_reader",
    "internal": "base.group_user",
    "portal": "base.group_portal",
}

# Groups of other modules, checked when installed, with the rights of the group named second.
OPTIONAL_GROUPS = {
    "payroll_user": ("payroll.group_payroll_user", "hr_officer"),
    "payroll_manager": ("payroll.group_payroll_manager", "hr_officer"),
    "commission_user": ("commission_oca.group_commission_user", "internal"),
    "commission_manager": ("commission_oca.group_commission_manager", "internal"),
}

# r = read, w = write, c = create, u = unlink (delete)
EXPECTED = {
    "olimp.kpi": {"kpi_user": "r", "kpi_manager": "r", "kpi_admin": "rwcu", "hr_officer": "r", "hr_reader": "r"},
    "olimp.kpi.checklist.item": {
        "kpi_user": "r",
        "kpi_manager": "r",
        "kpi_admin": "rwcu",
        "hr_officer": "r",
        "hr_reader": "r",
    },
    "olimp.kpi.profile": {
        "kpi_user": "r",
        "kpi_manager": "r",
        "kpi_admin": "rwcu",
        "hr_officer": "r",
        "hr_reader": "r",
    },
    "olimp.kpi.profile.line": {
        "kpi_user": "r",
        "kpi_manager": "r",
        "kpi_admin": "rwcu",
        "hr_officer": "r",
        "hr_reader": "r",
    },
    "olimp.kpi.scorecard": {"kpi_user": "r", "kpi_manager": "rwc", "kpi_admin": "rwcu", "hr_reader": "r"},
    "olimp.kpi.scorecard.line": {"kpi_user": "r", "kpi_manager": "rwc", "kpi_admin": "rwcu", "hr_reader": "r"},
    "olimp.kpi.scorecard.answer": {"kpi_user": "r", "kpi_manager": "rwc", "kpi_admin": "rwcu", "hr_reader": "r"},
    # Plans: read by their employee and by HR readers, made by team leaders for their team.
    "olimp.kpi.plan": {"kpi_user": "r", "kpi_manager": "rwcu", "kpi_admin": "rwcu", "hr_reader": "r"},
    # A team leader's month review: theirs to read and note; made by the scheduled action.
    "olimp.kpi.month.review": {"kpi_manager": "rw", "kpi_admin": "rwcu"},
    "olimp.kpi.generate.wizard": {"kpi_manager": "rwcu", "kpi_admin": "rwcu"},
    "olimp.kpi.profile.assign.wizard": {"kpi_admin": "rwcu"},
    "olimp.kpi.close.wizard": {"kpi_manager": "rwcu", "kpi_admin": "rwcu"},
    # An export holds the figures its creator may see until downloaded; the transient vacuum deletes it.
    "olimp.kpi.export.wizard": {"kpi_user": "rwc", "kpi_manager": "rwc", "kpi_admin": "rwc", "hr_reader": "rwc"},
}


class AccessMatrixMixin:
    """Builds, for every model, records each group could legitimately touch, and tries every operation."""

    expected_matrix = EXPECTED

    @classmethod
    def _setup_matrix(cls):
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        groups = dict(GROUPS)
        cls.rights_like = {}
        for key, (xmlid, like) in OPTIONAL_GROUPS.items():
            if env.ref(xmlid, raise_if_not_found=False):
                groups[key] = xmlid
                cls.rights_like[key] = like
        cls.users = {key: new_test_user(env, f"matrix_{key}", groups=xmlid) for key, xmlid in groups.items()}
        # Every group's user is also measured, so that "own" records exist for them.
        cls.employees = {}
        for key, user in cls.users.items():
            if key != "portal":
                cls.employees[key] = env["hr.employee"].create({"name": f"Matrix {key}", "user_id": user.id})
        # The KPI user reports to the KPI manager: the manager's "team" records.
        cls.employees["kpi_user"].parent_id = cls.employees["kpi_manager"]
        cls.kpi = env["olimp.kpi"].create(
            {
                "name": "Matrix checklist",
                "code": "MATRIX_CHECK",
                "kind": "qualitative",
                "checklist_item_ids": [Command.create({"name": "Q1"}), Command.create({"name": "Q2"})],
            }
        )
        cls.kpi_other = env["olimp.kpi"].create({"name": "Matrix other", "code": "MATRIX_OTHER", "kind": "qualitative"})
        cls.profile = env["olimp.kpi.profile"].create(
            {"name": "Matrix", "line_ids": [Command.create({"kpi_id": cls.kpi.id, "target": 100})]}
        )
        for employee in cls.employees.values():
            employee.olimp_kpi_profile_id = cls.profile
        cls.scorecards = env["olimp.kpi.scorecard"].generate(
            "2026-11-01", env["hr.employee"].concat(*cls.employees.values())
        )
        cls.card = cls.scorecards.filtered(lambda sc: sc.employee_id == cls.employees["kpi_user"])
        cls.month_index = 0

    def _target(self, model, user):
        """A record of ``model`` in the KPI manager's team (the KPI user's), or a fresh one; wizards belong to
        their creator, so they are made as ``user``."""
        env = self.env
        if model.endswith(".wizard"):
            env = env(user=user, su=True)
        if model == "olimp.kpi":
            return env["olimp.kpi"].create({"name": "Tmp", "code": f"TMP_{self._next()}", "kind": "qualitative"})
        if model == "olimp.kpi.checklist.item":
            return env[model].create({"kpi_id": self.kpi.id, "name": "Tmp"})
        if model == "olimp.kpi.profile":
            return env[model].create({"name": "Tmp"})
        if model == "olimp.kpi.profile.line":
            return env[model].create({"profile_id": self.profile.id, "kpi_id": self.kpi_other.id})
        if model == "olimp.kpi.scorecard":
            return self.card
        if model == "olimp.kpi.scorecard.line":
            return self.card.line_ids[:1]
        if model == "olimp.kpi.scorecard.answer":
            return self.card.answer_ids[:1]
        if model == "olimp.kpi.plan":
            return env[model].create(self._create_values(model))
        if model == "olimp.kpi.month.review":
            return env[model].create(
                {"user_id": self.users["kpi_manager"].id, "company_id": self.card.company_id.id, "date_from": MONTH}
            )
        if model == "olimp.kpi.generate.wizard":
            return env[model].create({"date": "2026-11-01"}).sudo(False)
        if model == "olimp.kpi.profile.assign.wizard":
            return env[model].create({"profile_id": self.profile.id}).sudo(False)
        if model == "olimp.kpi.export.wizard":
            return env[model].create({"date": "2026-11-01"}).sudo(False)
        if model == "olimp.kpi.close.wizard":
            return env[model].create({"month": "2026-10-01"}).sudo(False)
        raise AssertionError(model)

    def _next(self):
        type(self).month_index += 1
        return self.month_index

    def _create_values(self, model):
        if model == "olimp.kpi":
            return {"name": "New", "code": f"NEW_{self._next()}", "kind": "qualitative"}
        if model == "olimp.kpi.checklist.item":
            return {"kpi_id": self.kpi.id, "name": "New"}
        if model == "olimp.kpi.profile":
            return {"name": "New"}
        if model == "olimp.kpi.profile.line":
            return {"profile_id": self.profile.id, "kpi_id": self.kpi_other.id}
        if model == "olimp.kpi.scorecard":
            month = 1 + self._next() % 9
            return {
                "employee_id": self.employees["kpi_user"].id,
                "user_id": self.users["kpi_user"].id,
                "company_id": self.card.company_id.id,
                "manager_user_id": self.users["kpi_manager"].id,
                "date_from": f"2025-0{month}-01",
            }
        if model == "olimp.kpi.scorecard.line":
            return {
                "scorecard_id": self.card.id,
                "kpi_id": self.kpi_other.id,
                "kind": "qualitative",
                "unit": "percent",
                "direction": "higher",
            }
        if model == "olimp.kpi.scorecard.answer":
            item = self.env["olimp.kpi.checklist.item"].create({"kpi_id": self.kpi.id, "name": "Extra"})
            return {"line_id": self.card.line_ids[:1].id, "item_id": item.id}
        if model == "olimp.kpi.plan":
            # A month to come, without scorecard: one each (unique per employee, KPI and month).
            return {
                "employee_id": self.employees["kpi_user"].id,
                "kpi_id": self.kpi.id,
                "date_from": f"2027-{1 + self._next() % 12:02d}-01",
                "target": 80,
            }
        if model == "olimp.kpi.month.review":
            return {
                "user_id": self.users["kpi_manager"].id,
                "company_id": self.card.company_id.id,
                "date_from": f"2025-{1 + self._next() % 12:02d}-01",
            }
        if model == "olimp.kpi.generate.wizard":
            return {"date": "2026-11-01"}
        if model == "olimp.kpi.profile.assign.wizard":
            return {"profile_id": self.profile.id}
        if model == "olimp.kpi.export.wizard":
            return {"date": "2026-11-01"}
        if model == "olimp.kpi.close.wizard":
            return {"month": "2026-10-01"}
        raise AssertionError(model)

    def _write_values(self, model):
        return {
            "olimp.kpi": {"sequence": 5},
            "olimp.kpi.checklist.item": {"sequence": 5},
            "olimp.kpi.profile": {"name": "Renamed"},
            "olimp.kpi.profile.line": {"weight": 2},
            "olimp.kpi.scorecard": {"note": "<p>Note</p>"},
            "olimp.kpi.scorecard.line": {"target": 90},
            "olimp.kpi.scorecard.answer": {"value": "yes"},
            "olimp.kpi.plan": {"target": 90},
            "olimp.kpi.month.review": {"checklist_reminded_on": "2026-11-25"},
            "olimp.kpi.generate.wizard": {"refresh": False},
            "olimp.kpi.profile.assign.wizard": {"employee_ids": []},
            "olimp.kpi.export.wizard": {"date": "2026-10-01"},
            "olimp.kpi.close.wizard": {"unanswered_as_no": True},
        }[model]

    def _check_matrix(self, call):
        """``call(user, model, method, args, kwargs)`` returns True when allowed, False on an access error."""
        failures = []
        checked = 0
        for model, rights in self.expected_matrix.items():
            for key, user in self.users.items():
                allowed = rights.get(key, rights.get(self.rights_like.get(key), ""))
                for op in "rwcu":
                    # Every attempt is undone, whatever it did, so that the next one starts from the same data.
                    with self.env.cr.savepoint() as savepoint:
                        if op == "c":
                            args = [[self._create_values(model)]]
                            method = "create"
                        else:
                            record = self._target(model, user)
                            method, args = {
                                "r": ("read", [record.ids, ["display_name"]]),
                                "w": ("write", [record.ids, self._write_values(model)]),
                                "u": ("unlink", [record.ids]),
                            }[op]
                        done = call(user, model, method, args, {})
                        savepoint.close(rollback=True)
                    self.env.invalidate_all()
                    checked += 1
                    if done != (op in allowed):
                        failures.append(f"{key} {method} {model}: {'allowed' if done else 'denied'}")
        self.assertFalse(failures, "\n".join(failures))
        self.assertEqual(checked, len(self.expected_matrix) * len(self.users) * 4)
        _logger.info(
            "%s: %s cells of the access matrix checked (models × groups × operations), with the groups of %s",
            self,
            checked,
            ", ".join(sorted({xmlid.split(".")[0] for xmlid, __ in map(OPTIONAL_GROUPS.get, self.rights_like)}))
            or "no optional module",
        )

    def test_matrix_over_orm(self):
        def call(user, model, method, args, kwargs):
            records = self.env[model].with_user(user)
            if method != "create":
                records = records.browse(args[0])
                args = args[1:]
            try:
                getattr(records, method)(*args, **kwargs)
                records.env.flush_all()
            except AccessError:
                return False
            return True

        self._check_matrix(call)

    @mute_logger("odoo.http")
    def test_matrix_over_json_rpc(self):
        logged_in = {}

        def call(user, model, method, args, kwargs):
            if logged_in.get("user") != user:
                self.authenticate(user.login, user.login)
                logged_in["user"] = user
            try:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": model, "method": method, "args": args, "kwargs": kwargs},
                )
            except JsonRpcException as error:
                if "AccessError" in str(error):
                    return False
                raise
            return True

        self._check_matrix(call)


@tagged("post_install", "-at_install")
class TestAccessMatrixOrm(AccessMatrixMixin, HttpCase):
    # The matrix tests (over the ORM and over JSON-RPC) come from the mixin.
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()

    @mute_logger("odoo.http")
    def test_record_rules_over_json_rpc(self):
        """Own / team / all: the ids each user gets back when searching the matrix scorecards; HR officers, as such,
        may not search scorecards at all."""
        expected = {
            "kpi_user": {"kpi_user"},
            "kpi_manager": {"kpi_user", "kpi_manager"},
            "kpi_admin": set(self.employees),
            "hr_reader": set(self.employees),
        }
        by_id = {sc.id: key for key, emp in self.employees.items() for sc in self.scorecards if sc.employee_id == emp}
        for key, visible in expected.items():
            self.authenticate(self.users[key].login, self.users[key].login)
            found = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "olimp.kpi.scorecard",
                    "method": "search_read",
                    "args": [[("id", "in", self.scorecards.ids)], ["efficiency"]],
                    "kwargs": {},
                },
            )
            self.assertEqual({by_id[row["id"]] for row in found}, visible, key)
        other = self.scorecards.filtered(lambda sc: sc.employee_id == self.employees["kpi_admin"])
        for key in ("kpi_user", "hr_officer", "internal", *self.rights_like):
            self.authenticate(self.users[key].login, self.users[key].login)
            with self.assertRaises(JsonRpcException, msg=key) as caught:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": "olimp.kpi.scorecard",
                        "method": "read",
                        "args": [other.ids, ["efficiency"]],
                        "kwargs": {},
                    },
                )
            self.assertIn("AccessError", str(caught.exception), key)
