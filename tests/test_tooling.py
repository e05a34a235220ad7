"""The lint command and the CI entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

LINT = ROOT / "tools" / "lint"
CHECK = ROOT / "tools" / "check_odoo18.py"


def run(args, cwd=ROOT, **kw):
    env = dict(os.environ, ODOO_PYTHON=sys.executable)
    env.update(kw.pop("env", {}))
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, check=False, **kw)


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


# -- JavaScript: ESLint and Prettier ----------------------------------------------------------------------------
JS_TOOLING = ["lint", "package.json", "package-lock.json", "eslint.config.cjs", "prettier.config.cjs"]
JS_TOOLING += ["check_odoo18.py", "gen_addon_readme.py", "check_translations.py"]
BAD_MODULE = """import {b} from "@web/b";
import {a} from "@web/a";

export function total(items) {
    let sum;
    sum = 0;
    for (const item of items) sum += item;
    return sum
}
"""


def js_home():
    """Where tools/lint installs ESLint and Prettier: tools/, or on a read-only checkout the user's cache folder
    (one per lock file, named by its POSIX checksum), as tools/lint decides."""
    tools = ROOT / "tools"
    if (tools / "node_modules").is_dir() or os.access(tools, os.W_OK):
        return tools
    lock_hash = subprocess.run(
        ["cksum"], input=(tools / "package-lock.json").read_bytes(), capture_output=True, check=True
    ).stdout.split()[0]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME") or "/tmp", ".cache")
    return Path(cache) / "olimp-js-lint" / lock_hash.decode()


def lint_copy(tmp_path, with_node_modules=True):
    """A repository with tools/lint and the JS tooling only, and an add-on file to lint in it."""
    (tmp_path / "tools").mkdir()
    for name in JS_TOOLING:
        (tmp_path / "tools" / name).write_bytes((ROOT / "tools" / name).read_bytes())
    if with_node_modules:
        (tmp_path / "tools" / "node_modules").symlink_to(js_home() / "node_modules")
    source = tmp_path / "some_addon" / "static" / "src" / "total.js"
    source.parent.mkdir(parents=True)
    source.write_text(BAD_MODULE)
    return source


def run_lint_copy(tmp_path, source, env=None):
    return run(
        ["bash", str(tmp_path / "tools" / "lint"), str(source.relative_to(tmp_path))], cwd=tmp_path, env=env or {}
    )


def test_lint_installs_the_pinned_js_tools():
    """The repository's own run (as CI does) installs ESLint and Prettier at their pinned versions."""
    result = run(["bash", str(LINT), "olimp_kpi/static/src/screens_loader.js"])
    assert "-- eslint: ok" in result.stdout, result.stdout + result.stderr
    assert "-- prettier: ok" in result.stdout
    package = json.loads((ROOT / "tools" / "package.json").read_text())
    for name, version in package["devDependencies"].items():
        installed = json.loads((js_home() / "node_modules" / name / "package.json").read_text())
        assert installed["version"] == version, name


def test_lint_rejects_bad_javascript(tmp_path):
    test_lint_installs_the_pinned_js_tools()
    source = lint_copy(tmp_path)
    result = run_lint_copy(tmp_path, source)
    assert result.returncode != 0
    assert "-- eslint: FAILED" in result.stdout
    assert "-- prettier: FAILED" in result.stdout
    for rule in ("init-declarations", "sort-imports"):
        assert rule in result.stdout, rule


def test_lint_without_js_tools_says_what_is_missing(tmp_path):
    """Offline and not installed: a clear message, and both JS linters count as failed."""
    source = lint_copy(tmp_path, with_node_modules=False)
    offline = {"npm_config_registry": "http://127.0.0.1:9", "npm_config_fetch_retries": "0"}
    result = run_lint_copy(tmp_path, source, env=offline)
    assert result.returncode != 0
    assert "ESLint and Prettier are not installed" in result.stderr
    assert "-- eslint: FAILED (not installed)" in result.stdout
    assert "-- prettier: FAILED (not installed)" in result.stdout


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
