"""The access matrix of the follow-up models, over the ORM and over JSON-RPC (the mixin of olimp_kpi).

Rules are the regulation: read by every KPI group, written by KPI administrators. Follow-ups: sales people read
and write their own (the outcome; the deadline, responsible and state only through the actions, see
``test_done``), team leaders their team's, administrators create and delete. The outcome dialog belongs to its
creator. Customers' post-sale cycles are read by every KPI group and written by the regulation only (the
scheduler, as superuser). HR officers, KPI HR readers (who read scorecards, not follow-ups), plain internal users
and portal users get nothing; so do the users of OCA Payroll and commissions when installed. The partner's passport
and the meeting's protocol are plain fields of contacts and meetings, without groups of their own: the rights on
contacts and meetings apply, and are Odoo's.
"""

from odoo.addons.olimp_kpi.tests.test_access_matrix import AccessMatrixMixin
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

# r = read, w = write, c = create, u = unlink (delete)
EXPECTED = {
    "olimp.followup.rule": {"kpi_user": "r", "kpi_manager": "r", "kpi_admin": "rwcu"},
    "olimp.followup": {"kpi_user": "rw", "kpi_manager": "rw", "kpi_admin": "rwcu"},
    "olimp.followup.done.wizard": {"kpi_user": "rwcu", "kpi_manager": "rwcu", "kpi_admin": "rwcu"},
    "olimp.followup.cycle": {"kpi_user": "r", "kpi_manager": "r", "kpi_admin": "r"},
    # Acknowledgements of the regulation: asked and given through their actions, read by their salesperson and
    # team leader.
    "olimp.followup.acknowledgement": {"kpi_user": "r", "kpi_manager": "r", "kpi_admin": "rwcu"},
}


@tagged("post_install", "-at_install")
class TestFollowupAccessMatrix(AccessMatrixMixin, HttpCase):
    expected_matrix = EXPECTED
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.activity_type = env.ref("mail.mail_activity_data_call")
        cls.rule = env["olimp.followup.rule"].create(
            {"name": "Matrix reactivation", "trigger": "no_order", "activity_type_id": cls.activity_type.id}
        )
        cls.customer = env["res.partner"].create({"name": "Matrix customer"})
        # The KPI user's own follow-up, in the KPI manager's team (the manager leads the user's employee).
        cls.followup = env["olimp.followup"].create(cls._followup_values(cls, "matrix/own"))
        assert cls.followup.manager_user_id == cls.users["kpi_manager"]

    def _followup_values(self, key, user="kpi_user"):
        # A customer each: a rule holds one open follow-up per customer.
        customer = self.env["res.partner"].create({"name": f"Matrix customer {key}"})
        return {
            "rule_id": self.rule.id,
            "partner_id": customer.id,
            "period_key": key,
            "user_id": self.users[user].id,
            "date_deadline": "2026-12-01",
        }

    @mute_logger("odoo.http")
    def test_record_rules_over_json_rpc(self):
        """Own / team / all: the follow-ups each user gets back over JSON-RPC; others' cannot be read."""
        Followup = self.env["olimp.followup"]
        others = {
            key: Followup.create(self._followup_values(f"matrix/{key}", key)) for key in ("kpi_manager", "kpi_admin")
        }
        everything = self.followup | others["kpi_manager"] | others["kpi_admin"]
        expected = {
            "kpi_user": self.followup,
            "kpi_manager": self.followup | others["kpi_manager"],
            "kpi_admin": everything,
        }
        for key, visible in expected.items():
            self.authenticate(self.users[key].login, self.users[key].login)
            rows = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "olimp.followup",
                    "method": "search_read",
                    "args": [[("id", "in", everything.ids)], ["state"]],
                    "kwargs": {},
                },
            )
            self.assertEqual({row["id"] for row in rows}, set(visible.ids), key)
        self.authenticate(self.users["kpi_user"].login, self.users["kpi_user"].login)
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "olimp.followup",
                    "method": "read",
                    "args": [others["kpi_admin"].ids, ["feedback"]],
                    "kwargs": {},
                },
            )
        self.assertIn("AccessError", str(caught.exception))

    def _target(self, model, user):
        if model == "olimp.followup.rule":
            return self.env[model].create(
                {"name": f"Tmp {self._next()}", "activity_type_id": self.activity_type.id, "trigger": "invoice_paid"}
            )
        if model == "olimp.followup":
            return self.followup
        if model == "olimp.followup.done.wizard":
            # Dialogs belong to their creator: made as the user.
            return self.env(user=user, su=True)[model].create({"followup_ids": [(6, 0, self.followup.ids)]}).sudo(False)
        if model == "olimp.followup.cycle":
            return self.env[model].create(self._create_values(model))
        if model == "olimp.followup.acknowledgement":
            values = dict(self._create_values(model), user_id=self.users["kpi_user"].id)
            values["manager_user_id"] = self.users["kpi_manager"].id
            return self.env[model].create(values)
        return super()._target(model, user)

    def _create_values(self, model):
        if model == "olimp.followup.rule":
            return {"name": "New", "trigger": "order_confirmed", "activity_type_id": self.activity_type.id}
        if model == "olimp.followup":
            return self._followup_values(f"matrix/{self._next()}")
        if model == "olimp.followup.done.wizard":
            return {"followup_ids": [(6, 0, self.followup.ids)]}
        if model == "olimp.followup.cycle":
            customer = self.env["res.partner"].create({"name": f"Matrix cycle {self._next()}"})
            return {"partner_id": customer.id, "company_id": self.env.company.id}
        if model == "olimp.followup.acknowledgement":
            return {"user_id": self.users["kpi_admin"].id, "company_id": self.env.company.id, "version": self._next()}
        return super()._create_values(model)

    def _write_values(self, model):
        values = {
            "olimp.followup.rule": {"delay_days": 5},
            "olimp.followup": {"feedback": "Called, all good"},
            "olimp.followup.done.wizard": {"feedback": "All good"},
            "olimp.followup.cycle": {"date_start": "2026-11-01"},
            "olimp.followup.acknowledgement": {"state": "done"},
        }
        return values.get(model) or super()._write_values(model)
