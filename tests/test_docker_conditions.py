"""The conditions of the Docker tests service, on this machine: a user who is not root, a read-only checkout, and
PostgreSQL reached over TCP with a password.

``docker compose run --rm tests`` runs ``.ci/run`` as the image's ``odoo`` user, on the repository mounted read-only,
against the ``db`` service with a password. This test makes the same conditions without Docker and runs there what
could break under them:

- a PostgreSQL server of its own (``initdb`` in a temporary folder, a free port on 127.0.0.1, no Unix socket, every
  connection authenticated with a SCRAM password), with an ``odoo`` role that may create databases and is no
  superuser (stricter than the compose file's);
- a copy of the checkout that nobody may write to (root's files, every write bit removed);
- every command run as ``nobody`` (when this test runs as root; as the current user otherwise), with a home of its
  own (like the image's /var/lib/odoo) and the ``PG*`` variables of that server. The Python of this machine lives
  under /root (mode 700): when ``nobody`` cannot run it, it is given one capability, to read and search any file
  (``CAP_DAC_READ_SEARCH``), never to write one.

There it runs the steps of ``.ci/run`` that read or write files or the database: installing the test requirements
(all present: nothing to write), installing ``olimp_kpi`` with demo data, its Odoo tests (with pytest-odoo, tours
included), exporting its translation template and checking it, and the plain pytest tests (the linters and the
translation checks among them; the upgrade, uninstall and benchmark tests need a copy of the CI database and are left
to ``.ci/run``).

Skipped when the conditions hold already (``OLIMP_DOCKER_CONDITIONS``, set for the run inside, or a user who is not
root with ``PGPASSWORD`` set, as in the Docker service), or without Odoo or the PostgreSQL server programs.
Takes 2 to 6 minutes (134 s in the last CI run, 339 s on two busy CPU cores).
"""

import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

PYTHON = os.environ.get("ODOO_PYTHON") or sys.executable
ADDON = "olimp_kpi"
COPY_IGNORED = shutil.ignore_patterns(".git", "__pycache__", ".ruff_cache", ".pytest_cache", "*.pyc")


def _server_bindir():
    for candidate in [os.environ.get("PG_BINDIR", ""), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))[::-1]]:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _unavailable():
    if os.environ.get("OLIMP_DOCKER_CONDITIONS"):
        return "already under the Docker service's conditions (OLIMP_DOCKER_CONDITIONS)"
    if os.geteuid() != 0 and os.environ.get("PGPASSWORD"):
        return "already a user who is not root, with a PostgreSQL password (as in the Docker service)"
    if subprocess.run([PYTHON, "-c", "import odoo.release"], capture_output=True, check=False).returncode:
        return f"{PYTHON} cannot import odoo"
    if not _server_bindir():
        return "the PostgreSQL server programs (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return "setpriv (util-linux) is needed to run commands as nobody"
    return None


