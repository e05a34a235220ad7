"""Upgrade tests from a release: a database made by the add-ons of an earlier commit, then updated by the current code.

Each step runs Odoo in a process of its own, as an administrator would (``odoo -i``, ``odoo shell``, ``odoo -u``);
the logs are kept for reading when a test fails::

    release = Release("90241dd", ["olimp_kpi", "olimp_followup"], tmp_dir)   # that commit's code (git archive)
    db = Database.create("olimp_release_followup", log_dir)                  # a new, empty database
    db.odoo("install", "-i", "olimp_followup", "--without-demo=all", addons_path=release.addons_path)
    ids = db.shell("populate", SCRIPT, addons_path=release.addons_path)      # data made by the old code
    db.odoo("upgrade", "-u", "olimp_followup")                                # the current code
    rows = db.query("SELECT ...")
    assert not db.error_lines()
    db.drop()

A script given to :meth:`Database.shell` prints its result as one line ``RESULT <json>``; the script runs as the
superuser and commits itself (``env.cr.commit()``). Environment: ``ODOO_PYTHON`` (default: this Python), ``PGHOST``,
``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``OLIMP_ADDONS_PATH`` (default: the repository and Odoo's own add-ons).
"""

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("ODOO_PYTHON", sys.executable)
PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER", "root"),
    "password": os.environ.get("PGPASSWORD") or None,
}
ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


class Unavailable(Exception):
    """The release's code cannot be had here (no git, or a clone without that commit): the test is skipped."""


def odoo_addons_dir():
    """Odoo's own add-ons folder, next to the ``odoo`` package of ``PYTHON`` (empty when there is none)."""
    code = "import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'addons'))"
    path = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    return path if os.path.isdir(path) else ""


def current_addons_path():
    if os.environ.get("OLIMP_ADDONS_PATH"):
        return os.environ["OLIMP_ADDONS_PATH"]
    return ",".join(filter(None, [str(ROOT), odoo_addons_dir()]))


class Release:
    """The code of ``addons`` at ``commit`` of this repository, extracted into ``directory``."""

    def __init__(self, commit, addons, directory):
        self.commit = commit
        self.directory = Path(directory)
        try:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "--format=tar", commit, *addons],
                capture_output=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            raise Unavailable(f"git archive {commit}: {getattr(error, 'stderr', b'') or error}") from error
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(self.directory, filter="data")

    @property
    def addons_path(self):
        return ",".join(filter(None, [str(self.directory), odoo_addons_dir()]))

    def version(self, addon):
        """The manifest version of ``addon`` in the release."""
        manifest = (self.directory / addon / "__manifest__.py").read_text()
        return re.search(r"""["']version["']\s*:\s*["']([^"']+)""", manifest).group(1)


def _pg_command(tool, *args):
    return [tool, "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], *args]


def _pg_env():
    return dict(os.environ, PGPASSWORD=PG["password"]) if PG["password"] else None


class Database:
    """One database of a test, the logs of the Odoo processes run on it, and queries on it."""

    def __init__(self, name, log_dir):
        self.name = name[:63]
        self.log_dir = Path(log_dir)
        self.logs = {}

    @classmethod
    def create(cls, prefix, log_dir, template=None):
        """A new database named after ``prefix`` (unique per process and second), empty or a copy of ``template``."""
        db = cls(f"{prefix}_{os.getpid()}_{int(time.time())}", log_dir)
        subprocess.run(
            _pg_command("createdb", *(["-T", template] if template else []), db.name), check=True, env=_pg_env()
        )
        return db

    def drop(self):
        subprocess.run(_pg_command("dropdb", "--if-exists", "--force", self.name), check=False, env=_pg_env())

    def _odoo_args(self, addons_path):
        args = ["--addons-path", addons_path or current_addons_path(), "-d", self.name]
        args += ["--db_host", PG["host"], "--db_port", PG["port"], "--db_user", PG["user"]]
        args += ["--max-cron-threads", "0", "--log-level", "warn", "--no-http"]
        if PG["password"]:
            args += ["--db_password", PG["password"]]
        return args

    def odoo(self, step, *args, addons_path=None, script=None, timeout=1800):
        """Run Odoo (``odoo shell`` with ``script`` on stdin) and keep its log under ``step``; return the script's
        RESULT (decoded JSON), ``None`` without script. Fails when Odoo exits with an error."""
        command = [PYTHON, "-m", "odoo", *(["shell"] if script else []), *self._odoo_args(addons_path), *args]
        if not script:
            command.append("--stop-after-init")
        process = subprocess.run(command, input=script, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        log = process.stdout + process.stderr
        self.logs[step] = log
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / f"{step}.log").write_text(log)
        assert process.returncode == 0, f"{step}: exit {process.returncode}\n{log[-3000:]}"
        if not script:
            return None
        results = [line[len("RESULT ") :] for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        assert results, f"{step}: no result\n{log[-3000:]}"
        return json.loads(results[-1])

    def shell(self, step, script, addons_path=None, **variables):
        """Run ``script`` in ``odoo shell``; each keyword becomes a global of the script (given as JSON)."""
        header = "".join(
            f"{name} = __import__('json').loads({json.dumps(json.dumps(value))})\n" for name, value in variables.items()
        )
        return self.odoo(step, addons_path=addons_path, script=header + script)

    def query(self, sql, params=None):
        import psycopg2  # noqa: PLC0415 (Odoo's Python has it; only the upgrade tests need it)

        cnx = psycopg2.connect(dbname=self.name, **{key: value for key, value in PG.items() if value})
        try:
            with cnx, cnx.cursor() as cr:
                cr.execute(sql, params)
                return cr.fetchall()
        finally:
            cnx.close()

    def error_lines(self):
        """``{step: [ERROR or CRITICAL lines]}`` of the steps that logged any."""
        found = {}
        for step, log in self.logs.items():
            lines = [line for line in log.splitlines() if ERROR_LINE.match(line)]
            if lines:
                found[step] = lines
        return found
