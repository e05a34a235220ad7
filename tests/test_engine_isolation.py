import subprocess
import sys

from conftest import ROOT


def test_engine_imports_without_odoo():
    """The engine is plain Python: importing it must not import Odoo."""
    code = (
        "import sys; sys.path.insert(0, 'tests'); import conftest; "
        "from olimp_kpi_engine import boards, collector, periods, scoring; "
        "assert 'odoo' not in sys.modules, 'the engine imported odoo'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
