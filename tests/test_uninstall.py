"""Uninstalling every add-on of the repository on a copy of a populated database: no error, nothing left behind.

Runs only when ``OLIMP_UPGRADE_DB`` names a database with the add-ons installed and their demo data (``.ci/run``
gives it the database its Odoo tests ran on); skipped otherwise. Two copies are made (``createdb -T``), populated
as in ``test_upgrade.py`` (closed and open scorecards, follow-ups and their activities, a customer passport, a
profile made by a user), and dropped at the end:

- on the first, ``olimp_kpi`` is uninstalled, which takes every other add-on of the repository with it (as *Apps >
  Uninstall* does);
- on the second, the add-ons are uninstalled one at a time, those no other add-on of the repository depends on
  first (the glue add-ons, then ``olimp_followup``, then ``olimp_kpi``).

The add-ons are found in the repository (folders with a manifest), so a new add-on is covered without editing this
file. Before each uninstall, an ``odoo shell`` lists what the add-ons being removed own: the records of their
external ids (unless a module that stays holds them too), the tables of their models, the columns of their fields,
their many2many tables, foreign keys and constraints. After it:

- the log has no ERROR or CRITICAL line;
- none of that is left, nor any external id of theirs;
- no other external id points at a deleted record (compared with the database before the uninstall);
- once every add-on is gone, no table, column, index or constraint of the database is named ``olimp``, and no text
  of a technical table mentions it (module list, bus notifications and the database's own name aside): external
  ids, models, fields, menus, actions, views, crons, record rules, groups, system parameters, messages, followers,
  activities, attachments, queued jobs... Business records (companies, partners, warehouses and their document
  sequences) may be named so by their users: the concurrency tests of ``olimp_kpi`` leave a company named
  ``olimp_concurrency company`` in the CI database, on purpose.

Environment: as ``test_upgrade.py``.
"""

import ast
import json
import re

import pytest
from conftest import ROOT
from test_upgrade import ERROR_LINE, POPULATE, SOURCE_DB, Copy, _connect

pytestmark = pytest.mark.skipif(not SOURCE_DB, reason="OLIMP_UPGRADE_DB (a database to copy) is not set")

# What the add-ons being removed own, and the external ids pointing at nothing (a baseline: Odoo may have some).
OWNED = r"""
import json

removing = json.loads(REMOVING)
Fields = env["ir.model.fields"].sudo()


def table_of(model):
    model = env.get(model)
    return model._table if model is not None and not model._abstract else None


def orphans():
    result = []
    env.cr.execute(
        "SELECT model, array_agg(res_id), array_agg(module || '.' || name) FROM ir_model_data GROUP BY model"
    )
    for model, ids, names in env.cr.fetchall():
        table = table_of(model)
        if not table:
            continue
        env.cr.execute(f'SELECT id FROM "{table}" WHERE id = ANY(%s)', [ids])
        existing = {row[0] for row in env.cr.fetchall()}
        result += [name for res_id, name in zip(ids, names) if res_id not in existing]
    return sorted(result)


owned = {"records": [], "tables": [], "columns": [], "relations": []}
# Records that a module which stays holds too are not deleted by Odoo.
env.cr.execute(
    '''SELECT d.model, d.res_id, d.module || '.' || d.name FROM ir_model_data d
        WHERE d.module = ANY(%s) AND NOT EXISTS (
              SELECT 1 FROM ir_model_data o
               WHERE o.model = d.model AND o.res_id = d.res_id AND NOT o.module = ANY(%s))
        ORDER BY d.id''',
    [removing, removing],
)
for model, res_id, name in env.cr.fetchall():
    if not table_of(model):
        continue
    owned["records"].append([table_of(model), res_id, name])
    if model == "ir.model":
        table = table_of(env["ir.model"].browse(res_id).model)
        if table:
            owned["tables"].append(table)
    elif model == "ir.model.fields":
        field = Fields.browse(res_id)
        if field.store and field.ttype == "many2many" and field.relation_table:
            owned["relations"].append(field.relation_table)
        elif field.store and field.ttype != "one2many" and table_of(field.model):
            owned["columns"].append([table_of(field.model), field.name])
env.cr.execute(
    "SELECT c.name FROM ir_model_constraint c JOIN ir_module_module m ON m.id = c.module WHERE m.name = ANY(%s)",
    [removing],
)
owned["constraints"] = sorted(row[0] for row in env.cr.fetchall())
print("RESULT " + json.dumps({"owned": owned, "orphans": orphans()}))
"""

UNINSTALL = r"""
import json
env["ir.module.module"].search([("name", "=", MODULE)]).button_immediate_uninstall()
print("RESULT " + json.dumps("done"))
"""

# The tables where the add-ons' traces would be (those of the framework: ir.*, res.groups, mail.*, queue.job...).
SWEPT_TABLES = ("ir_", "res_groups", "res_users_settings", "res_config", "mail_", "queue_job", "base_", "web_")
# Texts that may name the add-ons once they are gone: the module list and its external ids, bus notifications
# (channels carry the database's name, which starts with "olimp_" in CI), document numbering (business data).
SWEEP_SKIPPED_TABLES = {
    "ir_module_module",
    "ir_module_module_dependency",
    "ir_module_category",
    "ir_sequence",
    "ir_sequence_date_range",
}


