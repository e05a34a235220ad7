#!/usr/bin/env python3
"""Build each add-on's README.md from its readme/ fragments (OCA layout).

Usage: ``gen_addon_readme.py`` writes the files; ``gen_addon_readme.py --check`` exits 1 when one is stale.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    parts = [
        f"# {manifest['name']}",
        "",
        f"`{addon.name}` {manifest['version']} · {manifest['license']} · {manifest['development_status']}",
        "",
        manifest["summary"],
    ]
    for filename, title in SECTIONS:
        fragment = addon / "readme" / filename
        if not fragment.exists():
            continue
        if title:
            parts += ["", f"## {title}"]
        parts += ["", fragment.read_text(encoding="utf-8").strip()]
    parts += ["", "## Maintainers", "", ", ".join(manifest["maintainers"]), ""]
    return "\n".join(parts)


def main(argv):
    check = "--check" in argv
    stale = []
    for manifest in sorted(ROOT.glob("*/__manifest__.py")):
        addon = manifest.parent
        if not (addon / "readme" / "DESCRIPTION.md").exists():
            stale.append(f"{addon.name}: readme/DESCRIPTION.md is missing")
            continue
        target = addon / "README.md"
        text = render(addon)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if check:
            stale.append(f"{addon.name}/README.md is out of date: run tools/gen_addon_readme.py")
        else:
            target.write_text(text, encoding="utf-8")
    for line in stale:
        print(line)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
