"""The Docker quick start: Odoo 18.0 with both add-ons on PostgreSQL, and a tests service running .ci/run."""

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
