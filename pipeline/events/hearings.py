"""Pure: a hearing's change (or a hearing due soon) → the events to alert on, one per case.

Only NEW and CHANGED hearings make events. Each event has a dedupe key, so the same development
seen again (a re-run, another feed, a restart) can never make a second event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pipeline.events.kinds import (
    HEARING_CANCELLED,
    HEARING_REINSTATED,
    HEARING_REMINDER,
    HEARING_REMOVED,
    HEARING_RESCHEDULED,
    HEARING_SCHEDULED,
)
from pipeline.normalize.hearing_time import local_iso, local_text, upcoming
from pipeline.records import Change, Event, Hearing, HearingChange

_MOVE_FIELDS = ("scheduled_at", "local_time")
_OFF_STATUSES = ("cancelled", "postponed")
_ON_STATUSES = ("scheduled", "unknown")


def hearing_events(
    change: HearingChange,
    case_slugs: Sequence[str],
    case_titles: Mapping[str, str],
    *,
    now: datetime,
    why: Mapping[str, Any] | None = None,
) -> list[Event]:
    """``hearing.scheduled`` / ``rescheduled`` / ``cancelled`` / ``removed`` / ``reinstated`` for each case
    the hearing is matched to (pass all of them, not only new matches: a move concerns every
    case). A hearing already past at ``now`` is stored, not alerted (backfill, old days).

    The first case leads; the others name it (``alerted_with``), so a channel routed both
    sends one message. ``why``: per case, what matched (case number, person as printed,
    court, article), shown in the alert as article alerts show theirs.
    """
    decided = _hearing_kind(change, now)
    if decided is None or not case_slugs:
        return []
    kind, suffix = decided
    lead, *rest = sorted(set(case_slugs))
    payload = _hearing_payload(change.hearing_id, change.hearing)
    if change.changes:
        payload["changes"] = [
            {"field": c.field, "old": c.old, "new": c.new} for c in change.changes
        ]
        payload["old"], payload["new"] = _old_new(change)
    return [
        Event(
            kind=kind,
            case=case,
            dedupe_key=_hearing_key(kind, case, change, suffix, now),
            payload={
                **payload,
                "case_title": case_titles.get(case, case),
                **({"why": why[case]} if why and why.get(case) else {}),
                **({"alerted_with": lead} if case != lead else {}),
            },
            hearing_id=change.hearing_id,
        )
        for case in (lead, *rest)
    ]


def _hearing_key(kind: str, case: str, change: HearingChange, suffix: str, now: datetime) -> str:
    """Stable for one transition, new for the next: a hearing moved back and forth, or
    cancelled, listed again and cancelled again, alerts every time. A re-run of the same scan
    finds the hearing SAME and makes no event at all, so the time cannot double an alert."""
    key = f"{kind}:{case}:{change.hearing.identity}{suffix}"
    return key if kind == HEARING_SCHEDULED.name and not suffix else f"{key}@{now.isoformat()}"


def _hearing_kind(change: HearingChange, now: datetime) -> tuple[str, str] | None:
    """(event kind, dedupe key suffix after the identity) or None for no alert."""
    hearing = change.hearing
    ahead = upcoming(hearing.scheduled_at, hearing.local_time, hearing.timezone, now)
    if change.change is Change.NEW:
        return (HEARING_SCHEDULED.name, "") if ahead and hearing.status in _ON_STATUSES else None
    if change.change is not Change.CHANGED:
        return None
    if change.removed:  # a postponed hearing dropped from the schedule: the news already told
        return None if change.old("status") == "postponed" else (HEARING_REMOVED.name, "")
    when = _when_key(hearing)
    if change.changed(*_MOVE_FIELDS):
        return (HEARING_RESCHEDULED.name, f":{when}") if ahead else None
    status_was = change.old("status")
    if change.changed("status") and hearing.status in _OFF_STATUSES:
        return HEARING_CANCELLED.name, ""
    if change.changed("status") and status_was == "removed" and ahead:
        return HEARING_REINSTATED.name, f":{when}"  # listed again after it had gone
    if change.changed("status") and status_was in _OFF_STATUSES and ahead:
        return HEARING_SCHEDULED.name, f":{when}"  # back on the schedule
    if change.changed("courtroom") and ahead:
        return HEARING_RESCHEDULED.name, f":{when}:room:{hearing.courtroom}"
    return None


def _when_key(hearing: Hearing) -> str:
    return hearing.scheduled_at.isoformat() if hearing.scheduled_at else hearing.local_time


def _hearing_payload(hearing_id: int, hearing: Hearing) -> dict[str, Any]:
    return {
        "hearing_id": hearing_id,
        "identity": hearing.identity,
        "court": hearing.court,
        "case_number": hearing.case_number,
        "scheduled_at": local_iso(hearing.scheduled_at, hearing.timezone),
        "local_time": local_text(hearing.scheduled_at, hearing.local_time, hearing.timezone),
        "timezone": hearing.timezone,
        "courtroom": hearing.courtroom,
        "judge": hearing.judge,
        "parties": hearing.parties,
        "category": hearing.category,
        "stage": hearing.stage,
        "status": hearing.status,
        "url": hearing.article_url or hearing.source_url,
        "source_url": hearing.source_url,
        "article_url": hearing.article_url,
    }


def _old_new(change: HearingChange) -> tuple[dict[str, Any], dict[str, Any]]:
    """Old and new time (local, with the zone) and courtroom, as a monitor reads them."""
    hearing = change.hearing
    tz = change.old("timezone") or hearing.timezone
    at = hearing.scheduled_at
    if change.changed("scheduled_at"):
        old_at = change.old("scheduled_at")
        at = datetime.fromisoformat(old_at) if old_at else None
    local = change.old("local_time") if change.changed("local_time") else hearing.local_time
    courtroom = change.old("courtroom") if change.changed("courtroom") else hearing.courtroom
    old = {
        "scheduled_at": local_iso(at, tz),
        "local_time": local_text(at, local or "", tz),
        "courtroom": courtroom,
    }
    new = {
        "scheduled_at": local_iso(hearing.scheduled_at, hearing.timezone),
        "local_time": local_text(hearing.scheduled_at, hearing.local_time, hearing.timezone),
        "courtroom": hearing.courtroom,
    }
    return old, new


def reminder_key(case: str, hearing: Hearing) -> str:
    """Once per case, hearing and scheduled time: a moved hearing is reminded again."""
    return f"{HEARING_REMINDER.name}:{case}:{hearing.identity}:{_when_key(hearing)}"


def reminder_events(
    hearings_due: Sequence[tuple[int, Hearing, str]],
    lead: timedelta,
    *,
    case_titles: Mapping[str, str] | None = None,
) -> list[Event]:
    """``hearing.reminder`` for each (hearing id, hearing, case) due (``due_reminders``)."""
    titles = case_titles or {}
    return [
        Event(
            kind=HEARING_REMINDER.name,
            case=case,
            dedupe_key=reminder_key(case, hearing),
            payload={
                **_hearing_payload(hearing_id, hearing),
                "case_title": titles.get(case, case),
                "lead_hours": lead.total_seconds() / 3600,
            },
            hearing_id=hearing_id,
        )
        for hearing_id, hearing, case in hearings_due
    ]