def _manifests():
    return {
        path.parent.name: ast.literal_eval(path.read_text(encoding="utf-8")) for path in ROOT.glob("*/__manifest__.py")
    }


def _addons():
    """The add-ons of the repository and the add-ons of the repository each one depends on."""
    manifests = _manifests()
    return {name: set(manifest.get("depends", [])) & set(manifests) for name, manifest in manifests.items()}


def _uninstall_order(installed, depends):
    """One at a time: an add-on no other remaining one depends on, glue add-ons (auto_install) first."""
    glue = {name for name, manifest in _manifests().items() if manifest.get("auto_install")}
    remaining, order = list(installed), []
    while remaining:
        leaves = [name for name in remaining if not any(name in depends[other] for other in remaining)]
        leaf = min(leaves, key=lambda name: (name not in glue, name))
        order.append(leaf)
        remaining.remove(leaf)
    return order


def _installed(dbname, names):
    with _connect(dbname) as cnx, cnx.cursor() as cr:
        cr.execute(
            "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s) ORDER BY name", [names]
        )
        return [name for (name,) in cr.fetchall()]


def _removed_with(addon, installed, depends):
    """``addon`` and the installed add-ons of the repository that depend on it, directly or not."""
    removed = {addon}
    while True:
        more = {name for name in installed if depends[name] & removed} - removed
        if not more:
            return sorted(removed)
        removed |= more


def _leftovers(dbname, owned, removing):
    """What is still there of ``owned`` (listed by OWNED before the uninstall), as readable lines."""
    found = []
    with _connect(dbname) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT module || '.' || name FROM ir_model_data WHERE module = ANY(%s)", [removing])
        found += [f"external id {name}" for (name,) in cr.fetchall()]
        cr.execute("SELECT relname FROM pg_class WHERE relkind IN ('r', 'v', 'm')")
        tables = {name for (name,) in cr.fetchall()}
        cr.execute("SELECT table_name FROM information_schema.columns WHERE column_name = 'active'")
        archivable = {name for (name,) in cr.fetchall()}
        for table, res_id, name in owned["records"]:
            if table in tables:
                # Archived records are kept on purpose: closed months refer to them (see olimp_followup's hook).
                active = ' AND "active"' if table in archivable else ""
                cr.execute(f'SELECT 1 FROM "{table}" WHERE id = %s{active}', [res_id])
                if cr.fetchone():
                    found.append(f"record {name} ({table} {res_id})")
        found += [f"table {table}" for table in owned["tables"] + owned["relations"] if table in tables]
        for table, column in owned["columns"]:
            cr.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND column_name = %s",
                [table, column],
            )
            if cr.fetchone():
                found.append(f"column {table}.{column}")
        cr.execute(
            "SELECT c.name FROM ir_model_constraint c JOIN ir_module_module m ON m.id = c.module "
            "WHERE m.name = ANY(%s)",
            [removing],
        )
        found += [f"ir.model.constraint {name}" for (name,) in cr.fetchall()]
        cr.execute(
            "SELECT r.name FROM ir_model_relation r JOIN ir_module_module m ON m.id = r.module WHERE m.name = ANY(%s)",
            [removing],
        )
        found += [f"ir.model.relation {name}" for (name,) in cr.fetchall()]
        cr.execute("SELECT conname FROM pg_constraint WHERE conname = ANY(%s)", [owned["constraints"]])
        found += [f"constraint {name}" for (name,) in cr.fetchall()]
    cnx.close()
    return found


def _mentions(dbname, word="olimp"):
    """Every place of the database that still names ``word``: relations, columns, constraints, technical texts."""
    found = []
    pattern = f"%{word}%"
    with _connect(dbname) as cnx, cnx.cursor() as cr:
        cr.execute(
            "SELECT relkind, relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND relname ILIKE %s",
            [pattern],
        )
        found += [f"relation ({kind}) {name}" for kind, name in cr.fetchall()]
        cr.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name ILIKE %s",
            [pattern],
        )
        found += [f"column {table}.{column}" for table, column in cr.fetchall()]
        cr.execute(
            "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = current_schema() AND conname ILIKE %s",
            [pattern],
        )
        found += [f"constraint {name}" for (name,) in cr.fetchall()]
        cr.execute(
            """SELECT c.table_name, c.column_name
                 FROM information_schema.columns c
                 JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
                WHERE c.table_schema = current_schema()
                  AND c.data_type IN ('character varying', 'text', 'jsonb', 'character')
                ORDER BY 1, 2"""
        )
        for table, column in cr.fetchall():
            if table in SWEEP_SKIPPED_TABLES or not table.startswith(SWEPT_TABLES):
                continue
            # The external ids of the module records (base.module_olimp_kpi) stay with the module list.
            modules = " AND model != 'ir.module.module'" if table == "ir_model_data" else ""
            cr.execute(
                f'SELECT id, left("{column}"::text, 200) FROM "{table}" '
                f'WHERE "{column}"::text ILIKE %s AND "{column}"::text NOT ILIKE %s{modules} LIMIT 3',
                [pattern, f"%{dbname}%"],
            )
            found += [f"{table}.{column} #{res_id}: {text!r}" for res_id, text in cr.fetchall()]
    cnx.close()
    return found


