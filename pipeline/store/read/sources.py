"""Configured sources with their stored state (``casewatch sources``, the web page).

URLs and errors are shown without secrets (``pipeline.logs.redact``): a source's userinfo and
secret-looking query values never reach a table, JSON or page, even from rows stored before
they were scrubbed on the way in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.config.sources import Source
from pipeline.logs import redact, redact_source
from pipeline.store.models import SourceRow
from pipeline.store.responses import kept_path


@dataclass(frozen=True, slots=True)
class SourceListing:
    id: str
    kind: str
    name: str | None
    url: str
    enabled: bool
    configured: bool
    """False for a source the database knows but the config no longer lists."""
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    last_warning: str | None = None
    """The last run's warning: schedule rows it could not read."""
    raw_response: str | None = None
    """When the last run failed on a response that lacked what the spider expected: where
    that response is kept (read from the error, :func:`~pipeline.store.responses.kept_path`)."""


def list_sources(
    session: Session,
    configured: Iterable[Source],
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[SourceListing]:
    """Every configured source with its state (a never-run source too), then sources the
    database still knows but the config dropped. ``case`` keeps the sources that list the
    case or list none (they feed every case); ``since`` keeps sources run since then."""
    states = {row.id: row for row in session.scalars(select(SourceRow))}
    listed = [_source_listing(s, states.pop(s.id, None)) for s in configured if _feeds(s, case)]
    if case is None:
        listed += [_orphan_listing(row) for row in sorted(states.values(), key=lambda r: r.id)]
    if since is not None:
        listed = [s for s in listed if s.last_run_at is not None and s.last_run_at >= since]
    return listed if limit is None else listed[:limit]


def _feeds(source: Source, case: str | None) -> bool:
    return case is None or not source.cases or case in source.cases


def _source_listing(source: Source, state: SourceRow | None) -> SourceListing:
    return SourceListing(
        id=source.id,
        kind=source.kind,
        name=source.name,
        url=redact(source.url),
        enabled=source.enabled,
        configured=True,
        last_run_at=state.last_run_at if state else None,
        last_success_at=state.last_success_at if state else None,
        last_error=redact_source(state.last_error, source.url)
        if state and state.last_error
        else None,
        consecutive_failures=state.consecutive_failures if state else 0,
        last_warning=state.last_warning if state else None,
        raw_response=_raw_response(state),
    )


def _orphan_listing(row: SourceRow) -> SourceListing:
    return SourceListing(
        id=row.id,
        kind=row.kind,
        name=row.name,
        url=redact(row.url),
        enabled=False,
        configured=False,
        last_run_at=row.last_run_at,
        last_success_at=row.last_success_at,
        last_error=redact_source(row.last_error, row.url) if row.last_error else None,
        consecutive_failures=row.consecutive_failures,
        last_warning=row.last_warning,
        raw_response=_raw_response(row),
    )


def _raw_response(state: SourceRow | None) -> str | None:
    """The kept response of the last run, when that run failed (a later success ends it)."""
    if state is None or not state.consecutive_failures:
        return None
    return kept_path(state.last_error)
