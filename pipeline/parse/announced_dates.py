"""Dates in a sentence of :mod:`pipeline.parse.announced`: printed days, months, times and
«завтра», placed in the year a hearing can still be ahead in."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from pipeline.parse.announced_words import (
    DATE_RES,
    MONTH_KEYS,
    NOT_A_HEARING_DATE,
    RELATIVE_RE,
    TIME_AFTER,
    TIME_BEFORE,
)

_RECENT_PAST = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class DateHit:
    start: int
    end: int
    day: int
    month: int
    year: int | None
    at: time | None
    found: str
    ahead: int | None = None
    """Days after publication, for «завтра» / "tomorrow"."""


def _month(match: re.Match[str]) -> int:
    if (word := match.groupdict().get("month")) is None:
        return int(match["mon"])
    word = word.casefold().replace("i", "і")
    return next((n for key, n in MONTH_KEYS if word.startswith(key)), 0)


def date_hits(sentence: str) -> list[DateHit]:
    hits: list[DateHit] = []
    for pattern in DATE_RES:
        for m in pattern.finditer(sentence):
            if NOT_A_HEARING_DATE.search(sentence, max(0, m.start() - 20), m.start()):
                continue
            year = int(printed) if (printed := m.groupdict().get("year")) else None
            year = year + 2000 if year is not None and year < 100 else year
            hits.append(_with_time(sentence, m.start(), m.end(), int(m["day"]), _month(m), year))
    for m in RELATIVE_RE.finditer(sentence):
        hit = _with_time(sentence, m.start(), m.end(), 0, 0, None)
        hits.append(replace(hit, ahead=2 if m["two"] else 1))
    return _without_overlaps(hits)


def _with_time(s: str, start: int, end: int, day: int, month: int, year: int | None) -> DateHit:
    after = TIME_AFTER.match(s, end, min(len(s), end + 40))
    if after and (at := _clock(after)) is not None:
        return DateHit(start, after.end(), day, month, year, at, _printed(s, start, after.end()))
    before = TIME_BEFORE.search(s, max(0, start - 30), start)
    if before and (at := _clock(before)) is not None:
        return DateHit(before.start(), end, day, month, year, at, _printed(s, before.start(), end))
    return DateHit(start, end, day, month, year, None, _printed(s, start, end))


def _printed(sentence: str, start: int, end: int) -> str:
    """The words as printed, without the sentence's full stop ("a.m." keeps its own)."""
    words = sentence[start:end].strip(" ,")
    if end >= len(sentence.rstrip()) and not words.endswith(("a.m.", "p.m.", "г.", "ж.")):
        words = words.rstrip(".")
    return words


def _clock(m: re.Match[str]) -> time | None:
    """A time only when it reads as one: minutes, am/pm, «часов» or «сағат» — not a bare number."""
    groups = m.groupdict()
    if not (m["m"] or m["ap"] or groups.get("hours") or groups.get("sagat")):
        return None
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if (m["ap"] or "").lower() == "p" or groups.get("part") in ("дня", "вечера"):
        hour += 12 if hour < 12 else 0
    elif (m["ap"] or "").lower() == "a" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _without_overlaps(hits: list[DateHit]) -> list[DateHit]:
    kept: list[DateHit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def resolve_day(hit: DateHit, today: date | None) -> date | None:
    """The hearing's day, or None when it is past, impossible or cannot be placed in a year."""
    if hit.ahead is not None:
        return today + timedelta(days=hit.ahead) if today else None
    try:
        if hit.year is not None:
            day = date(hit.year, hit.month, hit.day)
            return day if today is None or day >= today else None
        if today is None:
            return None
        day = date(today.year, hit.month, hit.day)
    except ValueError:
        return None
    if day >= today:
        return day
    if today - day <= _RECENT_PAST:
        return None
    try:
        return date(today.year + 1, hit.month, hit.day)
    except ValueError:
        return None
