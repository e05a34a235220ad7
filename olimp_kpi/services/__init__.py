"""What olimp_kpi does that is not an Odoo model: the ORM side of the engine (the refresh), the data of the screens,
domains read as data, SQL helpers for concurrent work, the names of the KPI groups.

Other add-ons import from this package only, not from its modules::

    from odoo.addons.olimp_kpi.services import create_skipping_duplicates, lock_rows, TEAM_LEADER_GROUP
"""

from .domains import compile_domain, literal_problem, parse_domain, parse_domain_or_none
from .expected_sql_errors import expected_sql_errors
from .groups import HR_READER_GROUP, KPI_ADMIN_GROUP, KPI_USER_GROUP, TEAM_LEADER_GROUP, is_team_leader
from .locking import create_skipping_duplicates, lock_rows

__all__ = [
    "HR_READER_GROUP",
    "KPI_ADMIN_GROUP",
    "KPI_USER_GROUP",
    "TEAM_LEADER_GROUP",
    "compile_domain",
    "create_skipping_duplicates",
    "expected_sql_errors",
    "is_team_leader",
    "literal_problem",
    "lock_rows",
    "parse_domain",
    "parse_domain_or_none",
]
