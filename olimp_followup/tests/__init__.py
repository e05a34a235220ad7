from . import test_rule
from . import test_schedule
from . import test_done
from . import test_partner
from . import test_security
from . import test_kpi
from . import test_concurrency
from . import test_views
