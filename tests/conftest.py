"""Plain pytest tests: the engine without Odoo, the tooling, the Docker files.

The engine package (``olimp_kpi/engine``) is loaded by path under the name ``olimp_kpi_engine``, so that importing
it does not import the add-on (whose ``__init__`` imports Odoo models).
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_engine():
    name = "olimp_kpi_engine"
    if name in sys.modules:
        return sys.modules[name]
    package_dir = ROOT / "olimp_kpi" / "engine"
    spec = importlib.util.spec_from_file_location(
        name, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


load_engine()
