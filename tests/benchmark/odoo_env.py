"""Opening a real Odoo 18 registry on a database from a plain script, and the database chores around it.

The benchmark scripts run with the Odoo Python (``ODOO_PYTHON``), not inside ``odoo-bin``: they configure Odoo,
open the registry of one database and work in an ``odoo.api.Environment`` as superuser. Databases are created and
dropped with the PostgreSQL client tools and the add-ons installed with the Odoo command line, exactly as an
administrator would.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pg_env():
    """Connection settings of the PostgreSQL client tools and of Odoo, from the usual ``PG*`` variables."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "root"),
        "password": os.environ.get("PGPASSWORD", ""),
    }


def odoo_addons_path(extra=()):
    """This repository, any extra add-on directories, then Odoo's own add-ons (next to the ``odoo`` package)."""
    import odoo  # noqa: PLC0415 (Odoo is imported only by the scripts that need it)

    paths = [str(ROOT), *[str(Path(p).resolve()) for p in extra if p]]
    odoo_addons = Path(odoo.__file__).resolve().parents[1] / "addons"
    if odoo_addons.is_dir():
        paths.append(str(odoo_addons))
    return ",".join(dict.fromkeys(paths))


def db_args():
    pg = pg_env()
    args = ["--db_host", pg["host"], "--db_port", pg["port"], "--db_user", pg["user"]]
    if pg["password"]:
        args += ["--db_password", pg["password"]]
    return args


def _pg_tool(tool, *args, check=True):
    pg = pg_env()
    env = dict(os.environ, PGPASSWORD=pg["password"]) if pg["password"] else None
    command = [shutil.which(tool) or tool, "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], *args]
    return subprocess.run(command, check=check, env=env, capture_output=True, text=True)


def database_exists(name):
    result = _pg_tool("psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return result.stdout.strip() == "1"


def create_database(name, template=None):
    args = ["-T", template] if template else []
    _pg_tool("createdb", *args, name)


def drop_database(name):
    _pg_tool("dropdb", "--if-exists", name, check=False)


def install_modules(db, modules, addons_path, log_path=None, demo=False):
    """Install ``modules`` with the Odoo command line (``-i``), as an administrator would."""
    command = [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={addons_path}",
        *db_args(),
        "-d",
        db,
        "-i",
        ",".join(modules),
        "--stop-after-init",
        "--max-cron-threads",
        "0",
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(_free_port()),
        "--log-level",
        "warn",
    ]
    if not demo:
        command.append("--without-demo=all")
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if log_path:
        Path(log_path).write_text(result.stdout + result.stderr)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if " ERROR " in line or "CRITICAL" in line]
    if result.returncode or errors:
        raise RuntimeError(
            f"Installing {', '.join(modules)} on {db} failed (exit {result.returncode}):\n"
            + "\n".join((errors or (result.stdout + result.stderr).splitlines())[-40:])
        )
    return time.perf_counter() - started


def _free_port():
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(addons_path, log_level="warn"):
    """Configure Odoo for a script: addons path, database server, quiet logs."""
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [f"--addons-path={addons_path}", *db_args(), f"--log-level={log_level}", "--max-cron-threads=0"]
    )


@contextlib.contextmanager
def environment(db, context=None):
    """An ``Environment`` as superuser on ``db``; committed when the block ends without error."""
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(db)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))
