"""Pure: what the news said onto the hearings it speaks of, and the postponements.

A postponement is a court schedule that moved a hearing to another time, a schedule that
printed it postponed, or an article that reported one ("the hearing was postponed to 5
October as the lawyer was ill"); the article's sentence is the reason given. A move and the
articles that reported it are one postponement. An article reporting a postponement speaks of
the hearing set for the latest day from three days before its publication to that day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.normalize.dates import readable_value
from pipeline.normalize.hearing_time import local_text
from pipeline.report.hearings import hearing_day, moves
from pipeline.report.model import Mention, Postponement
from pipeline.report.news import local_day
from pipeline.store.read.hearings import HearingListing

REPORTED_WITHIN = timedelta(days=3)
POSTPONING = ("postponed", "postponed_to")


@dataclass
class Said:
    """A postponement the news reported, and the hearing (set for which day) it put off."""

    mention: Mention
    source: str | None
    source_day: date | None
    used: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    postponements: list[tuple[Postponement, str | None]]
    """Each with the identity of the hearing postponed, when known; by day."""
    put_off: set[str]
    """Hearings that only the news reported postponed from the day they are set for."""


def attach(
    said: Sequence[Mention], days: Mapping[str, list[date]], tz: str
) -> tuple[dict[str, list[Mention]], list[Said]]:
    """(hearing identity → the mentions of it, by publication; the postponements reported).
    A mention goes to the hearing set for the day it names (now, else before a move); a
    postponement also to the hearing it put off."""
    by_day: dict[date, str] = {}
    for current in (True, False):
        for ident, ds in days.items():
            for day in ds[: 1 if current else None]:
                by_day.setdefault(day, ident)
    news: dict[str, list[Mention]] = defaultdict(list)
    postponing: list[Said] = []
    for m in sorted(said, key=lambda m: (m.article.at, m.article.id)):
        target = by_day.get(m.day) if m.day is not None else None
        if target is not None:
            news[target].append(m)
        if m.kind in POSTPONING:
            source, source_day = _put_off(m, days, tz)
            postponing.append(Said(m, source, source_day))
            if source is not None and source != target:
                news[source].append(m)
    return dict(news), postponing


def _put_off(m: Mention, days: Mapping[str, list[date]], tz: str) -> tuple[str | None, date | None]:
    published = local_day(m.article.at, tz)
    best: tuple[date, str] | None = None
    for ident, ds in days.items():
        for day in ds:
            in_reach = published - REPORTED_WITHIN <= day <= published
            if day != m.day and in_reach and (best is None or day > best[0]):
                best = (day, ident)
    return (best[1], best[0]) if best else (None, None)


def postponements(hearings: Sequence[HearingListing], said: list[Said], tz: str) -> Found:
    """Moves and postponements printed by the courts, each with the articles that reported it;
    then those only the news reported, one per hearing and new date."""
    found: list[tuple[Postponement, str | None]] = []
    for h in hearings:
        found += [(p, h.identity) for p in _by_court(h, said)]
    groups: dict[tuple[object, ...], list[Said]] = defaultdict(list)
    for s in said:
        if not s.used:
            published = None if s.source else local_day(s.mention.article.at, tz)
            groups[(s.source, s.source_day, s.mention.day, published)].append(s)
    by_id = {h.identity: h for h in hearings}
    put_off: set[str] = set()
    for (source, source_day, new_day, published), group in groups.items():
        hearing = by_id.get(source) if isinstance(source, str) else None
        on_its_day = hearing is not None and source_day == hearing_day(hearing)
        if hearing is not None and on_its_day and new_day != source_day:
            put_off.add(hearing.identity)
        first = group[0].mention
        day = source_day if isinstance(source_day, date) else published
        assert isinstance(day, date)
        old = _when(hearing) if hearing is not None and on_its_day else _iso(source_day)
        reasons = tuple(s.mention for s in group)
        postponement = Postponement(
            "news", day, old, _iso(new_day), first.article.at, reasons, None
        )
        found.append((postponement, hearing.identity if hearing is not None else None))
    found.sort(key=lambda pair: (pair[0].day, pair[0].seen_at))
    return Found(found, put_off)


def _by_court(h: HearingListing, said: list[Said]) -> list[Postponement]:
    out: list[Postponement] = []
    tz = h.timezone
    for move in moves(h):
        old_day, new_day = move.old_day, move.new_day
        reasons = _take(said, _reporting_move(h.identity, old_day, new_day))
        old, new = readable_value(move.old, tz), readable_value(move.new, tz)
        out.append(
            Postponement("moved", old_day or hearing_day(h), old, new, move.seen_at, reasons, None)
        )
    if h.status == "postponed":
        day = hearing_day(h)
        reasons = _take(said, lambda s: (s.source, s.source_day) == (h.identity, day))
        changed = [e.seen_at for e in h.history or () if e.field == "status"]
        seen = max(changed, default=h.last_seen_at)
        out.append(Postponement("court", day, _when(h), "", seen, reasons, None))
    return out


def _reporting_move(
    ident: str, old_day: date | None, new_day: date | None
) -> Callable[[Said], bool]:
    """An article naming the new date of a postponement, or one that put off the hearing from
    the day it was moved from."""

    def wanted(s: Said) -> bool:
        if s.mention.kind == "postponed_to" and s.mention.day == new_day:
            return True
        return s.source == ident and s.source_day == old_day

    return wanted


def _take(said: list[Said], wanted: Callable[[Said], bool]) -> tuple[Mention, ...]:
    taken = [s for s in said if not s.used and wanted(s)]
    for s in taken:
        s.used = True
    return tuple(s.mention for s in taken)


def _when(h: HearingListing) -> str:
    return local_text(h.scheduled_at, h.local_time, h.timezone)


def _iso(day: object) -> str:
    return day.isoformat() if isinstance(day, date) else ""
