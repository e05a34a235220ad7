"""SQL errors a transaction expects and handles, kept out of the error log, safely in a multi-threaded server.

Two workers may insert the same row at once (e.g. the scorecard of an employee for a month, or a follow-up): the
one that loses the race gets a unique violation inside a savepoint, and skips the row. ``odoo.sql_db`` logs every
failed query as an error first. :class:`odoo.tools.mute_logger` silences a logger by swapping its handlers for the
whole process: when two threads of a threaded server use it at once, the one leaving last restores the handlers
the other one had installed, and ``odoo.sql_db`` stays silent for good (or the first one's error goes through).
:func:`expected_sql_errors` silences the current thread only, with a filter installed once on the logger.
"""

import logging
import threading
from contextlib import contextmanager

LOGGER = "odoo.sql_db"
_install_lock = threading.Lock()


class _CurrentThreadFilter(logging.Filter):
    """Drops the records of the threads inside :func:`expected_sql_errors`."""

    olimp_expected_sql_errors = True

    def __init__(self):
        super().__init__()
        self.local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "depth", 0)


def _filter():
    logger = logging.getLogger(LOGGER)
    with _install_lock:
        for candidate in logger.filters:
            if getattr(candidate, "olimp_expected_sql_errors", False):
                return candidate
        candidate = _CurrentThreadFilter()
        logger.addFilter(candidate)
        return candidate


@contextmanager
def expected_sql_errors():
    """Within the block, failed queries of the current thread are not logged (other threads are unaffected)."""
    local = _filter().local
    local.depth = getattr(local, "depth", 0) + 1
    try:
        yield
    finally:
        local.depth -= 1
