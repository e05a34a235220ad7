#!/usr/bin/env python3
"""Odoo's own test suites of the modules our add-ons extend, with and without our add-ons: what do we break?

    ODOO_PYTHON=/opt/odoo18-venv/bin/python python3 tools/odoo_suites.py [--modules sale,sale_stock,crm,calendar]

How it works:

1. two databases are made, with demo data: one with the modules our add-ons depend on (those of the manifests that
   are not ours: hr, sale_management, sale_stock, crm, calendar, payroll, queue_job...) and the modules to test, the
   other with the same plus every add-on of the repository (glue add-ons included);
2. the modules' own tests (``<odoo addons>/<module>/tests``) run on each with pytest-odoo (``--odoo-http``: the
   tours too), one pytest process per database, each writing a JUnit report;
3. the tests that fail (or error) with our add-ons but pass without them are run again on both databases, to leave
   out the flaky ones; those that still fail only with ours are listed, with the first line of their error.

Exit status: 0 when no test fails only with our add-ons, 1 otherwise, 2 when a database could not be made.
The databases are dropped at the end (``--keep`` keeps them; ``--with-db`` and ``--without-db`` reuse databases
made before, which are never dropped). The four default modules hold 641 tests: about 50 minutes on two busy CPU
cores (README.md, "Tests and linters").
Uses the Python of ``ODOO_PYTHON`` (default /opt/odoo18-venv/bin/python), with pytest-odoo installed
(requirements-test.txt), and PostgreSQL through PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432 root).
"""

import argparse
import ast
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("ODOO_PYTHON", "/opt/odoo18-venv/bin/python")
DEFAULT_MODULES = "sale,sale_stock,crm,calendar"
PG_DEFAULTS = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "root"}


def ours():
    """The add-ons of the repository, and the other modules they depend on."""
    manifests = {path.parent.name: ast.literal_eval(path.read_text()) for path in ROOT.glob("*/__manifest__.py")}
    depends = set().union(*(set(manifest.get("depends", [])) for manifest in manifests.values()))
    return sorted(manifests), sorted(depends - set(manifests))


def odoo_addons_dir():
    code = "import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'addons'))"
    return Path(subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.strip())


def run(command, log=None, env=None):
    with open(log, "w") if log else open(os.devnull, "w") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, check=False).returncode


def make_database(name, modules, addons_path, log):
    """Create ``name`` with ``modules`` and their demo data; False (and the log's tail shown) when it fails."""
    if run(["createdb", name], log):
        print(f"odoo_suites: could not create the database {name} (see {log})", file=sys.stderr)
        return False
    command = [PYTHON, "-m", "odoo", "--addons-path", addons_path, "-d", name, "-i", ",".join(modules)]
    command += ["--stop-after-init", "--no-http", "--max-cron-threads", "0", "--log-level", "warn"]
    if run(command, log):
        print(f"odoo_suites: installing {', '.join(modules)} on {name} failed:", file=sys.stderr)
        print("\n".join(Path(log).read_text().splitlines()[-30:]), file=sys.stderr)
        return False
    return True


def run_tests(database, addons_path, rootdir, targets, report, log):
    """The tests ``targets`` (folders or node ids) with pytest-odoo on ``database``; the JUnit report is ``report``."""
    command = [PYTHON, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(rootdir)]
    command += ["-p", "no:warnings", "-o", "junit_family=xunit1", f"--junitxml={report}"]
    command += [f"--odoo-database={database}", f"--odoo-addons-path={addons_path}", "--odoo-http", *targets]
    run(command, log)
    return results(report)


def results(report):
    """{node id: (outcome, first line of the message)}; a test is failed when any of its parts (subtests) is."""
    outcomes = {}
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        return outcomes
    for case in root.iter("testcase"):
        *module, cls = case.get("classname", "").split(".")
        node = f"{'/'.join(module)}.py::{cls}::{case.get('name')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = "failed" if tag in ("failure", "error") else tag
                message = next(iter((found.get("message") or found.text or "").strip().splitlines()), "")[:200]
                break
        if outcomes.get(node, ("passed",))[0] != "failed":
            outcomes[node] = (outcome, message)
    return outcomes


def failed(outcomes):
    return {node for node, (outcome, _message) in outcomes.items() if outcome == "failed"}


