"""The translation check (tools/check_translations.py) on copies of the real catalogues, and on the repository."""

import shutil
import subprocess
import sys

import polib
import pytest
from conftest import ROOT

CHECK = ROOT / "tools" / "check_translations.py"
ADDON = "olimp_kpi"


def run(*args):
    return subprocess.run([sys.executable, str(CHECK), *map(str, args)], capture_output=True, text=True, check=False)


@pytest.fixture
def addon(tmp_path):
    """A copy of the add-on's template and Russian catalogue, as <tmp>/olimp_kpi/i18n/.

    The contents only: the checkout may be read-only (the Docker tests service mounts it so), and the copies are
    edited."""
    i18n = tmp_path / ADDON / "i18n"
    i18n.mkdir(parents=True)
    for name in (f"{ADDON}.pot", "ru.po"):
        shutil.copyfile(ROOT / ADDON / "i18n" / name, i18n / name)
    return tmp_path / ADDON


def edit_catalogue(addon, msgid, change):
    """Apply change(entry) to the entry of msgid in the copied ru.po."""
    path = addon / "i18n" / "ru.po"
    po = polib.pofile(str(path))
    entry = po.find(msgid)
    assert entry is not None, msgid
    change(po, entry)
    po.save(str(path))


def test_every_addon_of_the_repository_is_translated():
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_the_copy_passes(addon):
    result = run(addon)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_translation_fails(addon):
    edit_catalogue(addon, "Efficiency", lambda po, entry: setattr(entry, "msgstr", ""))
    result = run(addon)
    assert result.returncode == 1
    assert "olimp_kpi/ru.po: empty translation of 'Efficiency'" in result.stdout


def test_a_missing_translation_fails(addon):
    edit_catalogue(addon, "Sales amount", lambda po, entry: po.remove(entry))
    result = run(addon)
    assert result.returncode == 1
    assert "olimp_kpi/ru.po: no translation of 'Sales amount'" in result.stdout


def test_a_fuzzy_translation_fails(addon):
    edit_catalogue(addon, "Trend", lambda po, entry: entry.flags.append("fuzzy"))
    result = run(addon)
    assert result.returncode == 1
    assert "fuzzy translation of 'Trend'" in result.stdout


def test_a_changed_placeholder_fails(addon):
    msgid = "%(code)s (copy)"
    edit_catalogue(addon, msgid, lambda po, entry: setattr(entry, "msgstr", "%(name)s (копия)"))
    result = run(addon)
    assert result.returncode == 1
    assert f"placeholders differ in the translation of {msgid!r}" in result.stdout


def test_a_dropped_percent_placeholder_fails(addon):
    msgid = "No scorecard in %s"
    edit_catalogue(addon, msgid, lambda po, entry: setattr(entry, "msgstr", "Нет карт"))
    result = run(addon)
    assert result.returncode == 1
    assert f"placeholders differ in the translation of {msgid!r}" in result.stdout


def test_a_changed_html_tag_fails(addon):
    msgid = '<span class="o_stat_text">Efficiency</span>'
    edit_catalogue(addon, msgid, lambda po, entry: setattr(entry, "msgstr", "<span>Эффективность</span>"))
    result = run(addon)
    assert result.returncode == 1
    assert "HTML tags differ" in result.stdout


def test_a_missing_catalogue_fails(addon):
    (addon / "i18n" / "ru.po").unlink()
    result = run(addon)
    assert result.returncode == 1
    assert "ru.po is missing" in result.stdout


def test_a_leftover_translation_fails(addon):
    def add(po, entry):
        po.append(polib.POEntry(msgid="A term the code no longer has", msgstr="Старый термин"))

    edit_catalogue(addon, "Trend", add)
    result = run(addon)
    assert result.returncode == 1
    assert "translation of a term not in the template: 'A term the code no longer has'" in result.stdout


def test_a_stale_template_fails(addon, tmp_path):
    """--pot-dir: the committed template must hold exactly the terms of a fresh export."""
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = polib.pofile(str(addon / "i18n" / f"{ADDON}.pot"))
    fresh.append(polib.POEntry(msgid="A term added to the code"))
    fresh.remove(fresh.find("Trend"))
    fresh.save(str(fresh_dir / f"{ADDON}.pot"))
    result = run("--pot-dir", fresh_dir, addon)
    assert result.returncode == 1
    assert "olimp_kpi.pot lacks the term 'A term added to the code'" in result.stdout
    assert "olimp_kpi.pot has a term the code no longer has: 'Trend'" in result.stdout
