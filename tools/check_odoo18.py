#!/usr/bin/env python3
"""Reject Odoo 17-and-older idioms in add-on sources.

XML: ``<tree>`` views, ``attrs=`` and ``states=`` attributes, the ``numbercall`` / ``doall`` cron fields.
Python: ``name_get``, ``group_operator=``, ``states=`` on fields, ``user_has_groups``, ``numbercall``.
JavaScript: ``useService("user")`` replaced by the ``user`` import in Odoo 18 is left to code review.

Usage: ``check_odoo18.py [PATH ...]`` (files or directories; default: every add-on of the repository).
Prints one line per finding and exits 1 when there is any.
"""

import ast
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", "__pycache__", "node_modules", "static/lib"}
OLD_CRON_FIELDS = {"numbercall", "doall"}
OLD_FIELD_KEYWORDS = {"group_operator": "aggregator=", "states": "readonly=/invisible= expressions in views"}
OLD_NAMES = {"name_get": "_compute_display_name", "user_has_groups": "self.env.user.has_group"}


def addon_dirs(root):
    return sorted(path.parent for path in root.glob("*/__manifest__.py"))


def iter_files(paths):
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and not any(part in SKIP_DIRS for part in file.parts):
                    yield file
        elif path.is_file():
            yield path


def check_xml(path):
    try:
        tree = etree.parse(str(path))
    except etree.XMLSyntaxError as error:
        return [(error.lineno or 0, f"XML syntax error: {error.msg}")]
    findings = []
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "tree":
            findings.append((node.sourceline, "<tree> view: use <list> (Odoo 18)"))
        for attribute in ("attrs", "states"):
            if attribute in node.attrib:
                findings.append(
                    (node.sourceline, f'{attribute}="...": use invisible=/readonly=/required= expressions (Odoo 18)')
                )
        if node.tag == "field" and node.get("name") in OLD_CRON_FIELDS:
            findings.append((node.sourceline, f"ir.cron field {node.get('name')!r} no longer exists in Odoo 18"))
        # Arch stored as text inside <field name="arch" type="xml"> is parsed above; view_mode strings too:
        if node.tag == "field" and node.get("name") == "view_mode" and "tree" in (node.text or "").split(","):
            findings.append((node.sourceline, "view_mode 'tree': use 'list' (Odoo 18)"))
    return findings


def check_python(path):
    source = path.read_text(encoding="utf-8")
    try:
        module = ast.parse(source, str(path))
    except SyntaxError as error:
        return [(error.lineno or 0, f"Python syntax error: {error.msg}")]
    findings = []
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef) and node.name in OLD_NAMES:
            findings.append((node.lineno, f"def {node.name}: use {OLD_NAMES[node.name]} (Odoo 18)"))
        elif isinstance(node, ast.Attribute) and node.attr in OLD_NAMES:
            findings.append((node.lineno, f".{node.attr}: use {OLD_NAMES[node.attr]} (Odoo 18)"))
        elif isinstance(node, ast.Call) and _is_field_call(node):
            for keyword in node.keywords:
                if keyword.arg in OLD_FIELD_KEYWORDS:
                    findings.append(
                        (node.lineno, f"field {keyword.arg}=: use {OLD_FIELD_KEYWORDS[keyword.arg]} (Odoo 18)")
                    )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in OLD_CRON_FIELDS:
            findings.append((node.lineno, f"ir.cron field {node.value!r} no longer exists in Odoo 18"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "<tree" in node.value:
            findings.append((node.lineno, "<tree> view in a string: use <list> (Odoo 18)"))
    return findings


def _is_field_call(node):
    func = node.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "fields"


def check_file(path):
    if path.suffix == ".xml":
        return check_xml(path)
    if path.suffix == ".py":
        return check_python(path)
    return []


def main(argv):
    paths = [Path(arg) for arg in argv] or addon_dirs(ROOT)
    count = 0
    for file in iter_files(paths):
        for line, message in check_file(file):
            print(f"{file}:{line}: {message}")
            count += 1
    if count:
        print(f"check_odoo18: {count} Odoo <=17 idiom(s) found", file=sys.stderr)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
