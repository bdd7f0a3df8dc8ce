"""The source table: configured sources synced in, one row per fetch on ``source_run``.

Each function takes a session and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

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


@dataclass(frozen=True, slots=True)
class RunRecorded:
    """A source's health around one recorded run."""

    failures_before: int
    consecutive_failures: int
    last_success_at: datetime | None


_SOURCE = SourceRow.__table__
_HEALTH = select(_SOURCE.c.consecutive_failures, _SOURCE.c.last_success_at).where(
    _SOURCE.c.id == bindparam("id")
)
_UPDATE = update(_SOURCE).where(_SOURCE.c.id == bindparam("source"))
"""SET what the parameters name besides ``source`` (one compiled form per set of names)."""
_INSERT_RUN = insert(SourceRunRow.__table__)


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
) -> RunRecorded:
    """Record one fetch on ``source_run`` and the source's health (three plain statements,
    built once: every fetch of a run comes here, a 304 too).

    ``report.error`` arrives without secrets (``ingest.batch.ingest_fetch`` scrubs it)."""
    status = "error" if not report.ok else "not_modified" if report.not_modified else "ok"
    connection = session.connection()  # Core statements, built once: no ORM pass per fetch
    found = connection.execute(_HEALTH, {"id": report.source_id}).first()
    if found is None:
        raise LookupError(f"{report.source_id}: unknown source (not in config)")
    before, last_success = found[0] or 0, found[1]
    values: dict[str, Any] = {"last_run_at": finished_at, "last_warning": warning or None}
    if report.ok:
        values.update(last_success_at=finished_at, consecutive_failures=0)
        for name in ("etag", "last_modified", "body_sha256"):
            if getattr(report, name):
                values[name] = getattr(report, name)
        last_success, after = finished_at, 0
    else:
        after = before + 1
        values.update(
            consecutive_failures=after, last_error=report.error, last_error_at=finished_at
        )
    connection.execute(_UPDATE, {"source": report.source_id, **values})
    connection.execute(
        _INSERT_RUN,
        {
            "source_id": report.source_id,
            "started_at": started_at,
            "finished_at": finished_at,
            "status": status,
            "http_status": report.status,
            "items_seen": report.items,
            "items_new": items_new,
            "items_changed": items_changed,
            "error": report.error or None,
            "bozo": report.bozo or None,
            "items_unreadable": unreadable,
            "warning": warning or None,
        },
    )
    loaded = session.identity_map.get(identity_key(SourceRow, report.source_id))
    if loaded is not None:  # a row this session holds must not keep the old state
        session.expire(loaded)
    return RunRecorded(before, after, last_success)