UNAVAILABLE = _unavailable()
pytestmark = pytest.mark.skipif(bool(UNAVAILABLE), reason=UNAVAILABLE or "")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sandbox:
    """The user, the read-only checkout, the home and the PostgreSQL server; ``run`` runs a command there."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="olimp-docker-conditions."))
        self.base.chmod(0o755)
        self.as_root = os.geteuid() == 0
        self.uid, self.gid = (pwd.getpwnam("nobody")[2:4]) if self.as_root else (os.geteuid(), os.getegid())
        self.user = "nobody" if self.as_root else pwd.getpwuid(self.uid).pw_name
        self.prefix = []
        self.home = self._own_dir("home")
        self._own_dir("home/tmp")
        self.checkout = self.base / "checkout"
        self.server = None
        self.password = secrets.token_urlsafe(16)
        self.port = _free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "TMPDIR": str(self.home / "tmp"),
            "ODOO_PYTHON": PYTHON,
            "OLIMP_DOCKER_CONDITIONS": "1",
            "OLIMP_BENCH_SMOKE": "0",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": "odoo",
            "PGPASSWORD": self.password,
        }

    def _own_dir(self, name):
        path = self.base / name
        path.mkdir()
        if self.as_root:
            os.chown(path, self.uid, self.gid)
        return path

    def choose_user(self):
        """``nobody`` when root, with the read capability when the Python needs it (see the module docstring)."""
        if not self.as_root:
            return
        self.prefix = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
        # Through a shell: setpriv itself still holds root's capabilities when it starts the command, so it can
        # start a Python that the user's own processes could not (which then loads the system's libpython).
        probe = ["sh", "-c", 'exec "$0" -c "import sys, odoo; print(sys.version)"', PYTHON]
        expected = subprocess.run(probe, capture_output=True, text=True, check=True).stdout
        if self.run(probe).stdout != expected:
            self.prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
            result = self.run(probe)
            assert result.stdout == expected, result.stdout + result.stderr
            self.user += " (allowed to read any file)"

    def copy_checkout(self):
        shutil.copytree(ROOT, self.checkout, ignore=COPY_IGNORED, symlinks=True)
        for path in [self.checkout, *self.checkout.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def start_server(self):
        bindir = _server_bindir()
        data = self._own_dir("pgdata")
        pwfile = self.home / "pgpass.txt"
        pwfile.write_text(self.password)
        if self.as_root:
            os.chown(pwfile, self.uid, self.gid)
        pwfile.chmod(0o600)
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "olimp_admin", f"--pwfile={pwfile}"]
        initdb += ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
        result = self.run(initdb)
        assert result.returncode == 0, result.stdout + result.stderr
        pwfile.unlink()
        # TCP on 127.0.0.1 only, no Unix socket: every client comes over TCP with a password.
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off"
        pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(self.base / "pgdata.log"), "-o", options]
        (self.base / "pgdata.log").touch()
        if self.as_root:
            os.chown(self.base / "pgdata.log", self.uid, self.gid)
        result = self.run([*pg_ctl, "-w", "-t", "60", "start"])
        assert result.returncode == 0, result.stdout + result.stderr + (self.base / "pgdata.log").read_text()
        self.server = (bindir, data)
        result = self.psql(f"CREATE ROLE odoo LOGIN CREATEDB PASSWORD {self.quote(self.password)}", user="olimp_admin")
        assert result.returncode == 0, result.stderr

    @staticmethod
    def quote(text):
        return "'" + text.replace("'", "''") + "'"

    def psql(self, sql, user="odoo", password=None, database="postgres"):
        env = dict(self.env, PGUSER=user, PGPASSWORD=self.password if password is None else password)
        return self.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-tAc", sql, database], env=env)

    def stop_server(self):
        if self.server:
            bindir, data = self.server
            self.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])

    def run(self, command, env=None, cwd=None, timeout=1200):
        return subprocess.run(
            [*self.prefix, *map(str, command)],
            env=env or self.env,
            cwd=cwd or self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def cleanup(self):
        self.stop_server()
        for path in [self.checkout, *self.checkout.rglob("*")] if self.checkout.exists() else []:
            if not path.is_symlink():
                path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    try:
        box.choose_user()
        box.copy_checkout()
        box.start_server()
        yield box
    finally:
        box.cleanup()


@pytest.fixture(scope="module")
def installed(sandbox):
    """``olimp_kpi`` with demo data on a database made by the ``odoo`` role, by Odoo run as in .ci/run."""
    database = "olimp_docker"
    result = sandbox.run(["createdb", database])
    assert result.returncode == 0, result.stderr
    command = [PYTHON, "-m", "odoo", "--addons-path", f"{sandbox.checkout},{_odoo_addons()}", "-d", database]
    command += ["--db_host", "127.0.0.1", "--db_port", str(sandbox.port), "--db_user", "odoo"]
    command += ["--db_password", sandbox.password, "-i", ADDON, "--stop-after-init", "--no-http"]
    command += ["--max-cron-threads", "0", "--log-level", "warn"]
    result = sandbox.run(command, cwd=sandbox.checkout)
    return database, result


def _odoo_addons():
    code = "import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'addons'))"
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def _junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    count = {key: sum(int(suite.get(key, 0)) for suite in suites) for key in ("tests", "failures", "errors", "skipped")}
    failed = [
        f"{case.get('classname')}::{case.get('name')}"
        for case in root.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    ]
    return count, failed


def test_the_conditions_hold(sandbox):
    """Not root; the checkout cannot be written; the server takes TCP only, and only with the password."""
    whoami = sandbox.run([PYTHON, "-c", "import os; print(os.geteuid())"])
    assert whoami.stdout.strip() != "0"
    write = sandbox.run([PYTHON, "-c", f"open({str(sandbox.checkout / 'README.md')!r}, 'a')"])
    assert "PermissionError" in write.stderr
    touch = sandbox.run(["touch", sandbox.checkout / "new-file"])
    assert touch.returncode != 0
    assert sandbox.psql("SELECT current_user").stdout.strip() == "odoo"
    assert sandbox.psql("SHOW unix_socket_directories").stdout.strip() == ""
    assert sandbox.psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'odoo'").stdout.strip() == "f"
    wrong = sandbox.psql("SELECT 1", password="not-the-password")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_test_requirements_are_installed(sandbox):
    """.ci/run installs the requirements first: all present, pip writes nothing (it could not)."""
    for requirements, options in (("requirements-test.txt", []), ("requirements-oca.txt", ["--no-deps"])):
        command = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *options]
        result = sandbox.run([*command, "-r", requirements], cwd=sandbox.checkout)
        assert result.returncode == 0, result.stdout + result.stderr


def test_odoo_installs_the_addon(installed):
    _database, result = installed
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    errors = [line for line in log.splitlines() if " ERROR " in line or " CRITICAL " in line]
    assert not errors, "\n".join(errors)


def test_odoo_tests_pass_with_pytest_odoo(sandbox, installed):
    if subprocess.run([PYTHON, "-c", "import pytest_odoo"], capture_output=True, check=False).returncode:
        pytest.skip("pytest-odoo is not installed (requirements-test.txt)")
    database, _result = installed
    report = sandbox.home / "odoo-tests.xml"
    command = [PYTHON, "-m", "pytest", f"--odoo-database={database}", "--odoo-http"]
    command += [f"--odoo-addons-path={sandbox.checkout},{_odoo_addons()}", f"--junitxml={report}", ADDON]
    result = sandbox.run(command, cwd=sandbox.checkout)
    assert report.exists(), result.stdout[-5000:] + result.stderr[-5000:]
    count, failed = _junit(report)
    assert count["tests"] > 100, count
    assert not failed, "\n".join(failed) + "\n" + result.stdout[-5000:]
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


def test_translation_template_exported_and_checked(sandbox, installed):
    database, _result = installed
    pot_dir = sandbox.home / "pot"
    result = sandbox.run(["mkdir", "-p", pot_dir])
    command = [PYTHON, "-m", "odoo", "--addons-path", f"{sandbox.checkout},{_odoo_addons()}", "-d", database]
    command += ["--db_host", "127.0.0.1", "--db_port", str(sandbox.port), "--db_user", "odoo"]
    command += ["--db_password", sandbox.password, "--no-http", "--stop-after-init", "--log-level", "warn"]
    command += [f"--i18n-export={pot_dir / (ADDON + '.pot')}", f"--modules={ADDON}"]
    result = sandbox.run(command, cwd=sandbox.checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    check = sandbox.run([PYTHON, "tools/check_translations.py", "--pot-dir", pot_dir, ADDON], cwd=sandbox.checkout)
    assert check.returncode == 0, check.stdout + check.stderr


def test_plain_tests_pass(sandbox):
    """``pytest tests`` as .ci/run runs it: the engine, the linters (tools/lint), the translation checks..."""
    report = sandbox.home / "pytest.xml"
    result = sandbox.run([PYTHON, "-m", "pytest", "tests", f"--junitxml={report}"], cwd=sandbox.checkout)
    assert report.exists(), result.stdout[-5000:] + result.stderr[-5000:]
    count, failed = _junit(report)
    assert not failed, "\n".join(failed) + "\n" + result.stdout[-8000:]
    assert count["tests"] - count["skipped"] > 50, count
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
