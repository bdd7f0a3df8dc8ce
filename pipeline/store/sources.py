"""The source table: configured sources synced in, one row per fetch on ``source_run``.

Each function takes a session and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.config.sources import Source
from pipeline.items import FetchReport
from pipeline.logs import redact
from pipeline.store.models import SourceRow, SourceRunRow


def sync_sources(session: Session, sources: Iterable[Source]) -> None:
    """Make a row for every configured source; refresh kind/url/name of known ones. The URL
    is stored without its secrets (userinfo, keys and tokens in the query)."""
    known = {row.id: row for row in session.scalars(select(SourceRow))}
    for source in sources:
        row, url = known.get(source.id), redact(source.url)
        if row is None:
            session.add(
                SourceRow(
                    id=source.id,
                    kind=source.kind,
                    url=url,
                    name=source.name,
                    language=source.language,
                    consecutive_failures=0,
                )
            )
        elif (row.kind, row.url, row.name, row.language) != (
            source.kind,
            url,
            source.name,
            source.language,
        ):
            url_changed = row.url != url
            row.kind, row.url, row.name, row.language = (
                source.kind,
                url,
                source.name,
                source.language,
            )
            if url_changed:  # validators of the old URL mean nothing for the new one
                row.etag = row.last_modified = row.body_sha256 = None


def source_states(session: Session) -> dict[str, SourceRow]:
    return {row.id: row for row in session.scalars(select(SourceRow))}


def failures_of(session: Session, source_id: str) -> int:
    """The source's consecutive failures before this run (0 for a new source)."""
    row = session.get(SourceRow, source_id)
    return row.consecutive_failures if row else 0


def record_run(
    session: Session,
    report: FetchReport,
    *,
    started_at: datetime,
    finished_at: datetime,
    items_new: int,
    items_changed: int,
    unreadable: int = 0,
    warning: str = "",
) -> SourceRow:
    """Record one fetch on ``source_run`` and the source's health; returns the updated row.

    ``report.error`` arrives without secrets (``ingest.batch.ingest_fetch`` scrubs it)."""
    status = "error" if not report.ok else "not_modified" if report.not_modified else "ok"
    session.add(
        SourceRunRow(
            source_id=report.source_id,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            http_status=report.status,
            items_seen=report.items,
            items_new=items_new,
            items_changed=items_changed,
            error=report.error or None,
            bozo=report.bozo or None,
            items_unreadable=unreadable,
            warning=warning or None,
        )
    )
    row = session.get(SourceRow, report.source_id)
    if row is None:
        raise LookupError(f"{report.source_id}: unknown source (not in config)")
    row.last_run_at = finished_at
    row.last_warning = warning or None
    if report.ok:
        row.last_success_at = finished_at
        row.consecutive_failures = 0
        row.etag = report.etag or row.etag
        row.last_modified = report.last_modified or row.last_modified
        row.body_sha256 = report.body_sha256 or row.body_sha256
    else:
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
        row.last_error = report.error
        row.last_error_at = finished_at
    return row
