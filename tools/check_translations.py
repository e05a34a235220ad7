#!/usr/bin/env python3
"""Check the translations of every add-on: ``i18n/<addon>.pot`` and a complete ``i18n/ru.po``.

- every add-on has both files;
- every term of the template has a Russian translation (not empty, not fuzzy) and no translation is left over
  for a term the template no longer has;
- a translation keeps the placeholders of its term (``%(name)s``, ``%s``, ``{{ expr }}``, ``{name}``) and its HTML
  tags with their attributes (``<span class="badge" invisible="...">``, ``<em>``);
- with ``--pot-dir DIR`` (templates just exported from a database by ``.ci/run``), the committed templates hold
  exactly the same terms: they are current.

Usage: ``check_translations.py [--pot-dir DIR] [ADDON ...]``; exits 1 on any finding.
"""

import argparse
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ru",)
PLACEHOLDER = re.compile(r"%\([a-zA-Z_][a-zA-Z0-9_]*\)[sdrf]|%[sdrf]|\{\{.*?\}\}|\{[a-zA-Z_][a-zA-Z0-9_]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text or ""))


def html_tags(text):
    return sorted(" ".join(tag.split()) for tag in HTML_TAG.findall(text or ""))


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def shown(path):
    """The path as the user knows it: relative to the repository when inside it."""
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def check_addon(addon, pot_dir=None):
    findings = []
    i18n = addon / "i18n"
    pot_path = i18n / f"{addon.name}.pot"
    if not pot_path.exists():
        return [f"{addon.name}: {shown(pot_path)} is missing"]
    pot = polib.pofile(str(pot_path))
    terms = {key(entry): entry for entry in pot if entry.msgid}
    if pot_dir:
        fresh_path = Path(pot_dir) / f"{addon.name}.pot"
        if not fresh_path.exists():
            findings.append(f"{addon.name}: no exported template in {pot_dir}")
        else:
            fresh = {key(entry) for entry in polib.pofile(str(fresh_path)) if entry.msgid}
            for missing in sorted(fresh - set(terms)):
                findings.append(f"{addon.name}.pot lacks the term {missing[1]!r}: export the template again")
            for extra in sorted(set(terms) - fresh):
                findings.append(f"{addon.name}.pot has a term the code no longer has: {extra[1]!r}")
    for lang in LANGUAGES:
        po_path = i18n / f"{lang}.po"
        if not po_path.exists():
            findings.append(f"{addon.name}: {shown(po_path)} is missing")
            continue
        po = polib.pofile(str(po_path))
        translations = {key(entry): entry for entry in po if entry.msgid and not entry.obsolete}
        for term_key, term in terms.items():
            entry = translations.get(term_key)
            where = f"{addon.name}/{lang}.po"
            if entry is None:
                findings.append(f"{where}: no translation of {term.msgid!r}")
                continue
            if "fuzzy" in entry.flags:
                findings.append(f"{where}: fuzzy translation of {term.msgid!r}")
            texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            if not all(text.strip() for text in texts):
                findings.append(f"{where}: empty translation of {term.msgid!r}")
                continue
            for text in texts:
                if placeholders(text) != placeholders(term.msgid):
                    findings.append(f"{where}: placeholders differ in the translation of {term.msgid!r}")
                if html_tags(text) != html_tags(term.msgid):
                    findings.append(f"{where}: HTML tags differ in the translation of {term.msgid!r}")
        for extra in sorted(set(translations) - set(terms)):
            findings.append(f"{addon.name}/{lang}.po: translation of a term not in the template: {extra[1]!r}")
    return findings


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pot-dir", help="templates freshly exported from a database, to compare with")
    parser.add_argument("addons", nargs="*", help="add-on folders (default: every add-on of the repository)")
    args = parser.parse_args(argv)
    addons = [Path(name).resolve() for name in args.addons] or sorted(
        path.parent for path in ROOT.glob("*/__manifest__.py")
    )
    findings = [finding for addon in addons for finding in check_addon(addon, args.pot_dir)]
    for finding in findings:
        print(finding)
    if findings:
        print(f"check_translations: {len(findings)} problem(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
