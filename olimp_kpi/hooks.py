from odoo.tools import SQL

from .models.olimp_kpi import SOURCE_INDEX_PREFIX


def post_init_hook(env):
    """Orders confirmed before the module was installed: mark each customer's first (the KPI New customers)."""
    env["sale.order"]._olimp_update_first_orders()


def uninstall_hook(env):
    """Free the records Odoo is about to delete, and leave nothing behind.

    Odoo deletes a module's data records (catalogue KPIs and questions, demo employees and users...) before it drops
    the module's tables. Scorecards, their lines and answers, and the lines of profiles made by users are no data
    records: left in place they refer to those records (ondelete ``restrict``), every delete fails and is logged as an
    error, and the demo employees and users stay behind. They would be dropped with their tables a moment later:
    deleting them first lets the data go cleanly.
    """
    # Lines and answers go with their scorecard (ondelete cascade).
    env.cr.execute(SQL("DELETE FROM olimp_kpi_scorecard"))
    env.cr.execute(SQL("DELETE FROM olimp_kpi_profile_line"))
    # The indexes made on source tables for KPIs (see ``olimp.kpi._ensure_source_index``).
    for (name,) in env.execute_query(
        SQL(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND starts_with(indexname, %s)",
            SOURCE_INDEX_PREFIX,
        )
    ):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    forget_removed_models(env)


def forget_removed_models(env):
    """Delete the bookkeeping Odoo would leave behind about the models and foreign keys of the modules being removed.

    - External ids that other modules hold on the description of these models (the ``mail.thread`` inheritance
      recorded by ``portal``, ``sms``...; the activity states' selection values recorded by ``mail``): Odoo deletes
      the described rows with the model (ondelete cascade) but keeps these ids, which then point at nothing.
    - The foreign keys that these modules' fields put on other modules' tables (``ir.model.constraint`` rows without
      an external id): the keys go with their columns, the rows would stay.

    Called by the uninstall hook of every add-on that makes models; it works on all the modules being removed
    (state ``to remove``), so running it more than once is harmless.
    """
    env.cr.execute(
        SQL(
            """
            WITH removing AS (SELECT id, name FROM ir_module_module WHERE state = 'to remove'),
            dropped AS (
                -- Models that the removed modules make: they go with them (no other module holds them).
                SELECT d.res_id AS id
                  FROM ir_model_data d
                 WHERE d.model = 'ir.model' AND d.module IN (SELECT name FROM removing)
                EXCEPT
                SELECT d.res_id
                  FROM ir_model_data d
                 WHERE d.model = 'ir.model' AND d.module NOT IN (SELECT name FROM removing)
            ),
            described AS (
                SELECT 'ir.model.fields' AS model, f.id AS res_id FROM ir_model_fields f
                 WHERE f.model_id IN (SELECT id FROM dropped)
                UNION ALL
                SELECT 'ir.model.fields.selection', s.id FROM ir_model_fields_selection s
                  JOIN ir_model_fields f ON f.id = s.field_id
                 WHERE f.model_id IN (SELECT id FROM dropped)
                UNION ALL
                SELECT 'ir.model.inherit', i.id FROM ir_model_inherit i
                 WHERE i.model_id IN (SELECT id FROM dropped) OR i.parent_id IN (SELECT id FROM dropped)
                UNION ALL
                SELECT 'ir.model.constraint', c.id FROM ir_model_constraint c WHERE c.model IN (SELECT id FROM dropped)
                UNION ALL
                SELECT 'ir.model.relation', r.id FROM ir_model_relation r WHERE r.model IN (SELECT id FROM dropped)
            )
            DELETE FROM ir_model_data d
             USING described
             WHERE d.model = described.model AND d.res_id = described.res_id
               AND d.module NOT IN (SELECT name FROM removing)
            """
        )
    )
    env.cr.execute(
        SQL(
            """
            DELETE FROM ir_model_constraint c
             USING ir_module_module m
             WHERE m.id = c.module AND m.state = 'to remove' AND c.type = 'f'
               AND NOT EXISTS (SELECT 1 FROM ir_model_data d WHERE d.model = 'ir.model.constraint' AND d.res_id = c.id)
            """
        )
    )
