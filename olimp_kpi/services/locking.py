"""The two ways the add-ons share work with concurrent transactions (README, "Locking").

Odoo runs each request in a REPEATABLE READ transaction. Two workers may reach the same rows at once: the nightly
refresh and a team leader's *Refresh*, two confirmations of orders of the same customer, a scheduled action and a
salesperson marking a follow-up done.

- :func:`lock_rows` takes the rows a batch works on, leaving those another transaction holds to it
  (``SKIP LOCKED``) and skipping those it changed and committed since this transaction began (locking them is a
  serialization failure in REPEATABLE READ), one savepoint per row on that rare path.
- :func:`create_skipping_duplicates` inserts a batch in one savepoint; should another transaction have inserted one
  of the rows meanwhile (a unique violation), it inserts them one by one, each in its savepoint, and skips those.

Order of locks: a scorecard is locked before its lines (whoever writes a line locks its scorecard first); rows are
locked in the order of their ids. Both helpers flush before their savepoints and use non-flushing savepoints: a
flushing savepoint would also run the transaction's pre-commit hooks (e.g. the chatter's tracking), and rolling it
back would lose them.
"""

import logging

import psycopg2

from odoo.tools import SQL

from .expected_sql_errors import expected_sql_errors

_logger = logging.getLogger(__name__)

LOCK_MODES = {"update": SQL("FOR UPDATE"), "no key update": SQL("FOR NO KEY UPDATE")}


def lock_rows(env, table, ids, columns=("id",), where=None, mode="update"):
    """Lock the rows of ``table`` among ``ids`` (and matching ``where``, SQL) that no other transaction holds or
    changed meanwhile, in the order of their ids; return them as tuples of ``columns``."""
    if not ids:
        return []
    env.flush_all()
    selected = SQL(", ").join(SQL.identifier(column) for column in columns)
    condition = SQL("AND %s", where) if where else SQL()

    def lock(some_ids):
        with env.cr.savepoint(flush=False):
            env.cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE id = ANY(%s) %s ORDER BY id %s SKIP LOCKED",
                    selected,
                    SQL.identifier(table),
                    some_ids,
                    condition,
                    LOCK_MODES[mode],
                ),
                log_exceptions=False,
            )
            return env.cr.fetchall()

    try:
        return lock(list(ids))
    except psycopg2.errors.SerializationFailure:
        rows = []
        for row_id in sorted(ids):
            try:
                rows += lock([row_id])
            except psycopg2.errors.SerializationFailure:
                _logger.info("%s %s changed by a concurrent transaction: skipped", table, row_id)
        return rows


def create_skipping_duplicates(model, vals_list, create=None, errors=(psycopg2.errors.UniqueViolation,)):
    """Create the records of ``vals_list`` with ``create`` (default ``model.create``); rows another transaction
    inserted meanwhile (``errors``, e.g. a unique violation) are skipped. Returns the records created."""
    create = create or model.create
    if not vals_list:
        return model.browse()
    model.env.flush_all()
    try:
        with model.env.cr.savepoint(flush=False), expected_sql_errors():
            records = create(vals_list)
            model.env.flush_all()
            return records
    except errors:
        _logger.info("%s: some of %s records made by another transaction meanwhile", model._name, len(vals_list))
    created = []
    for vals in vals_list:
        try:
            with model.env.cr.savepoint(flush=False), expected_sql_errors():
                created += create([vals]).ids
                model.env.flush_all()
        except errors:
            _logger.info("%s %s made by another transaction meanwhile: skipped", model._name, vals)
    return model.browse(created)
