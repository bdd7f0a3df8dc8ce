"""The event log: new events (deduplicated by key) with one routed delivery per channel.

Each function takes a session and never commits; ``outbox`` takes the deliveries from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pipeline.records import Event
from pipeline.store.models import DeliveryRow, EventRow

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


MAX_KEY = 400


def storable_key(key: str) -> str:
    """Dedupe keys fit the column: a long one (a long URL) keeps its head and a hash of all."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:300]}#{hashlib.sha256(key.encode()).hexdigest()}"
