"""Upgrades and uninstall, on a copy of a populated database, with separate Odoo processes.

Runs only when ``OLIMP_UPGRADE_DB`` names a database with the add-ons installed (``.ci/run`` gives it the database
its Odoo tests ran on, with demo data); skipped otherwise. The copy (``createdb -T``) is dropped at the end.

1. more data is added through ``odoo shell``: a catalogue KPI and a default follow-up rule edited by the user
   (``noupdate`` data), a salesperson with a profile of catalogue KPIs (follow-up KPIs and checklists included), an
   order confirmed (follow-ups and activities), one follow-up done, a customer passport, last month's scorecard
   answered and closed, this month's answered and refreshed;
2. a snapshot of the data is read with psycopg2 (counts and key values: scorecards, lines, answers, efficiencies,
   states, definitions, checklist items, profiles, rules, follow-ups and their activities, passports, meetings);
3. ``-u`` of every add-on of the repository installed there (``olimp_kpi,olimp_followup`` and the glue add-ons);
   the snapshot must be the same, and the log free of ERROR and CRITICAL lines;
4. ``olimp_followup`` is uninstalled (``button_immediate_uninstall``, with ``olimp_followup_stock``); then
   ``olimp_kpi`` must still generate, refresh and close scorecards, its closed months keep their figures, the
   follow-up KPIs are archived and keep their last figures, the catalogue questions' evidence falls back to none,
   and no ERROR or CRITICAL line is logged.

Environment: ``ODOO_PYTHON`` (default: this Python), ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD``,
``OLIMP_ADDONS_PATH`` (default: the repository and Odoo's own add-ons).
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest
from conftest import ROOT

SOURCE_DB = os.environ.get("OLIMP_UPGRADE_DB")
pytestmark = pytest.mark.skipif(not SOURCE_DB, reason="OLIMP_UPGRADE_DB (a database to copy) is not set")

PYTHON = os.environ.get("ODOO_PYTHON", sys.executable)
PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "root"),
    "password": os.environ.get("PGPASSWORD") or None,
}
ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)

POPULATE = r"""
import json
from dateutil.relativedelta import relativedelta
from odoo import Command, fields

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
sales = env.ref("olimp_kpi.kpi_sales_amount")
sales.write({"name": "Sales (edited)", "description": "Edited by the customer", "yellow_from": 80, "green_from": 95})
env.ref("olimp_kpi.kpi_passport_protocols").checklist_item_ids[:1].name = "Passports of every customer (edited)"
rule = env.ref("olimp_followup.rule_feedback")
rule.write({"name": "Feedback call (edited)", "delay_days": 5, "script": "<p>Edited script</p>"})

user = env["res.users"].create(
    {
        "name": "Upgrade seller",
        "login": "upgrade_seller",
        "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
    }
)
employee = env["hr.employee"].create({"name": "Upgrade seller", "user_id": user.id})
kpis = (
    sales
    | env.ref("olimp_kpi.kpi_meetings")
    | env.ref("olimp_kpi.kpi_passport_protocols")
    | env.ref("olimp_followup.kpi_followups_on_time")
    | env.ref("olimp_followup.kpi_meetings_protocol")
)
profile = env["olimp.kpi.profile"].create(
    {
        "name": "Upgrade profile",
        "line_ids": [Command.create({"kpi_id": kpi.id, "target": 10, "weight": 1}) for kpi in kpis],
    }
)
employee.olimp_kpi_profile_id = profile
partner = env["res.partner"].create(
    {
        "name": "Upgrade customer",
        "is_company": True,
        "user_id": user.id,
        "olimp_passport_needs": "Barcode scanners",
        "olimp_passport_products": "Our service",
        "olimp_passport_purchase_cycle": "quarterly",
    }
)
director = {"name": "Upgrade director", "parent_id": partner.id, "olimp_passport_role": "decision_maker"}
env["res.partner"].create(director)
product = env["product.product"].create({"name": "Upgrade service", "type": "service", "list_price": 1000})
order = env["sale.order"].create(
    {
        "partner_id": partner.id,
        "user_id": user.id,
        "order_line": [Command.create({"product_id": product.id, "tax_id": [Command.clear()]})],
    }
)
order.action_confirm()
order.olimp_followup_ids.sorted("date_deadline")[:1].action_done(rating="5", feedback="All good")
env["calendar.event"].create(
    {
        "name": "Upgrade meeting",
        "user_id": user.id,
        "partner_ids": [Command.set(partner.child_ids.ids)],
        # Begun a moment ago: a meeting counts once it has taken place.
        "start": fields.Datetime.now() - relativedelta(seconds=5),
        "stop": fields.Datetime.now() + relativedelta(hours=1),
        "olimp_held": True,
        "olimp_protocol": "<p>Minutes</p>",
    }
)
today = fields.Date.context_today(env["olimp.kpi.scorecard"])
Scorecard = env["olimp.kpi.scorecard"]
last = Scorecard.generate(today - relativedelta(months=1), employee)
last.answer_ids.write({"value": "yes"})
last.action_close()
current = Scorecard.generate(today, employee)
current.answer_ids[:1].write({"value": "yes", "comment": "Checked"})
current.action_refresh()
env.cr.commit()
print("RESULT " + json.dumps({"employee": employee.id, "last": last.id, "current": current.id}))
"""

UNINSTALL = r"""
import json
env["ir.module.module"].search([("name", "=", "olimp_followup")]).button_immediate_uninstall()
print("RESULT " + json.dumps("done"))
"""

CHECK_KPI = r"""
import json
from dateutil.relativedelta import relativedelta
from odoo import fields

