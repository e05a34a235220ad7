"""Smoke run of the benchmark on a tiny database: it completes, both engines agree, queries do not grow.

Runs ``tests/benchmark/run.py --smoke`` with the Odoo Python (``ODOO_PYTHON``, else this interpreter) against the
PostgreSQL of the ``PG*`` variables: a database is created (from ``OLIMP_BENCH_TEMPLATE`` when set, else empty),
the add-ons are installed, a dozen salespeople and a few thousand records are generated, all four parts run, and
the database is dropped. ``OLIMP_BENCH_DB`` names a database to reuse (kept). Timing is not checked here.
Skipped when Odoo or PostgreSQL is not available, or with ``OLIMP_BENCH_SMOKE=0``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("ODOO_PYTHON") or sys.executable


def _unavailable():
    if os.environ.get("OLIMP_BENCH_SMOKE") == "0":
        return "OLIMP_BENCH_SMOKE=0"
    if subprocess.run([PYTHON, "-c", "import odoo.release"], capture_output=True, check=False).returncode:
        return f"{PYTHON} cannot import odoo"
    if not shutil.which("createdb") or not shutil.which("pg_isready"):
        return "the PostgreSQL client tools are not installed"
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    if subprocess.run(["pg_isready", "-q", "-h", host, "-p", port], check=False).returncode:
        return f"PostgreSQL is not reachable at {host}:{port}"
    return None


@pytest.mark.skipif(bool(_unavailable()), reason=_unavailable() or "")
def test_benchmark_smoke(tmp_path):
    given = os.environ.get("OLIMP_BENCH_DB")
    db = given or f"bn_smoke_{os.getpid()}"
    report = tmp_path / "results.json"
    command = [PYTHON, str(ROOT / "tests" / "benchmark" / "run.py"), "--smoke", "--db", db, "--json", str(report)]
    if os.environ.get("OLIMP_BENCH_TEMPLATE"):
        command += ["--template", os.environ["OLIMP_BENCH_TEMPLATE"]]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    finally:
        if not given:
            subprocess.run(["dropdb", "--if-exists", db], capture_output=True, check=False)
    output = result.stdout[-6000:] + result.stderr[-6000:]
    assert result.returncode == 0, output
    assert "smoke: ok" in result.stdout, output

    results = json.loads(report.read_text())
    check = results["check"]
    assert check["compared"] == len(results["kpis"]) * results["ours"]["employees"]
    assert check["differing"] == 0, check["examples"]
    assert any(check["non_zero_per_kpi"].values())
    assert len({row["queries"] for row in results["scaling"]}) == 1, results["scaling"]
    for variant in results["gamification_variants"].values():
        assert variant["check"]["differing"] == 0
    followups = results["followups"]
    if not followups.get("skipped"):
        # One open follow-up per step and customer, every order in a follow-up of every step.
        for part in (followups, followups["month"]):
            assert part["planned"] and not part["open_duplicates"] and not part["uncovered"], part
