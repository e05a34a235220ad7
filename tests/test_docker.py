"""The Docker quick start: Odoo 18.0 with both add-ons on PostgreSQL, and a tests service running .ci/run."""

import re
import shutil
import subprocess

import pytest
import yaml
from conftest import ROOT

COMPOSE = ROOT / "docker" / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_postgres_service(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert db["environment"]["POSTGRES_USER"] == compose["services"]["odoo"]["environment"]["USER"]


def test_odoo_service_runs_18_with_both_addons(compose):
    odoo = compose["services"]["odoo"]
    assert odoo["image"] == "odoo:18.0"
    assert odoo["environment"]["HOST"] == "db"
    assert "db" in odoo["depends_on"]
    command = odoo["command"]
    assert command[0] == "odoo"
    assert command[command.index("--database") + 1] == "olimp"
    assert set(command[command.index("-i") + 1].split(",")) == {"olimp_kpi", "olimp_followup"}
    assert "--without-demo" not in " ".join(command), "the quick start shows the demo data"
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in odoo["volumes"]}
    assert mounts[".."] == "/mnt/extra-addons", "the repository is the image's extra add-ons folder"
    for addon in ("olimp_kpi", "olimp_followup"):
        assert (COMPOSE.parent / ".." / addon / "__manifest__.py").exists()


def test_tests_service_runs_ci(compose):
    tests = compose["services"]["tests"]
    assert tests["command"] == ["bash", ".ci/run"]
    assert tests["environment"]["PGHOST"] == "db"
    assert tests["environment"]["ODOO_PYTHON"] == "/usr/bin/python3"
    dockerfile = (ROOT / tests["build"]["dockerfile"]).read_text(encoding="utf-8")
    assert dockerfile.splitlines()[1] == "FROM odoo:18.0"
    assert "requirements-test.txt" in dockerfile


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def _instructions(dockerfile):
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_tests_image_is_sane(compose):
    build = compose["services"]["tests"]["build"]
    context = (COMPOSE.parent / build["context"]).resolve()
    assert context == ROOT
    instructions = _instructions(context / build["dockerfile"])
    known = {"FROM", "USER", "ENV", "RUN", "COPY", "ARG", "WORKDIR", "LABEL"}
    assert {name for name, _args in instructions} <= known, instructions
    assert instructions[0] == ("FROM", "odoo:18.0")
    # Files copied into the image exist in the build context.
    for name, args in instructions:
        if name == "COPY":
            *sources, _target = args.split()
            for source in sources:
                assert (context / source).is_file(), source
    # Tests run as the image's own user, never as root.
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] == "odoo"
    run = " ".join(args for name, args in instructions if name == "RUN")
    assert "requirements-test.txt" in run and "--no-deps -r /tmp/requirements-oca.txt" in run
    assert "chromium" in run


def test_tests_service_conditions(compose):
    """What tests/test_docker_conditions.py reproduces without Docker: read-only checkout, password over TCP."""
    tests, db = compose["services"]["tests"], compose["services"]["db"]
    mounts = {volume.split(":")[0]: volume.split(":")[1:] for volume in tests["volumes"]}
    assert mounts[".."] == [tests["working_dir"], "ro"]
    assert tests["environment"]["PGUSER"] == db["environment"]["POSTGRES_USER"]
    assert tests["environment"]["PGPASSWORD"] == db["environment"]["POSTGRES_PASSWORD"]
    assert tests["environment"]["PGHOST"] == "db"
    assert (ROOT / "tests" / "test_docker_conditions.py").is_file()