ids = json.loads(IDS)
Scorecard = env["olimp.kpi.scorecard"]
employee = env["hr.employee"].browse(ids["employee"])
current = Scorecard.browse(ids["current"])
before = {line.kpi_id.code: line.actual for line in current.line_ids}
current.action_refresh()
after = {line.kpi_id.code: line.actual for line in current.line_ids}
answers = current.answer_ids
evidence = answers.mapped("evidence")
# A month that has ended (only those can be closed), its checklist left unanswered: counted as No on purpose.
month = fields.Date.context_today(Scorecard) - relativedelta(months=2)
new = Scorecard.generate(month, employee)
new.action_refresh()
new.with_context(olimp_unanswered_as_no=True).action_close()
Kpi = env["olimp.kpi"].with_context(active_test=False)
result = {
    "modules": {m.name: m.state for m in env["ir.module.module"].search([("name", "like", "olimp_%")])},
    "actuals_before": before,
    "actuals_after": after,
    "evidence": evidence,
    "item_evidence": sorted(set(env["olimp.kpi.checklist.item"].search([]).mapped("evidence"))),
    "new_kpis": sorted(new.line_ids.kpi_id.mapped("code")),
    "new_state": new.state,
    "archived": sorted(Kpi.search([("active", "=", False)]).mapped("code")),
    "followup_model": "olimp.followup" in env,
}
env.cr.commit()
print("RESULT " + json.dumps(result, default=str))
"""

SNAPSHOT = {
    "kpis": """SELECT id, code, name::text, description::text, kind, unit, direction, domain, aggregation,
                      yellow_from, green_from, active, company_id, model_id, measure_field_id, date_field_id,
                      user_field_id FROM olimp_kpi ORDER BY id""",
    "checklist": "SELECT id, kpi_id, name::text, sequence, evidence FROM olimp_kpi_checklist_item ORDER BY id",
    "profiles": """SELECT p.id, p.name::text, p.company_id, p.active, l.id, l.kpi_id, l.weight, l.target, l.floor, l.cap
                     FROM olimp_kpi_profile p LEFT JOIN olimp_kpi_profile_line l ON l.profile_id = p.id
                    ORDER BY p.id, l.id""",
    "employees": "SELECT id, user_id, olimp_kpi_profile_id FROM hr_employee ORDER BY id",
    "scorecards": """SELECT id, employee_id, user_id, company_id, team_id, manager_user_id, date_from, date_to,
                            state, efficiency, previous_efficiency, efficiency_trend, counted_line_count, red_count,
                            yellow_count, green_count, refreshed_on, closed_on, closed_by_id
                       FROM olimp_kpi_scorecard ORDER BY id""",
    "lines": """SELECT id, scorecard_id, kpi_id, kind, unit, direction, yellow_from, green_from, target, weight,
                       floor, cap, actual, previous_actual, completion, zone, trend, score
                  FROM olimp_kpi_scorecard_line ORDER BY id""",
    "answers": """SELECT id, line_id, item_id, value, comment, answered_by_id, answered_on
                    FROM olimp_kpi_scorecard_answer ORDER BY id""",
    "rules": """SELECT id, name::text, trigger, delay_days, task_type, activity_type_id, responsible, user_id,
                       script::text, domain, no_order_days, company_id, active
                  FROM olimp_followup_rule ORDER BY id""",
    "followups": """SELECT id, rule_id, task_type, partner_id, order_id, period_key, user_id, team_id,
                           manager_user_id, company_id, trigger_date, date_deadline, date_done, state, cancel_reason,
                           on_time, is_overdue, activity_id, rating, feedback, offer_made, lead_id
                      FROM olimp_followup ORDER BY id""",
    "activities": """SELECT a.id, a.res_model, a.res_id, a.user_id, a.date_deadline, a.activity_type_id, a.summary,
                            a.note::text
                       FROM mail_activity a JOIN olimp_followup f ON f.activity_id = a.id ORDER BY a.id""",
    "passports": """SELECT id, olimp_passport_role, olimp_passport_decision_maker_id, olimp_passport_needs,
                           olimp_passport_products, olimp_passport_competitors, olimp_passport_purchase_cycle,
                           olimp_passport_notes::text, olimp_passport_date, olimp_passport_completeness,
                           olimp_passport_key_filled, olimp_last_order_date
                      FROM res_partner
                     WHERE olimp_passport_role IS NOT NULL OR olimp_passport_date IS NOT NULL
                        OR olimp_last_order_date IS NOT NULL
                     ORDER BY id""",
    "meetings": """SELECT id, olimp_held, olimp_partner_id, olimp_protocol::text, olimp_has_protocol, olimp_outcome,
                          olimp_next_step
                     FROM calendar_event WHERE olimp_held OR olimp_protocol IS NOT NULL ORDER BY id""",
    "companies": "SELECT id, olimp_passport_validity_days FROM res_company ORDER BY id",
}


def _connect(dbname):
    import psycopg2  # noqa: PLC0415 (Odoo's Python has it; only this test needs it)

    return psycopg2.connect(dbname=dbname, **{k: v for k, v in PG.items() if v})


def _query(dbname, sql, params=None):
    with _connect(dbname) as cnx, cnx.cursor() as cr:
        cr.execute(sql, params)
        rows = cr.fetchall()
    cnx.close()
    return rows


def _snapshot(dbname):
    return {name: [tuple(str(value) for value in row) for row in _query(dbname, sql)] for name, sql in SNAPSHOT.items()}


def _addons_path():
    if os.environ.get("OLIMP_ADDONS_PATH"):
        return os.environ["OLIMP_ADDONS_PATH"]
    odoo_addons = subprocess.run(
        [
            PYTHON,
            "-c",
            "import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'addons'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return ",".join(filter(None, [str(ROOT), odoo_addons if os.path.isdir(odoo_addons) else ""]))


def _odoo_args(dbname):
    args = ["--addons-path", _addons_path(), "-d", dbname, "--db_host", PG["host"], "--db_port", PG["port"]]
    args += ["--db_user", PG["user"], "--max-cron-threads", "0", "--log-level", "warn"]
    if PG["password"]:
        args += ["--db_password", PG["password"]]
    return args


class Copy:
    """The copy of the database under test, and the logs of the Odoo processes run on it."""

    def __init__(self, source, log_dir, label="upgrade"):
        self.name = f"{source}_{label}_{os.getpid()}_{int(time.time())}"[:63]
        self.log_dir = log_dir
        self.logs = {}
        subprocess.run(
            ["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-T", source, self.name], check=True
        )

    def drop(self):
        subprocess.run(
            ["dropdb", "--if-exists", "--force", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], self.name],
            check=False,
        )

    def odoo(self, step, *args, script=None):
        """Run Odoo (``odoo shell`` with ``script`` on stdin), keep its log; return the script's RESULT."""
        command = [PYTHON, "-m", "odoo", *(["shell"] if script else []), *_odoo_args(self.name), *args]
        process = subprocess.run(command, input=script, capture_output=True, text=True, timeout=1800, cwd=ROOT)
        log = process.stdout + process.stderr
        self.logs[step] = log
        (self.log_dir / f"{step}.log").write_text(log)
        assert process.returncode == 0, f"{step}: exit {process.returncode}\n{log[-3000:]}"
        results = [line[len("RESULT ") :] for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        if script:
            assert results, f"{step}: no result\n{log[-3000:]}"
            return json.loads(results[-1])
        return None


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    copy = Copy(SOURCE_DB, tmp_path_factory.mktemp("upgrade-logs"))
    try:
        ids = copy.odoo("populate", "--no-http", script=POPULATE)
        before = _snapshot(copy.name)
        ours = [path.parent.name for path in ROOT.glob("*/__manifest__.py")]
        installed = [
            name
            for (name,) in _query(
                copy.name,
                "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s) ORDER BY name",
                [ours],
            )
        ]
        copy.odoo("upgrade", "--no-http", "--stop-after-init", "-u", ",".join(installed))
        after = _snapshot(copy.name)
        copy.odoo("uninstall", "--no-http", script=UNINSTALL)
        closed_after_uninstall = _query(
            copy.name, "SELECT id, state, efficiency FROM olimp_kpi_scorecard WHERE state = 'closed' ORDER BY id"
        )
        checked = copy.odoo("check", "--no-http", script=f"IDS = {json.dumps(json.dumps(ids))}\n" + CHECK_KPI)
        yield {
            "copy": copy,
            "ids": ids,
            "installed": installed,
            "before": before,
            "after": after,
            "closed_after_uninstall": closed_after_uninstall,
            "checked": checked,
        }
    finally:
        copy.drop()


def test_upgrade_keeps_every_record_and_value(upgraded):
    before, after = upgraded["before"], upgraded["after"]
    assert {"olimp_kpi", "olimp_followup"} <= set(upgraded["installed"])
    assert before["scorecards"] and before["followups"] and before["activities"] and before["answers"]
    assert any("closed" in row for row in before["scorecards"])
    for name in SNAPSHOT:
        assert after[name] == before[name], f"{name} changed by the update"


def test_upgrade_keeps_what_the_user_edited(upgraded):
    kpis = {row[1]: row for row in upgraded["after"]["kpis"]}
    assert "Sales (edited)" in kpis["SALES"][2] and "Edited by the customer" in kpis["SALES"][3]
    assert (kpis["SALES"][9], kpis["SALES"][10]) == ("80.0", "95.0")
    assert any("Passports of every customer (edited)" in row[2] for row in upgraded["after"]["checklist"])
    rules = [row for row in upgraded["after"]["rules"] if "Feedback call (edited)" in row[1]]
    assert len(rules) == 1 and rules[0][3] == "5" and "Edited script" in rules[0][8]


def test_upgrade_and_uninstall_logs_are_clean(upgraded):
    for step, log in upgraded["copy"].logs.items():
        errors = ERROR_LINE.findall(log)
        assert not errors, f"{step}: ERROR/CRITICAL lines in the log\n" + "\n".join(
            line for line in log.splitlines() if ERROR_LINE.match(line)
        )


def test_olimp_kpi_works_without_olimp_followup(upgraded):
    checked = upgraded["checked"]
    assert checked["modules"]["olimp_kpi"] == "installed"
    assert checked["modules"]["olimp_followup"] == "uninstalled"
    assert checked["modules"].get("olimp_followup_stock", "uninstalled") == "uninstalled"
    assert not checked["followup_model"]
    # Generated, refreshed and closed without the follow-up KPIs, which are archived.
    assert checked["new_state"] == "closed"
    assert {"FOLLOWUPS_ON_TIME", "MEETINGS_PROTOCOL"} <= set(checked["archived"])
    assert not {"FOLLOWUPS_ON_TIME", "MEETINGS_PROTOCOL"} & set(checked["new_kpis"])
    assert set(checked["new_kpis"]) == {"SALES", "MEETINGS", "PASSPORT_PROTOCOLS"}
    # The open month keeps the last figures of the KPIs that cannot be computed any more; the others are computed.
    assert checked["actuals_after"] == checked["actuals_before"]
    # The catalogue questions' evidence falls back to none.
    assert checked["item_evidence"] == ["none"]
    assert not any(checked["evidence"])
    # Closed months keep their figures.
    closed_before = [(row[0], row[8], row[9]) for row in upgraded["after"]["scorecards"] if row[8] == "closed"]
    assert [tuple(str(value) for value in row) for row in upgraded["closed_after_uninstall"]] == closed_before


def test_logs_kept_for_reading(upgraded):
    """The logs of each step are written next to pytest's temporary files (see the fixture), for a failed run."""
    assert all((upgraded["copy"].log_dir / f"{step}.log").exists() for step in upgraded["copy"].logs)
