"""The event log: new events (deduplicated by key) with one routed delivery per channel.

Each function takes a session and never commits; ``outbox`` takes the deliveries from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline.records import Event
from pipeline.store.models import DeliveryRow, EventRow
from pipeline.store.outbox import PENDING, SUPPRESSED

ChannelsFor = Callable[[str, str | None], Sequence[str]]
"""Routing: (event kind, case slug) → channel ids."""


def add_events(
    session: Session,
    events: Sequence[Event],
    channels_for: ChannelsFor,
    now: datetime,
    repeat_channels_for: ChannelsFor | None = None,
) -> list[int]:
    """Insert events whose dedupe key is new, with one pending delivery per routed channel.

    ``repeat_channels_for`` routes events marked ``story_repeat`` (another outlet's copy of
    a story already alerted); without it they are routed like the others."""
    if not events:
        return []
    events = [replace(e, dedupe_key=storable_key(e.dedupe_key)) for e in events]
    keys = [e.dedupe_key for e in events]
    known = set(session.scalars(select(EventRow.dedupe_key).where(EventRow.dedupe_key.in_(keys))))
    fresh = list({e.dedupe_key: e for e in events if e.dedupe_key not in known}.values())
    if not fresh:
        return []
    table = EventRow.__table__
    inserted = session.execute(
        insert(table).returning(table.c.id, table.c.dedupe_key),
        [
            {
                "kind": e.kind,
                "case_slug": e.case,
                "article_id": e.article_id,
                "hearing_id": e.hearing_id,
                "payload": e.payload,
                "dedupe_key": e.dedupe_key,
                "created_at": now,
            }
            for e in fresh
        ],
    )
    by_key = {key: event_id for event_id, key in inserted}  # (unique) key, not row order
    ids = [by_key[e.dedupe_key] for e in fresh]
    deliveries = [
        {
            "event_id": event_id,
            "channel": channel,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event_id, e in zip(ids, fresh, strict=True)
        for channel, status in _routed(
            e,
            repeat_channels_for
            if repeat_channels_for and e.payload.get("story_repeat")
            else channels_for,
            _same_subject(fresh, e),
        )
    ]
    if deliveries:
        session.execute(insert(DeliveryRow.__table__), deliveries)
    return ids


def _same_subject(events: Sequence[Event], event: Event) -> set[str | None]:
    """Cases of the events in ``events`` about the same article or hearing as ``event``."""
    subject = (event.article_id, event.hearing_id)
    return {e.case for e in events if (e.article_id, e.hearing_id) == subject}


def _routed(
    event: Event, channels_for: ChannelsFor, fresh_cases: set[str | None]
) -> list[tuple[str, str]]:
    """(channel, status): ``suppressed`` where the event's lead goes to that channel in this
    same insert (a lead that was deduplicated away suppresses nothing). A ``folded`` event
    (``events.volume``) is recorded without deliveries: its ``articles.folded`` alert speaks
    for it."""
    if event.payload.get("folded"):
        return []
    lead = event.payload.get("alerted_with")
    shared = set(channels_for(event.kind, lead)) if lead and lead in fresh_cases else set()
    return [
        (channel, "suppressed" if channel in shared else "pending")
        for channel in channels_for(event.kind, event.case)
    ]


Rewrite = Callable[[str | None, dict[str, Any]], tuple[dict[str, Any], str]]
"""(case, payload) → (the new payload, the new dedupe key) of an unsent event."""

_UNTOUCHED = and_(
    DeliveryRow.status == PENDING,
    DeliveryRow.attempts == 0,
    # never claimed: as added, or held by a digest or quiet hours (a claim clears the note)
    or_(DeliveryRow.next_attempt_at == DeliveryRow.created_at, DeliveryRow.note.is_not(None)),
)


def rewrite_unsent(session: Session, article_id: int, kind: str, rewrite: Rewrite) -> list[int]:
    """Rewrite the ``kind`` events about an article that no channel has sent, tried or
    claimed yet (every delivery pending and untouched, or suppressed); returns their ids.
    An event sent, tried or claimed on any channel is left exactly as it was.

    Their deliveries are locked first by a conditional ``UPDATE`` (the outbox's own guard):
    a delivery run's claim then waits for this transaction and takes the new payload, which
    it reads after claiming (``notify.deliver``); a claim made first leaves the event as it
    was."""
    found = session.execute(
        select(EventRow.id, EventRow.case_slug, EventRow.payload, EventRow.dedupe_key)
        .where(EventRow.article_id == article_id, EventRow.kind == kind)
        .order_by(EventRow.id)
    ).all()
    done: list[int] = []
    for event_id, case, payload, key in found:
        if not _unsent(session, event_id):
            continue
        new_payload, new_key = rewrite(case, dict(payload))
        session.execute(
            update(EventRow)
            .where(EventRow.id == event_id)
            .values(payload=new_payload, dedupe_key=_free_key(session, new_key, key)),
            execution_options={"synchronize_session": False},
        )
        done.append(event_id)
    return done


def _unsent(session: Session, event_id: int) -> bool:
    """Whether every delivery of the event is suppressed, or pending and untouched — those
    then locked until the transaction ends."""
    mine = DeliveryRow.event_id == event_id
    active = session.scalar(select(func.count()).where(mine, DeliveryRow.status != SUPPRESSED))
    locked = session.execute(
        update(DeliveryRow).where(mine, _UNTOUCHED).values(attempts=DeliveryRow.attempts),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], locked).rowcount == active


def _free_key(session: Session, wanted: str, own: str) -> str:
    """``wanted`` (made storable), unless another event has it: then the event keeps its own."""
    wanted = storable_key(wanted)
    taken = session.scalar(select(EventRow.id).where(EventRow.dedupe_key == wanted))
    return own if wanted != own and taken is not None else wanted


MAX_KEY = 400


def storable_key(key: str) -> str:
    """Dedupe keys fit the column: a long one (a long URL) keeps its head and a hash of all."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:300]}#{hashlib.sha256(key.encode()).hexdigest()}"
