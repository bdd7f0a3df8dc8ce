"""What the routers share: the app's dependencies (store, sources, clock, renderer) per request.

``app`` builds the FastAPI app around a ``WebDeps``; the routers (``api``, ``pages``,
``feeds``) read it back with ``deps_of(request)`` and never import ``app``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from pipeline.clock import utc_now
from pipeline.config.load import Config
from pipeline.config.settings import Settings
from pipeline.config.sources import Source
from pipeline.normalize.dates import Zones, known_zone
from pipeline.store.read.cases import case_zones
from pipeline.web.render import Renderer

MAX_ROW_ID = 2**63 - 1
"""Row ids are 64-bit integers in SQLite and PostgreSQL: a larger one names no row (a 404),
and must never reach the database (it cannot bind it: a 500)."""
MAX_ROWS = 1_000_000
"""The largest ``offset`` (or hearings ``limit``) the API serves; a larger one is a 422 (past
it, narrow the query with ``since``/``until`` or a filter)."""


@dataclass(frozen=True, slots=True)
class WebDeps:
    """What the app reads: the store, the configured sources, the clock, the token."""

    sessions: sessionmaker[Session]
    sources: Sequence[Source] = ()
    token: str | None = None
    clock: Callable[[], datetime] = utc_now
    domain: str = "casewatch.local"
    """Names the calendar UIDs and Atom ids; keep it once subscribers exist."""
    base_url: str = ""
    """The public address the app is reached at (``https://casewatch.example.org``), for the
    absolute links of feeds; without it they are relative (never built from ``Host``)."""
    renderer: Renderer = field(default_factory=Renderer)
    config: Config | None = None
    """With it, ``/healthz`` reports sources and deliveries too (:func:`pipeline.service.status.health`)."""

    @property
    def timezone(self) -> str:
        """``settings.timezone``: where a time of no case is read (the default without config)."""
        if self.config is not None:
            return self.config.settings.timezone
        return str(Settings.model_fields["timezone"].default)

    def zones(self, session: Session) -> Zones:
        """Where each time on a page is read: its case's zone, else :attr:`timezone` (also
        for a case whose zone is unknown: check-config names it)."""
        cases = {slug: name for slug, name in case_zones(session).items() if known_zone(name)}
        return Zones(self.timezone, cases)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only unit of work: rolled back, never committed."""
        with self.sessions() as session:
            try:
                yield session
            finally:
                session.rollback()


def deps_of(request: Request) -> WebDeps:
    return request.app.state.deps  # type: ignore[no-any-return]
