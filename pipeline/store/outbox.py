"""Repository functions for the delivery outbox. Each takes a session and never commits.

A delivery is one (event, channel) pair: ``pending`` until sent (``sent``), given up on after
the configured number of attempts (``failed``), or deliberately not sent (``suppressed``).
Every state change is a conditional ``UPDATE … WHERE status = 'pending'`` so that a delivery
that was sent can never be sent or changed again, whoever else is running.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Update, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.store.chunks import chunks
from pipeline.store.models import ChannelStateRow, DeliveryRow, EventRow, InstallationRow

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


def due(
    session: Session,
    now: datetime,
    limit: int | None = None,
    *,
    event_ids: Iterable[int] | None = None,
) -> list[DeliveryRow]:
    """Pending deliveries whose next attempt is due at ``now``, oldest first."""
    query = select(DeliveryRow).where(
        DeliveryRow.status == PENDING, DeliveryRow.next_attempt_at <= now
    )
    if event_ids is not None:
        query = query.where(DeliveryRow.event_id.in_(list(event_ids)))
    return list(session.scalars(query.order_by(DeliveryRow.id).limit(limit)))


def held(session: Session, now: datetime) -> list[DeliveryRow]:
    """Pending deliveries held on purpose (quiet hours, a digest's time) that are not due yet
    at ``now``, oldest first: each run plans them again from the config it has."""
    query = select(DeliveryRow).where(
        DeliveryRow.status == PENDING,
        DeliveryRow.note.is_not(None),
        DeliveryRow.next_attempt_at > now,
    )
    return list(session.scalars(query.order_by(DeliveryRow.id)))


def events_by_id(session: Session, ids: Iterable[int]) -> dict[int, EventRow]:
    """The events with these ids, keyed by id."""
    wanted = sorted(set(ids))
    found: dict[int, EventRow] = {}
    for chunk in chunks(wanted):
        found.update(
            (r.id, r) for r in session.scalars(select(EventRow).where(EventRow.id.in_(chunk)))
        )
    return found


def claim(session: Session, delivery_id: int, now: datetime, until: datetime) -> bool:
    """Reserve a due pending delivery until ``until``; False when another run has it.

    Two overlapping runs (cron and the service, or several ``casewatch worker``) load the same
    due rows; only the one whose claim succeeds sends. On PostgreSQL the second ``UPDATE``
    waits for the first's row lock and re-checks its ``WHERE`` on the committed row, which is
    no longer due: it changes nothing. A run that dies after claiming leaves the row to be
    retried once the claim expires. The claim clears the row's hold note: a claimed row is
    never taken for a held one (:func:`held`, :func:`release`, :func:`hold`).
    """
    return _changed(
        session,
        update(DeliveryRow)
        .where(
            DeliveryRow.id == delivery_id,
            DeliveryRow.status == PENDING,
            DeliveryRow.next_attempt_at <= now,
        )
        .values(next_attempt_at=until, note=None),
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
            last_attempt_at=now,
            attempts=DeliveryRow.attempts + 1,
            last_error=None,
            note=None,
        ),
    )


def mark_failed(
    session: Session,
    delivery_id: int,
    error: str,
    next_attempt_at: datetime,
    *,
    give_up: bool = False,
    now: datetime | None = None,
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
            last_attempt_at=now,
            next_attempt_at=next_attempt_at,
            note=None,
        ),
    )


def hold(
    session: Session, delivery_ids: Sequence[int], until: datetime, note: str, now: datetime
) -> int:
    """Postpone pending deliveries to ``until`` without counting an attempt (quiet hours, a
    digest's time); ``note`` says why in the delivery log. Only rows due at ``now`` or held
    already change (never one another run has claimed meanwhile). Returns how many."""
    still = or_(DeliveryRow.next_attempt_at <= now, DeliveryRow.note.is_not(None))
    return _update_pending(session, delivery_ids, still, next_attempt_at=until, note=note)


def release(session: Session, delivery_ids: Sequence[int], now: datetime) -> int:
    """Make held deliveries due at ``now`` (their hold no longer applies); a row claimed or
    sent meanwhile is left alone. Returns how many were released."""
    held_still = DeliveryRow.note.is_not(None)
    return _update_pending(session, delivery_ids, held_still, next_attempt_at=now, note=None)


def _update_pending(
    session: Session, delivery_ids: Sequence[int], condition: Any, **values: Any
) -> int:
    changed = 0
    for chunk in chunks(delivery_ids):
        statement = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(chunk), DeliveryRow.status == PENDING, condition)
            .values(**values)
        )
        options = {"synchronize_session": False}
        result = cast(CursorResult[Any], session.execute(statement, execution_options=options))
        changed += int(result.rowcount)
    return changed


def retry_failed(session: Session, now: datetime, channel: str | None = None) -> int:
    """Make ``failed`` deliveries pending again, due now, with a fresh attempt count."""
    statement = update(DeliveryRow).where(DeliveryRow.status == FAILED)
    if channel:
        statement = statement.where(DeliveryRow.channel == channel)
    statement = statement.values(status=PENDING, attempts=0, next_attempt_at=now, note=None)
    options = {"synchronize_session": False}
    result = cast(CursorResult[Any], session.execute(statement, execution_options=options))
    return int(result.rowcount)


def counts(session: Session) -> dict[str, int]:
    """Number of deliveries per status; every status is present."""
    rows = session.execute(
        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
    ).all()
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES} | found


def delivery_counts(session: Session) -> dict[str, int]:
    """``{pending, sent, failed, suppressed, held}``: ``held`` counts the pending deliveries
    that wait on purpose (quiet hours, a digest's time); they are in ``pending`` too."""
    held = session.scalar(
        select(func.count()).where(DeliveryRow.status == PENDING, DeliveryRow.note.is_not(None))
    )
    return counts(session) | {"held": int(held or 0)}


@dataclass(frozen=True, slots=True)
class DeliveryLogEntry:
    id: int
    created_at: datetime
    status: str
    channel: str
    kind: str
    case: str | None
    title: str
    url: str
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    note: str | None
    event_id: int


def delivery_log(
    session: Session,
    *,
    status: str | None = None,
    channel: str | None = None,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = 100,
) -> list[DeliveryLogEntry]:
    """Deliveries newest first, with their event and last error (for the CLI, web, status)."""
    query = select(DeliveryRow, EventRow).join(EventRow, EventRow.id == DeliveryRow.event_id)
    if status:
        query = query.where(DeliveryRow.status == status)
    if channel:
        query = query.where(DeliveryRow.channel == channel)
    if case:
        query = query.where(EventRow.case_slug == case)
    if since:
        query = query.where(DeliveryRow.created_at >= since)
    query = query.order_by(DeliveryRow.id.desc()).limit(limit)
    return [_log_entry(d, e) for d, e in session.execute(query)]


def _log_entry(delivery: DeliveryRow, event: EventRow) -> DeliveryLogEntry:
    payload = event.payload or {}
    return DeliveryLogEntry(
        id=delivery.id,
        created_at=delivery.created_at,
        status=delivery.status,
        channel=delivery.channel,
        kind=event.kind,
        case=event.case_slug,
        title=str(
            payload.get("title") or payload.get("case_number") or payload.get("source") or ""
        ),
        url=str(payload.get("url") or ""),
        attempts=delivery.attempts,
        last_attempt_at=delivery.last_attempt_at,
        next_attempt_at=delivery.next_attempt_at if delivery.status == PENDING else None,
        sent_at=delivery.sent_at,
        last_error=delivery.last_error,
        note=delivery.note,
        event_id=event.id,
    )


# ---------------------------------------------------------------- channel health


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: str
    failing: bool
    consecutive_failures: int
    last_error: str | None
    last_failure_at: datetime | None
    last_success_at: datetime | None


def ensure_channels(session: Session, channels: Iterable[str]) -> None:
    """A health row for every channel id (another run inserting the same one is fine)."""
    wanted = set(channels)
    known = set(session.scalars(select(ChannelStateRow.channel)))
    for channel in sorted(wanted - known):
        try:
            with session.begin_nested():
                session.add(ChannelStateRow(channel=channel, consecutive_failures=0, failing=False))
        except IntegrityError:
            continue


def record_success(session: Session, channel: str, now: datetime) -> bool:
    """Reset the channel's failure count; True when it had been reported failing."""
    recovered = _changed(
        session,
        update(ChannelStateRow)
        .where(ChannelStateRow.channel == channel, ChannelStateRow.failing.is_(True))
        .values(failing=False, consecutive_failures=0, last_success_at=now),
    )
    if not recovered:
        session.execute(
            update(ChannelStateRow)
            .where(ChannelStateRow.channel == channel)
            .values(consecutive_failures=0, last_success_at=now),
            execution_options={"synchronize_session": False},
        )
    return recovered


def record_failure(
    session: Session, channel: str, error: str, now: datetime, failing_after: int
) -> bool:
    """Count a failed attempt; True exactly once when the count reaches ``failing_after``
    (the conditional update makes two overlapping runs agree on who reports it)."""
    session.execute(
        update(ChannelStateRow)
        .where(ChannelStateRow.channel == channel)
        .values(
            consecutive_failures=ChannelStateRow.consecutive_failures + 1,
            last_error=error,
            last_failure_at=now,
        ),
        execution_options={"synchronize_session": False},
    )
    return _changed(
        session,
        update(ChannelStateRow)
        .where(
            ChannelStateRow.channel == channel,
            ChannelStateRow.failing.is_(False),
            ChannelStateRow.consecutive_failures >= failing_after,
        )
        .values(failing=True),
    )


def channel_health(session: Session) -> list[ChannelHealth]:
    """Every channel that has been used, failing ones first."""
    rows = session.scalars(
        select(ChannelStateRow).order_by(ChannelStateRow.failing.desc(), ChannelStateRow.channel)
    )
    return [
        ChannelHealth(
            r.channel,
            bool(r.failing),
            r.consecutive_failures,
            r.last_error,
            r.last_failure_at,
            r.last_success_at,
        )
        for r in rows
    ]


def _changed(session: Session, statement: Update) -> bool:
    options = {"synchronize_session": False}
    result = cast(CursorResult[Any], session.execute(statement, execution_options=options))
    return result.rowcount == 1


def installation_id(session: Session, now: datetime) -> str:
    """This database's random identity (made by migration 0006; made here if missing)."""
    found = session.scalars(select(InstallationRow.id).order_by(InstallationRow.created_at)).first()
    if found is not None:
        return found
    made = secrets.token_hex(8)
    session.add(InstallationRow(id=made, created_at=now))
    session.flush()
    return made


def sent_since(session: Session, since: datetime) -> dict[str, int]:
    """Deliveries sent per channel since ``since`` (the hourly cap counts them)."""
    rows = session.execute(
        select(DeliveryRow.channel, func.count())
        .where(DeliveryRow.status == SENT, DeliveryRow.sent_at >= since)
        .group_by(DeliveryRow.channel)
    )
    return {channel: count for channel, count in rows}
