"""Read-side queries about the health of sources and deliveries (status, healthz, backoff)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from pipeline.store.models import DeliveryRow, SourceRow, SourceRunRow


def recent_item_counts(session: Session, source_id: str, limit: int) -> list[int]:
    """Items seen by the source's last ``limit`` successful fetches, newest first (a 304 or an
    unchanged body says nothing about the count and is left out)."""
    rows = session.scalars(
        select(SourceRunRow.items_seen)
        .where(SourceRunRow.source_id == source_id, SourceRunRow.status == "ok")
        .order_by(SourceRunRow.finished_at.desc(), SourceRunRow.id.desc())
        .limit(limit)
    )
    return [int(n or 0) for n in rows]


@dataclass(frozen=True, slots=True)
class LastRun:
    source_id: str
    status: str
    finished_at: datetime
    items_seen: int
    error: str | None


def last_runs(session: Session) -> dict[str, LastRun]:
    """The newest ``source_run`` of every source that ran."""
    newest = (
        select(SourceRunRow.source_id, func.max(SourceRunRow.id).label("id"))
        .group_by(SourceRunRow.source_id)
        .subquery()
    )
    rows = session.execute(
        select(
            SourceRunRow.source_id,
            SourceRunRow.status,
            SourceRunRow.finished_at,
            SourceRunRow.items_seen,
            SourceRunRow.error,
        ).join(newest, SourceRunRow.id == newest.c.id)
    )
    return {
        r.source_id: LastRun(r.source_id, r.status, r.finished_at, r.items_seen, r.error)
        for r in rows
    }


def source_rows(session: Session) -> dict[str, SourceRow]:
    return {row.id: row for row in session.scalars(select(SourceRow))}


@dataclass(frozen=True, slots=True)
class ChannelDeliveries:
    channel: str
    pending: int
    failed: int
    overdue: int
    """Pending deliveries whose attempt was due before the cut-off given to the query."""
    last_error: str | None


def deliveries_by_channel(session: Session, overdue_before: datetime) -> list[ChannelDeliveries]:
    """Pending and failed deliveries per channel, with the newest error of each."""
    pending = DeliveryRow.status == "pending"
    rows = session.execute(
        select(
            DeliveryRow.channel,
            func.sum(case((pending, 1), else_=0)),
            func.sum(case((DeliveryRow.status == "failed", 1), else_=0)),
            func.sum(case((pending & (DeliveryRow.next_attempt_at < overdue_before), 1), else_=0)),
        )
        .where(DeliveryRow.status.in_(("pending", "failed")))
        .group_by(DeliveryRow.channel)
        .order_by(DeliveryRow.channel)
    ).all()
    errors = _last_errors(session)
    return [
        ChannelDeliveries(channel, int(p or 0), int(f or 0), int(o or 0), errors.get(channel))
        for channel, p, f, o in rows
    ]


def _last_errors(session: Session) -> dict[str, str]:
    """The newest error of each channel among its pending and failed deliveries."""
    newest = (
        select(DeliveryRow.channel, func.max(DeliveryRow.id).label("id"))
        .where(DeliveryRow.last_error.is_not(None), DeliveryRow.status.in_(("pending", "failed")))
        .group_by(DeliveryRow.channel)
        .subquery()
    )
    rows = session.execute(
        select(DeliveryRow.channel, DeliveryRow.last_error).join(
            newest, DeliveryRow.id == newest.c.id
        )
    )
    return {channel: error for channel, error in rows if error}


def database_ok(session: Session) -> bool:
    session.execute(text("SELECT 1"))
    return True
