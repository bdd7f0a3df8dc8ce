"""Keep one test's logging setup from reaching the next.

A command run in process (``Cli``, ``CliRunner``) configures logging for the whole process,
as ``casewatch`` does: ``pipeline.logs.configure_logging`` sets the root logger's level (ERROR
by default) and Scrapy's, and adds its stderr handler. Left in place, that silences every
later test that logs below ERROR through a logger without a level of its own (test_deploy's
JSON log line, after test_cli_hearings' ``crawl``), and the handler keeps writing to the
stream of a runner that is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def restored_logging() -> Iterator[None]:
    """On exit: the root's level and every existing logger's level as they were on entry, and
    no casewatch handler that was added meanwhile. pytest's own capture handlers, which it
    adds and removes around each test phase, are left alone."""
    root = logging.getLogger()
    root_level = root.level
    handlers = set(root.handlers)
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "casewatch", False) and handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
