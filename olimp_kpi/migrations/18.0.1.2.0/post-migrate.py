"""18.0.1.2.0: what the KPIs count and how months compare.

- The first confirmed order of each customer is marked (the KPI New customers counts it).
- The catalogue KPIs Meetings held, New customers and Receivables get their corrected definitions, unless a user
  changed them (then the log says so and what to change by hand).
- Existing lines compared whole months computed from the data: that is what their trend says
  (``trend_basis = month``), until the next refresh of an open month; closed months keep it.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sale.order"]._olimp_update_first_orders()
    env["olimp.kpi"]._olimp_upgrade_catalogue()
    cr.execute(
        SQL(
            "UPDATE olimp_kpi_scorecard_line SET trend_basis = 'month', trend_reference = previous_actual "
            "WHERE trend_basis = 'none'"
        )
    )
    cr.execute(
        SQL(
            "UPDATE olimp_kpi_scorecard SET trend_basis = 'month', efficiency_reference = previous_efficiency "
            "WHERE trend_basis = 'none'"
        )
    )
