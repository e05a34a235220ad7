"""The silencing of expected SQL errors is per thread: two threads entering and leaving in any order leave the
logger as it was, and never hide another thread's errors (``odoo.tools.mute_logger`` does not hold there)."""

import importlib.util
import logging
import threading

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location(
    "olimp_expected_sql_errors", ROOT / "olimp_kpi" / "services" / "expected_sql_errors.py"
)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_interleaved_threads():
    logger = logging.getLogger(module.LOGGER)
    handler = Records()
    logger.addHandler(handler)
    try:
        steps = [threading.Event() for _step in range(4)]

        def first():
            with module.expected_sql_errors():
                logger.error("first, silenced")
                steps[0].set()
                steps[1].wait(5)
            # Left before the second thread: the second one is still silenced, this one is not.
            steps[2].set()
            steps[3].wait(5)
            logger.error("first, after")

        def second():
            steps[0].wait(5)
            with module.expected_sql_errors():
                steps[1].set()
                steps[2].wait(5)
                logger.error("second, silenced")
            steps[3].set()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        logger.error("main thread, meanwhile")
        for thread in threads:
            thread.join(10)
        logger.error("main thread, after")
        assert "first, silenced" not in handler.messages
        assert "second, silenced" not in handler.messages
        assert {"first, after", "main thread, meanwhile", "main thread, after"} <= set(handler.messages)
        assert sum(1 for f in logger.filters if getattr(f, "olimp_expected_sql_errors", False)) == 1
    finally:
        logger.removeHandler(handler)


def test_nested_and_exception():
    logger = logging.getLogger(module.LOGGER)
    handler = Records()
    logger.addHandler(handler)
    try:
        with pytest.raises(ValueError), module.expected_sql_errors(), module.expected_sql_errors():
            raise ValueError("handled")
        logger.error("after")
        assert handler.messages == ["after"]
    finally:
        logger.removeHandler(handler)
