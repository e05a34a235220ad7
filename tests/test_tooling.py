"""The lint command and the CI entry point."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT

LINT = ROOT / "tools" / "lint"
CHECK = ROOT / "tools" / "check_odoo18.py"


def run(args, **kw):
    env = dict(os.environ, ODOO_PYTHON=sys.executable)
    env.update(kw.pop("env", {}))
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, check=False, **kw)


def test_idiom_check_rejects_tree_views(tmp_path):
    view = tmp_path / "views.xml"
    view.write_text(
        '<odoo><record id="v" model="ir.ui.view"><field name="arch" type="xml"><tree/></field></record></odoo>'
    )
    result = run([sys.executable, str(CHECK), str(view)])
    assert result.returncode == 1
    assert "<tree> view" in result.stdout


def test_idiom_check_rejects_old_attributes_and_python(tmp_path):
    (tmp_path / "views.xml").write_text('<odoo><form><field name="a" attrs="{}" states="draft"/></form></odoo>')
    (tmp_path / "cron.xml").write_text(
        '<odoo><record id="c" model="ir.cron"><field name="numbercall">-1</field></record></odoo>'
    )
    (tmp_path / "model.py").write_text(
        "from odoo import fields, models\n"
        "class M(models.Model):\n"
        "    _name = 'x.y'\n"
        "    a = fields.Float(group_operator='sum', states={'draft': []})\n"
        "    def name_get(self):\n"
        "        return self.user_has_groups('base.group_user')\n"
    )
    result = run([sys.executable, str(CHECK), str(tmp_path)])
    assert result.returncode == 1
    for needle in ("attrs=", "states=", "numbercall", "group_operator", "def name_get", "user_has_groups"):
        assert needle in result.stdout, needle


def test_idiom_check_accepts_odoo_18(tmp_path):
    (tmp_path / "views.xml").write_text('<odoo><list><field name="a" invisible="state == \'done\'"/></list></odoo>')
    result = run([sys.executable, str(CHECK), str(tmp_path)])
    assert result.returncode == 0, result.stdout


def test_lint_fails_on_a_tree_view(tmp_path):
    view = tmp_path / "bad_view.xml"
    view.write_text(
        '<odoo><record id="v" model="ir.ui.view"><field name="arch" type="xml"><tree/></field></record></odoo>'
    )
    result = run(["bash", str(LINT), str(view)])
    assert result.returncode != 0
    assert "lint: 1 failed" in result.stdout


def test_lint_passes_on_the_tree():
    result = run(["bash", str(LINT)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lint: 0 failed" in result.stdout


def test_ci_without_odoo_says_how_to_point_at_it():
    result = run(["bash", str(ROOT / ".ci" / "run")], env={"ODOO_PYTHON": "/nonexistent/python"})
    assert result.returncode != 0
    assert "Odoo 18.0 was not found" in result.stderr
    assert "ODOO_PYTHON=" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"


def _has_pytest_odoo():
    return run([sys.executable, "-c", "import pytest_odoo"]).returncode == 0


@pytest.mark.parametrize("plugin", ["loaded", "not loaded"])
def test_plain_tests_run_with_or_without_pytest_odoo(plugin):
    """pytest-odoo, once installed, is loaded by every pytest run and wants a database: the plain tests need none
    (tests/conftest.py). ``-p no:odoo`` stands for an environment without it."""
    if plugin == "loaded" and not _has_pytest_odoo():
        pytest.skip("pytest-odoo is not installed (requirements-test.txt)")
    # Without the project's -q, pytest's header lists the plugins it loaded.
    options = ["-o", "addopts=", "-p", "no:cacheprovider", "-p", "no:warnings"]
    options += ["-p", "no:odoo"] if plugin == "not loaded" else []
    result = run([sys.executable, "-m", "pytest", "tests/test_engine_periods.py", *options])
    assert result.returncode == 0, result.stdout + result.stderr
    plugins = next((line for line in result.stdout.splitlines() if line.startswith("plugins:")), "")
    assert ("odoo-" in plugins) == (plugin == "loaded"), result.stdout
    assert " passed" in result.stdout
