"""Uninstalling the commission glue (``olimp_kpi_commission``) leaves nothing behind, on a copy of a populated database.

Runs only when ``OLIMP_UPGRADE_DB`` names a database with the add-ons installed (``.ci/run`` gives it the database
its Odoo tests ran on); skipped otherwise, and when the glue is not installed there. On a copy (dropped at the end):

1. a settlement whose commission applies the efficiency of a closed month is made (``odoo shell``), so that the
   glue's columns hold data: 500 before efficiency, 100 % capped at 80 %, 400 paid;
2. the glue is uninstalled (``button_immediate_uninstall``);
3. no column, field, view, menu, record or XML id of the glue is left; OCA's settlements still open and settle, with
   the amounts they had; the logs hold no ERROR or CRITICAL line.
"""

import json

import pytest
from test_upgrade import ERROR_LINE, SOURCE_DB, Copy, _query

pytestmark = pytest.mark.skipif(not SOURCE_DB, reason="OLIMP_UPGRADE_DB (a database to copy) is not set")

GLUE = "olimp_kpi_commission"
TABLES = ["commission", "commission_settlement", "commission_settlement_line"]
MODELS = ["commission", "commission.settlement", "commission.settlement.line"]

POPULATE = r"""
import json
from odoo import Command

# An agent who is the user of an employee with a closed month at 100 %: one lead counted, plan 1.
user = env["res.users"].create({"name": "Uninstall seller", "login": "uninstall_seller"})
Field = env["ir.model.fields"]
kpi = env["olimp.kpi"].create(
    {
        "name": "Uninstall leads",
        "code": "UNINSTALL_LEADS",
        "model_id": env["ir.model"]._get_id("crm.lead"),
        "aggregation": "count",
        "date_field_id": Field._get("crm.lead", "date_deadline").id,
        "user_field_id": Field._get("crm.lead", "user_id").id,
    }
)
profile = env["olimp.kpi.profile"].create(
    {"name": "Uninstall profile", "line_ids": [Command.create({"kpi_id": kpi.id, "target": 1, "weight": 1})]}
)
employee = env["hr.employee"].create(
    {"name": "Uninstall seller", "user_id": user.id, "olimp_kpi_profile_id": profile.id}
)
env["crm.lead"].create({"name": "Uninstall lead", "user_id": user.id, "date_deadline": "2025-01-15"})
scorecard = env["olimp.kpi.scorecard"].generate("2025-01-01", employee)
scorecard.action_close()
assert scorecard.efficiency == 100.0, scorecard.efficiency
agent = user.partner_id
agent.agent = True
commission = env["commission"].create(
    {
        "name": "Uninstall 10 % × efficiency",
        "fix_qty": 10.0,
        "olimp_apply_efficiency": True,
        "olimp_efficiency_cap": 80.0,
    }
)
settlement = env["commission.settlement"].create(
    {
        "agent_id": agent.id,
        "date_from": "2025-01-01",
        "date_to": "2025-01-31",
        "line_ids": [Command.create({"date": "2025-01-15", "commission_id": commission.id, "settled_amount": 500})],
    }
)
assert settlement.line_ids.olimp_efficiency_state == "applied", settlement.line_ids.olimp_efficiency_note
assert settlement.total == 400.0, settlement.total
env.cr.commit()
print("RESULT " + json.dumps({"settlement": settlement.id, "total": settlement.total}))
"""

UNINSTALL = r"""
import json
env["ir.module.module"].search([("name", "=", "olimp_kpi_commission")]).button_immediate_uninstall()
print("RESULT " + json.dumps("done"))
"""

CHECK = r"""
import json
ids = json.loads(IDS)
settlement = env["commission.settlement"].browse(ids["settlement"])
total = settlement.total
# The forms and lists of OCA's models are still valid without the glue's fields.
for model in ("commission", "commission.settlement", "commission.settlement.line"):
    for view_type in ("form", "list"):
        env[model].get_view(view_type=view_type)
line = env["commission.settlement.line"].create(
    {"settlement_id": settlement.id, "date": "2026-11-20", "commission_id": settlement.line_ids[:1].commission_id.id,
     "settled_amount": 100.0}
)
result = {
    "state": env["ir.module.module"].search([("name", "=", "olimp_kpi_commission")]).state,
    "total": total,
    "new_line": line.settled_amount,
    "fields": [name for name in env["commission.settlement.line"]._fields if name.startswith("olimp_")],
}
env.cr.rollback()
print("RESULT " + json.dumps(result))
"""


@pytest.fixture(scope="module")
def uninstalled(tmp_path_factory):
    installed = _query(SOURCE_DB, "SELECT state FROM ir_module_module WHERE name = %s", [GLUE])
    if not installed or installed[0][0] != "installed":
        pytest.skip(f"{GLUE} is not installed in {SOURCE_DB}")
    copy = Copy(SOURCE_DB, tmp_path_factory.mktemp("uninstall-glue-logs"))
    try:
        ids = copy.odoo("populate", "--no-http", script=POPULATE)
        copy.odoo("uninstall", "--no-http", script=UNINSTALL)
        checked = copy.odoo("check", "--no-http", script=f"IDS = {json.dumps(json.dumps(ids))}\n" + CHECK)
        left = {
            "columns": _query(
                copy.name,
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_name = ANY(%s) AND column_name LIKE 'olimp%%'",
                [TABLES],
            ),
            "fields": _query(
                copy.name,
                "SELECT model, name FROM ir_model_fields WHERE model = ANY(%s) AND name LIKE 'olimp%%'",
                [MODELS],
            ),
            "xmlids": _query(copy.name, "SELECT model, name FROM ir_model_data WHERE module = %s", [GLUE]),
            "views": _query(
                copy.name,
                "SELECT id, name FROM ir_ui_view WHERE model = ANY(%s) AND arch_db::text LIKE '%%olimp%%'",
                [MODELS],
            ),
            "constraints": _query(
                copy.name, "SELECT conname FROM pg_constraint WHERE conname LIKE %s", ["%olimp_efficiency%"]
            ),
        }
        yield {"copy": copy, "ids": ids, "checked": checked, "left": left}
    finally:
        copy.drop()


def test_nothing_left_behind(uninstalled):
    assert uninstalled["checked"]["state"] == "uninstalled"
    assert not uninstalled["checked"]["fields"]
    for kind, rows in uninstalled["left"].items():
        assert not rows, f"{kind} of {GLUE} left after uninstalling: {rows}"


def test_settlements_keep_their_amounts_and_still_settle(uninstalled):
    checked = uninstalled["checked"]
    assert checked["total"] == uninstalled["ids"]["total"]
    assert checked["new_line"] == 100.0


def test_logs_are_clean(uninstalled):
    for step, log in uninstalled["copy"].logs.items():
        errors = [line for line in log.splitlines() if ERROR_LINE.match(line)]
        assert not errors, f"{step}: ERROR/CRITICAL lines in the log\n" + "\n".join(errors)