def summary(name, outcomes, modules):
    counts = []
    for module in modules:
        mine = [outcome for node, (outcome, _message) in outcomes.items() if node.startswith(f"{module}/")]
        counts.append(f"{module} {len(mine)} tests, {mine.count('failed')} failed, {mine.count('skipped')} skipped")
    print(f"{name}: " + "; ".join(counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--modules", default=DEFAULT_MODULES, help=f"modules whose tests run (default {DEFAULT_MODULES})"
    )
    parser.add_argument("--prefix", default="olimp_suites", help="prefix of the databases made (default olimp_suites)")
    parser.add_argument("--with-db", help="an existing database with our add-ons and the modules (kept)")
    parser.add_argument("--without-db", help="an existing database with the modules only (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the databases made")
    parser.add_argument("--no-rerun", action="store_true", help="do not run the differing tests a second time")
    parser.add_argument("--out", help="folder for the logs and reports (default: a temporary folder)")
    args = parser.parse_args()

    for variable, value in PG_DEFAULTS.items():
        os.environ.setdefault(variable, value)
    if subprocess.run([PYTHON, "-c", "import odoo, pytest_odoo"], capture_output=True, check=False).returncode:
        print(f"odoo_suites: {PYTHON} cannot import odoo and pytest_odoo: pip install -r requirements-test.txt")
        return 2
    started = time.monotonic()
    modules = [module for module in args.modules.split(",") if module]
    addons, dependencies = ours()
    odoo_addons = odoo_addons_dir()
    addons_path = f"{ROOT},{odoo_addons}"
    out = Path(args.out or tempfile.mkdtemp(prefix="odoo-suites."))
    out.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    base = sorted(set(dependencies) | set(modules))
    databases = {
        "without": (args.without_db or f"{args.prefix}_without_{stamp}", base, not args.without_db),
        "with": (args.with_db or f"{args.prefix}_with_{stamp}", sorted(set(base) | set(addons)), not args.with_db),
    }
    made = []
    try:
        for key, (name, to_install, make) in databases.items():
            if make:
                print(f"{key} our add-ons: making {name} with {', '.join(to_install)}", flush=True)
                made.append(name)
                if not make_database(name, to_install, addons_path, out / f"install-{key}.log"):
                    return 2
        targets = [str(odoo_addons / module / "tests") for module in modules]
        outcomes = {}
        for key, (name, _to_install, _make) in databases.items():
            print(f"{key} our add-ons: running the tests of {', '.join(modules)} on {name}", flush=True)
            outcomes[key] = run_tests(
                name, addons_path, odoo_addons, targets, out / f"tests-{key}.xml", out / f"tests-{key}.log"
            )
            if not outcomes[key]:
                print(f"odoo_suites: no test result on {name} (see {out / f'tests-{key}.log'})", file=sys.stderr)
                return 2
        summary("without our add-ons", outcomes["without"], modules)
        summary("with our add-ons   ", outcomes["with"], modules)
        suspects = sorted(failed(outcomes["with"]) - failed(outcomes["without"]))
        if suspects and not args.no_rerun:
            print(f"running the {len(suspects)} tests that failed only with our add-ons again", flush=True)
            nodes = [str(odoo_addons / node) for node in suspects]
            again = {
                key: run_tests(
                    name, addons_path, odoo_addons, nodes, out / f"rerun-{key}.xml", out / f"rerun-{key}.log"
                )
                for key, (name, _to_install, _make) in databases.items()
            }
            flaky = sorted(set(suspects) - (failed(again["with"]) - failed(again["without"])))
            if flaky:
                print(f"left out, not failing only with our add-ons the second time: {len(flaky)}")
                for node in flaky:
                    print(f"  {node}")
            suspects = sorted(set(suspects) - set(flaky))
        print(f"Logs and reports: {out}; {time.monotonic() - started:.0f} s")
        print(f"Failing only with our add-ons: {len(suspects)}")
        for node in suspects:
            print(f"  {node}: {outcomes['with'][node][1]}")
        return 1 if suspects else 0
    finally:
        if not args.keep:
            for name in made:
                run(["dropdb", "--if-exists", "--force", name])


if __name__ == "__main__":
    sys.exit(main())
