from odoo.tools import SQL

from .models.olimp_kpi import SOURCE_INDEX_PREFIX


def post_init_hook(env):
    """Orders confirmed before the module was installed: mark each customer's first (the KPI New customers)."""
    env["sale.order"]._olimp_update_first_orders()


def uninstall_hook(env):
    """Drop the indexes made on source tables for KPIs (see ``olimp.kpi._ensure_source_index``)."""
    for (name,) in env.execute_query(
        SQL(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND starts_with(indexname, %s)",
            SOURCE_INDEX_PREFIX,
        )
    ):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
