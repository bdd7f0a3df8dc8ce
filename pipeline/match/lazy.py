"""Cases compiled when a run first matches something, not before.

Compiling the cases loads the Russian morphology (pymorphy3) and expands every term: most of
a second that a run with nothing new to read — every feed answering 304 — never needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from pipeline.match.cases import Matcher
from pipeline.records import Match


class CaseMatcher(Protocol):
    """What ingest asks of compiled cases."""

    def match(self, fields: Mapping[str, str]) -> list[Match]: ...


class LazyMatcher:
    """A :class:`Matcher` built by ``build`` at the first :meth:`match` (once, whichever
    thread asks first)."""

    def __init__(self, build: Callable[[], Matcher]) -> None:
        self._build = build
        self._matcher: Matcher | None = None
        self._lock = threading.Lock()

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._matcher = self._build()
        return self._matcher

    def match(self, fields: Mapping[str, str]) -> list[Match]:
        return self.matcher.match(fields)
