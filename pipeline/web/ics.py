"""Hearings as an iCalendar feed: one VEVENT per hearing, subscribed to once and kept right.

The UID comes from the hearing's id, which stays the same when the court moves it; SEQUENCE
counts the scans that changed it, so a calendar replaces the old date with the new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from pipeline.normalize.dates import zone
from pipeline.store.read.hearings import HearingListing, HearingMeta

PRODID = "-//casewatch//hearings//EN"
DEFAULT_LENGTH = timedelta(hours=2)
"""Schedules print a start only; a block of two hours keeps the event visible."""

_STATUS = {
    "cancelled": "CANCELLED", "postponed": "CANCELLED", "removed": "CANCELLED",
    "unknown": "TENTATIVE",
}  # fmt: skip
_OFF_LABELS = {
    "cancelled": " [cancelled]", "postponed": " [cancelled]",
    "removed": " [no longer on the court's schedule]",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CalendarHearing:
    hearing: HearingListing
    meta: HearingMeta


def hearing_uid(hearing_id: int, domain: str) -> str:
    return f"hearing-{hearing_id}@{domain}"


def build_calendar(
    items: Sequence[CalendarHearing],
    *,
    name: str,
    domain: str,
    case_titles: Mapping[str, str],
) -> bytes:
    """The VCALENDAR text, with a VTIMEZONE for every court zone used.

    The same hearings give the same bytes (DTSTAMP is the last change, not the time of the
    request), so the feed can be cached and answered with an ETag."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in items:
        calendar.add_component(_event(item, domain, case_titles))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(item: CalendarHearing, domain: str, case_titles: Mapping[str, str]) -> Event:
    hearing, meta = item.hearing, item.meta
    event = Event()
    event.add("uid", hearing_uid(meta.id, domain))
    modified = meta.last_change_at or hearing.first_seen_at
    event.add("dtstamp", modified)
    event.add("created", hearing.first_seen_at)
    event.add("last-modified", modified)
    event.add("sequence", meta.sequence)
    start = _start(hearing)
    event.add("dtstart", start)
    if isinstance(start, datetime):
        event.add("dtend", start + DEFAULT_LENGTH)
    else:
        event.add("dtend", start + timedelta(days=1))
    event.add("summary", _summary(hearing, case_titles))
    event.add("description", _description(hearing, case_titles))
    location = ", ".join(part for part in (hearing.court, hearing.courtroom) if part)
    if location:
        event.add("location", location)
    event.add("status", _STATUS.get(hearing.status, "CONFIRMED"))
    url = hearing.article_url or hearing.source_url
    if url.startswith(("http://", "https://")):
        event.add("url", url)
    return event


def _start(hearing: HearingListing) -> datetime | date:
    """Aware in the court's zone (so the feed carries TZID), or a date when no time was printed."""
    if hearing.scheduled_at is not None:
        return hearing.scheduled_at.astimezone(zone(hearing.timezone))
    return date.fromisoformat(hearing.local_time[:10])


def _summary(hearing: HearingListing, case_titles: Mapping[str, str]) -> str:
    titles = [case_titles.get(slug, slug) for slug in hearing.cases]
    head = "; ".join(titles) or hearing.case_number or hearing.court
    what = hearing.stage or hearing.category
    cancelled = _OFF_LABELS.get(hearing.status, "")
    return f"{head}: {what}{cancelled}" if what else f"{head}{cancelled}"


def _description(hearing: HearingListing, case_titles: Mapping[str, str]) -> str:
    lines = [
        ("Case", ", ".join(case_titles.get(s, s) for s in hearing.cases)),
        ("Case number", hearing.case_number),
        ("Court", hearing.court),
        ("Courtroom", hearing.courtroom),
        ("Judge", hearing.judge),
        ("Kind", hearing.category),
        ("Stage", hearing.stage),
        ("Parties", hearing.parties),
        ("Status", hearing.status),
        ("Time zone", hearing.timezone),
        ("Source", hearing.article_url or hearing.source_url),
    ]
    return "\n".join(f"{label}: {value}" for label, value in lines if value)
