"""Pure: a case's stored hearings as a chronology lists them — one entry a hearing (a date the
news announced and the court then listed is one hearing), the days each was set for, its
moves and its status history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from pipeline.normalize.dates import readable_value, zone
from pipeline.report.model import Step
from pipeline.store.read.hearings import HearingHistoryEntry, HearingListing

MOVE_FIELDS = ("scheduled_at", "local_time")
SHOWN_FIELDS = ("courtroom", "judge", "court", "stage", "case_number")
"""Other changes a monitor cites (a new judge, another courtroom)."""


@dataclass(frozen=True, slots=True)
class Move:
    seen_at: datetime
    old: str
    """As stored: ISO with the court's offset, or the local wall-clock time / date."""
    new: str

    @property
    def old_day(self) -> date | None:
        return value_day(self.old)

    @property
    def new_day(self) -> date | None:
        return value_day(self.new)


@dataclass(frozen=True, slots=True)
class Folded:
    """The hearings a chronology shows, and the announced rows folded into them."""

    shown: list[HearingListing]
    into: dict[str, list[HearingListing]]
    """Shown identity → the news-announced rows that are the same hearing."""


def from_court(hearing: HearingListing) -> bool:
    """Listed by a court schedule (not announced in an article)."""
    return not hearing.article_url


def hearing_day(hearing: HearingListing) -> date:
    return date.fromisoformat(hearing.local_time[:10])


def starts_at(hearing: HearingListing) -> datetime:
    """The instant, or the start of the local day when only a date was printed."""
    if hearing.scheduled_at is not None:
        return hearing.scheduled_at
    return datetime.fromisoformat(hearing.local_time[:10]).replace(tzinfo=zone(hearing.timezone))


def value_day(value: str | None) -> date | None:
    """The local day of a stored time value ('2026-12-01T10:00:00+05:00', '2026-12-01')."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def moves(hearing: HearingListing) -> list[Move]:
    """Each scan that moved it, oldest first (the instant when stored, else the wall time)."""
    found: list[Move] = []
    for seen_at, group in groupby(hearing.history or (), key=lambda e: e.seen_at):
        changes = {e.field: e for e in group}
        move = changes.get("scheduled_at") or changes.get("local_time")
        if move is not None and (move.old or move.new):
            found.append(Move(seen_at, move.old or "", move.new or ""))
    return found


def days_of(hearing: HearingListing) -> list[date]:
    """The day it is set for first, then the days it was set for before a move."""
    days = [hearing_day(hearing)]
    for move in moves(hearing):
        for day in (move.old_day, move.new_day):
            if day is not None and day not in days:
                days.append(day)
    return days


def fold(hearings: Sequence[HearingListing]) -> Folded:
    """Court listings are all shown. A row the news announced is folded into the court's
    hearing of that day (one the court lists now, or listed before a move); the announced rows
    of a day no court listed are one hearing (the one with a time, else the first seen)."""
    court = [h for h in hearings if from_court(h)]
    court_days: dict[date, str] = {}
    for current in (True, False):
        for h in court:
            for day in days_of(h)[: 1 if current else None]:
                court_days.setdefault(day, h.identity)
    into: dict[str, list[HearingListing]] = defaultdict(list)
    by_day: dict[date, list[HearingListing]] = defaultdict(list)
    for h in hearings:
        if from_court(h):
            continue
        if (target := court_days.get(hearing_day(h))) is not None:
            into[target].append(h)
        else:
            by_day[hearing_day(h)].append(h)
    shown = list(court)
    for group in by_day.values():
        keep = min(group, key=_preferred)
        shown.append(keep)
        into[keep.identity] += [h for h in group if h is not keep]
    shown.sort(key=lambda h: (starts_at(h), h.identity))
    return Folded(shown, dict(into))


def _preferred(hearing: HearingListing) -> tuple[bool, bool, datetime]:
    return (hearing.status == "superseded", hearing.scheduled_at is None, hearing.first_seen_at)


def steps(hearing: HearingListing, folded: Iterable[HearingListing] = ()) -> list[Step]:
    """Its status history, oldest first: announced in the news (the rows folded into it),
    first listed, then each move, status change and change of court, room or judge."""
    tz = hearing.timezone
    first = Step(hearing.first_seen_at, "listed" if from_court(hearing) else "announced")
    lines = [Step(h.first_seen_at, "announced") for h in folded] + [first]
    lines.sort(key=lambda s: s.at)
    for seen_at, group in groupby(hearing.history or (), key=lambda e: e.seen_at):
        lines += _scan_steps(seen_at, list(group), tz)
    return lines


def _scan_steps(seen_at: datetime, group: list[HearingHistoryEntry], tz: str) -> list[Step]:
    changes = {e.field: e for e in group}
    lines: list[Step] = []
    move = changes.get("scheduled_at") or changes.get("local_time")
    if move is not None:
        old, new = readable_value(move.old, tz), readable_value(move.new, tz)
        lines.append(Step(seen_at, "moved", "when", old or "—", new or "—"))
    if (status := changes.get("status")) is not None:
        lines.append(Step(seen_at, "status", "status", status.old or "", status.new or ""))
    lines += [
        Step(seen_at, "changed", name, changes[name].old or "—", changes[name].new or "—")
        for name in SHOWN_FIELDS
        if name in changes
    ]
    return lines
