"""Plain pytest tests: the engine without Odoo, the tooling, the Docker files.

The engine package (``olimp_kpi/engine``) is loaded by path under the name ``olimp_kpi_engine``, so that importing
it does not import the add-on (whose ``__init__`` imports Odoo models).

These tests need no Odoo database (those that run Odoo start their own processes), and run whether pytest-odoo is
installed or not. pytest-odoo, once installed, is loaded by every pytest run; its session fixture ``load_registry``
(autouse) loads the registry of ``--odoo-database``, and fails without one ("Missing database name"). The fixture of
the same name below replaces it for the tests of this folder; the add-ons' Odoo tests, run by pytest-odoo with
``--odoo-database`` (see README.md), keep the plugin's.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """No Odoo registry for the plain tests (replaces pytest-odoo's fixture of this name, see above)."""
    yield
