"""Pure: what happened (a store change, the matches, a source's health) → events to alert on.

Only NEW and CHANGED records make events. Each event has a dedupe key, so the same development
seen again (a re-run, another feed, a restart) can never make a second event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pipeline.normalize.hearing_time import local_iso, local_text, upcoming
from pipeline.records import Article, Change, Event, Hearing, HearingChange, Match

SUMMARY_LIMIT = 600


def article_events(
    change: Change,
    article_id: int,
    article: Article,
    new_matches: Sequence[Match],
    case_titles: Mapping[str, str],
    stories: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Event]:
    """One ``article.new`` per case the article newly matches (an edit can add a case).

    The best match leads: its payload lists the other cases (``also``), and the others name
    it (``alerted_with``), so a channel that gets both sends one message, not one per case.
    ``stories``: case → the story's first alert (``store.captures.story_info``) for cases
    whose story was alerted already from another outlet; those events carry it as ``story``
    with ``story_repeat`` (routes with ``per: story`` skip them).
    """
    if change is Change.SAME or not new_matches:
        return []
    events = _article_new_events(article_id, article, new_matches, case_titles)
    return [_with_story(e, (stories or {}).get(e.case or "")) for e in events]


def _with_story(event: Event, story: Mapping[str, Any] | None) -> Event:
    if not story:
        return event
    return replace(event, payload={**event.payload, "story": dict(story), "story_repeat": True})


def _article_new_events(
    article_id: int, article: Article, new_matches: Sequence[Match], case_titles: Mapping[str, str]
) -> list[Event]:
    lead, *rest = sorted(new_matches, key=lambda m: -m.score)
    events = [
        Event(
            kind="article.new",
            case=lead.case,
            dedupe_key=f"article.new:{lead.case}:{article.canonical_url}",
            payload={
                **_article_payload(article, lead, case_titles.get(lead.case, lead.case)),
                "also": [
                    {
                        "case": m.case,
                        "case_title": case_titles.get(m.case, m.case),
                        "why": m.reason(),
                    }
                    for m in rest
                ],
            },
            article_id=article_id,
        )
    ]
    events += [
        Event(
            kind="article.new",
            case=m.case,
            dedupe_key=f"article.new:{m.case}:{article.canonical_url}",
            payload={
                **_article_payload(article, m, case_titles.get(m.case, m.case)),
                "alerted_with": lead.case,
            },
            article_id=article_id,
        )
        for m in rest
    ]
    return events


def _article_payload(article: Article, match: Match, case_title: str) -> dict[str, object]:
    summary = article.summary or article.text
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return {
        "title": article.title,
        "url": article.canonical_url,
        "source": article.source_id,
        "publisher": article.publisher or _host(article.canonical_url),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "case_title": case_title,
        "why": match.reason(),
        "score": match.score,
        "summary": summary,
    }


def article_check_events(
    kind: str,
    article_id: int,
    cases: Sequence[str],
    case_titles: Mapping[str, str],
    facts: Mapping[str, Any],
    key: str,
) -> list[Event]:
    """``article.changed`` (facts: ``diff``, old/new title) or ``article.removed`` (facts:
    ``reason``, ``status``) for each case the article matches; ``key`` tells this
    transition from the next (the new text's digest, the last capture's). The first case
    leads; the others name it (``alerted_with``)."""
    if not cases:
        return []
    lead, *_ = sorted(cases)
    return [
        Event(
            kind=kind,
            case=case,
            dedupe_key=f"{kind}:{case}:{facts.get('url', '')}:{key}",
            payload={
                **facts,
                "case_title": case_titles.get(case, case),
                **({"alerted_with": lead} if case != lead else {}),
            },
            article_id=article_id,
        )
        for case in sorted(cases)
    ]


def source_health_events(
    source_id: str,
    *,
    failures_before: int,
    failures_after: int,
    failing_after: int,
    error: str,
    at: datetime,
    last_success_at: datetime | None = None,
) -> list[Event]:
    """``source.failing`` once when a source reaches N failures in a row (an error, or an
    empty fetch where it always had items); quiet while it keeps failing; ``source.recovered``
    once when a failing source works again. A source that fails fewer than N times and
    recovers alerts nothing."""
    since = last_success_at.isoformat() if last_success_at else None
    if failures_before < failing_after <= failures_after:
        return [
            Event(
                kind="source.failing",
                case=None,
                dedupe_key=f"source.failing:{source_id}:{at.isoformat()}",
                payload={
                    "source": source_id,
                    "failures": failures_after,
                    "error": error,
                    "last_success_at": since,
                },
            )
        ]
    if failures_before >= failing_after and failures_after == 0:
        return [
            Event(
                kind="source.recovered",
                case=None,
                dedupe_key=f"source.recovered:{source_id}:{at.isoformat()}",
                payload={"source": source_id, "failures": failures_before},
            )
        ]
    return []


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


# ---------------------------------------------------------------- hearings

_MOVE_FIELDS = ("scheduled_at", "local_time")
_OFF_STATUSES = ("cancelled", "postponed")
_ON_STATUSES = ("scheduled", "unknown")


def hearing_events(
    change: HearingChange,
    case_slugs: Sequence[str],
    case_titles: Mapping[str, str],
    *,
    now: datetime,
) -> list[Event]:
    """``hearing.scheduled`` / ``hearing.rescheduled`` / ``hearing.cancelled`` for each case
    the hearing is matched to (pass all of them, not only new matches: a move concerns every
    case). A hearing already past at ``now`` is stored, not alerted (backfill, old days).

    The first case leads; the others name it (``alerted_with``), so a channel routed both
    sends one message.
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
    return key if kind == "hearing.scheduled" and not suffix else f"{key}@{now.isoformat()}"


def _hearing_kind(change: HearingChange, now: datetime) -> tuple[str, str] | None:
    """(event kind, dedupe key suffix after the identity) or None for no alert."""
    hearing = change.hearing
    ahead = upcoming(hearing.scheduled_at, hearing.local_time, hearing.timezone, now)
    if change.change is Change.NEW:
        return ("hearing.scheduled", "") if ahead and hearing.status in _ON_STATUSES else None
    if change.change is not Change.CHANGED:
        return None
    if change.cancelled:
        return "hearing.cancelled", ""
    when = _when_key(hearing)
    if change.changed(*_MOVE_FIELDS):
        return ("hearing.rescheduled", f":{when}") if ahead else None
    status_was = change.old("status")
    if change.changed("status") and hearing.status in _OFF_STATUSES:
        return "hearing.cancelled", ""
    if change.changed("status") and status_was in _OFF_STATUSES and ahead:
        return "hearing.scheduled", f":{when}"  # back on the schedule
    if change.changed("courtroom") and ahead:
        return "hearing.rescheduled", f":{when}:room:{hearing.courtroom}"
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
    return f"hearing.reminder:{case}:{hearing.identity}:{_when_key(hearing)}"


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
            kind="hearing.reminder",
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