def _uninstall(copy, step, addon, removing):
    before = copy.odoo(f"{step}-owned", "--no-http", script=f"REMOVING = {json.dumps(json.dumps(removing))}\n" + OWNED)
    copy.odoo(f"{step}-uninstall", "--no-http", script=f"MODULE = {addon!r}\n" + UNINSTALL)
    after = copy.odoo(f"{step}-check", "--no-http", script=f"REMOVING = {json.dumps(json.dumps([]))}\n" + OWNED)
    errors = [line for line in copy.logs[f"{step}-uninstall"].splitlines() if ERROR_LINE.match(line)]
    return {
        "addon": addon,
        "removing": removing,
        "errors": errors,
        "log": copy.logs[f"{step}-uninstall"],
        "leftovers": _leftovers(copy.name, before["owned"], removing),
        "new_orphans": sorted(set(after["orphans"]) - set(before["orphans"])),
        "still_installed": _installed(copy.name, removing),
    }


@pytest.fixture(scope="module")
def uninstalled(tmp_path_factory):
    depends = _addons()
    log_dir = tmp_path_factory.mktemp("uninstall-logs")
    copies = []
    try:
        # All at once: olimp_kpi takes every add-on of the repository with it.
        (log_dir / "at-once").mkdir()
        at_once = Copy(SOURCE_DB, log_dir / "at-once", label="uninstall1")
        copies.append(at_once)
        at_once.odoo("populate", "--no-http", script=POPULATE)
        installed = _installed(at_once.name, sorted(depends))
        steps_at_once = [_uninstall(at_once, "1", "olimp_kpi", _removed_with("olimp_kpi", installed, depends))]
        mentions_at_once = _mentions(at_once.name)

        # One at a time, the add-ons no other installed add-on of the repository depends on first.
        (log_dir / "one-by-one").mkdir()
        one_by_one = Copy(SOURCE_DB, log_dir / "one-by-one", label="uninstall2")
        copies.append(one_by_one)
        one_by_one.odoo("populate", "--no-http", script=POPULATE)
        steps = [
            _uninstall(one_by_one, str(number), addon, [addon])
            for number, addon in enumerate(_uninstall_order(_installed(one_by_one.name, sorted(depends)), depends), 1)
        ]
        yield {
            "addons": sorted(depends),
            "installed": installed,
            "at_once": steps_at_once,
            "mentions_at_once": mentions_at_once,
            "one_by_one": steps,
            "mentions_one_by_one": _mentions(one_by_one.name),
        }
    finally:
        for copy in copies:
            copy.drop()


def _report(step):
    return f"uninstalling {step['addon']} (removes {', '.join(step['removing'])})"


def test_every_addon_of_the_repository_is_installed_then_uninstalled(uninstalled):
    assert {"olimp_kpi", "olimp_followup"} <= set(uninstalled["installed"])
    assert uninstalled["installed"] == uninstalled["addons"], "the database to copy lacks add-ons of the repository"
    assert uninstalled["at_once"][0]["removing"] == uninstalled["addons"]
    assert [step["addon"] for step in uninstalled["one_by_one"]][-2:] == ["olimp_followup", "olimp_kpi"]
    assert sorted(step["addon"] for step in uninstalled["one_by_one"]) == uninstalled["addons"]
    for step in uninstalled["at_once"] + uninstalled["one_by_one"]:
        assert not step["still_installed"], _report(step)


@pytest.mark.parametrize("mode", ["at_once", "one_by_one"])
def test_uninstall_logs_no_error(uninstalled, mode):
    for step in uninstalled[mode]:
        assert not step["errors"], f"{_report(step)}: ERROR/CRITICAL lines in the log\n" + "\n".join(
            line for line in step["log"].splitlines() if ERROR_LINE.match(line) or re.match(r"^(ERROR|DETAIL):", line)
        )


@pytest.mark.parametrize("mode", ["at_once", "one_by_one"])
def test_uninstall_leaves_nothing_of_the_addon(uninstalled, mode):
    for step in uninstalled[mode]:
        assert not step["leftovers"], f"{_report(step)} left:\n" + "\n".join(step["leftovers"])


@pytest.mark.parametrize("mode", ["at_once", "one_by_one"])
def test_uninstall_leaves_no_external_id_pointing_at_nothing(uninstalled, mode):
    for step in uninstalled[mode]:
        assert not step["new_orphans"], f"{_report(step)} left external ids of deleted records:\n" + "\n".join(
            step["new_orphans"]
        )


@pytest.mark.parametrize("mode", ["at_once", "one_by_one"])
def test_nothing_names_the_addons_once_they_are_gone(uninstalled, mode):
    mentions = uninstalled[f"mentions_{mode}"]
    assert not mentions, "still in the database:\n" + "\n".join(mentions)
