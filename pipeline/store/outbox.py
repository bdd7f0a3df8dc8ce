"""Repository functions for the delivery outbox. Each takes a session and never commits.

A delivery is one (event, channel) pair: ``pending`` until sent (``sent``), given up on after
the configured number of attempts (``failed``), or deliberately not sent (``suppressed``).
Every state change is a conditional ``UPDATE … WHERE status = 'pending'`` so that a delivery
that was sent can never be sent or changed again, whoever else is running.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Update, func, select, update
from sqlalchemy.orm import Session

from pipeline.store.models import DeliveryRow, EventRow

PENDING, SENT, FAILED, SUPPRESSED = "pending", "sent", "failed", "suppressed"
STATUSES = (PENDING, SENT, FAILED, SUPPRESSED)


def enqueue(session: Session, event_id: int, channels: Sequence[str], now: datetime) -> None:
    """Add one pending delivery of ``event_id`` per channel (duplicates ignored), due now."""
    session.add_all(
        DeliveryRow(
            event_id=event_id,
            channel=channel,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for channel in dict.fromkeys(channels)
    )


def due(session: Session, now: datetime, limit: int | None = None) -> list[DeliveryRow]:
    """Pending deliveries whose next attempt is due at ``now``, oldest first."""
    query = (
        select(DeliveryRow)
        .where(DeliveryRow.status == PENDING, DeliveryRow.next_attempt_at <= now)
        .order_by(DeliveryRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def events_by_id(session: Session, ids: Iterable[int]) -> dict[int, EventRow]:
    """The events with these ids, keyed by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.scalars(select(EventRow).where(EventRow.id.in_(wanted)))
    return {row.id: row for row in rows}


def claim(session: Session, delivery_id: int, now: datetime, until: datetime) -> bool:
    """Reserve a due pending delivery until ``until``; False when another run has it.

    Two overlapping runs (cron and the service) load the same due rows; only the one whose
    claim succeeds sends. A run that dies after claiming leaves the row to be retried once
    the claim expires.
    """
    return _changed(
        session,
        update(DeliveryRow)
        .where(
            DeliveryRow.id == delivery_id,
            DeliveryRow.status == PENDING,
            DeliveryRow.next_attempt_at <= now,
        )
        .values(next_attempt_at=until),
    )


def mark_sent(session: Session, delivery_id: int, now: datetime) -> bool:
    """Record a successful send; False when the delivery was no longer pending."""
    return _changed(
        session,
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.status == PENDING)
        .values(
            status=SENT,
            sent_at=now,
            attempts=DeliveryRow.attempts + 1,
            last_error=None,
        ),
    )


def mark_failed(
    session: Session,
    delivery_id: int,
    error: str,
    next_attempt_at: datetime,
    *,
    give_up: bool = False,
) -> bool:
    """Record a failed attempt: retry at ``next_attempt_at``, or ``failed`` when giving up."""
    return _changed(
        session,
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.status == PENDING)
        .values(
            status=FAILED if give_up else PENDING,
            attempts=DeliveryRow.attempts + 1,
            last_error=error,
            next_attempt_at=next_attempt_at,
        ),
    )


def counts(session: Session) -> dict[str, int]:
    """Number of deliveries per status; every status is present."""
    rows = session.execute(
        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
    ).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES} | found


def _changed(session: Session, statement: Update) -> bool:
    options = {"synchronize_session": False}
    result = cast(CursorResult[Any], session.execute(statement, execution_options=options))
    return result.rowcount == 1
