from . import test_install
from . import test_kpi_validation
from . import test_scorecard_engine
from . import test_scorecard_lifecycle
from . import test_security
from . import test_demo
from . import test_source_index
