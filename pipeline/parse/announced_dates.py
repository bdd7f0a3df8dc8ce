"""Dates in a sentence of :mod:`pipeline.parse.announced`: printed days, months and times, days
named from the publication day («завтра», «в четверг», "next Tuesday", «на две недели»), and a
time alone («продолжится в 14.30»), placed in the year a hearing can still be ahead in."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from pipeline.parse.announced_patterns import (
    DATE_RES,
    MONTH_KEYS,
    NAMED_DAY_GAP,
    NOON_AFTER,
    NOT_A_HEARING_DATE,
    RELATIVE_RE,
    SPAN_RE,
    SPAN_WORDS,
    TIME_AFTER,
    TIME_BEFORE,
    TIME_ONLY,
    US_DATE_RE,
    WEEKDAY_KEYS,
    WEEKDAY_RE,
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
    """Days after publication, for «завтра», "today" and «на две недели»."""
    weekday: int | None = None
    """Monday = 0, for «в четверг» / "on Thursday": the first such day from publication on."""
    span: bool = False
    """A move by weeks («на две недели»): a date only after a postponing verb."""

    @property
    def named(self) -> bool:
        """A day named from publication rather than printed."""
        return self.ahead is not None or self.weekday is not None


def _month(match: re.Match[str]) -> int:
    if (word := match.groupdict().get("month")) is None:
        return int(match["mon"])
    word = word.casefold().replace("i", "і")
    return next((n for key, n in MONTH_KEYS if word.startswith(key)), 0)


def date_hits(sentence: str, *, month_first: bool = False) -> list[DateHit]:
    """``month_first``: also read 10/18/2013 (English text)."""
    hits: list[DateHit] = []
    for pattern in (*DATE_RES, US_DATE_RE) if month_first else DATE_RES:
        for m in pattern.finditer(sentence):
            if NOT_A_HEARING_DATE.search(sentence, max(0, m.start() - 25), m.start()):
                continue
            year = int(printed) if (printed := m.groupdict().get("year")) else None
            year = year + 2000 if year is not None and year < 100 else year
            day, month = int(m["day"]), _month(m)
            if pattern is US_DATE_RE and month > 12:
                day, month = month, day
            hits.append(_with_time(sentence, m.start(), m.end(), day, month, year))
    printed = list(hits)
    hits.extend(h for h in _named_days(sentence) if not _beside(h, printed, sentence))
    return _without_overlaps(hits)


def _named_days(sentence: str) -> list[DateHit]:
    hits: list[DateHit] = []
    for m in RELATIVE_RE.finditer(sentence):
        hit = _with_time(sentence, m.start(), m.end(), 0, 0, None)
        hits.append(replace(hit, ahead=2 if m["two"] else 1 if m["one"] else 0))
    for m in WEEKDAY_RE.finditer(sentence):
        if m["last"]:
            continue
        key = m["wd"].casefold()
        weekday = next(n for prefix, n in WEEKDAY_KEYS if key.startswith(prefix))
        hit = _with_time(sentence, m.start(), m.end(), 0, 0, None)
        hits.append(replace(hit, weekday=weekday, ahead=7 if m["next"] else None))
    for m in SPAN_RE.finditer(sentence):
        word = (m["n"] or m["week"] or m["kk"]).casefold()
        weeks = int(word) if word.isdigit() else SPAN_WORDS[word]
        hits.append(DateHit(m.start(), m.end(), 0, 0, None, None, m[0], ahead=7 * weeks, span=True))
    return hits


def _beside(hit: DateHit, printed: list[DateHit], sentence: str) -> bool:
    """«до вторника, 22 марта», "Tomorrow (27th October)": the printed date says which day."""
    for other in printed:
        gap = (hit.end, other.start) if hit.end <= other.start else (other.end, hit.start)
        if gap[1] - gap[0] <= 4 and NAMED_DAY_GAP.match(sentence[gap[0] : gap[1]]):
            return True
    return False


def _with_time(s: str, start: int, end: int, day: int, month: int, year: int | None) -> DateHit:
    after = TIME_AFTER.match(s, end, min(len(s), end + 40))
    if after and (at := _clock(after)) is not None:
        return DateHit(start, after.end(), day, month, year, at, _printed(s, start, after.end()))
    if noon := NOON_AFTER.match(s, end, min(len(s), end + 20)):
        return DateHit(
            start, noon.end(), day, month, year, time(12), _printed(s, start, noon.end())
        )
    before = TIME_BEFORE.search(s, max(0, start - 30), start)
    if before and (at := _clock(before)) is not None:
        return DateHit(before.start(), end, day, month, year, at, _printed(s, before.start(), end))
    return DateHit(start, end, day, month, year, None, _printed(s, start, end))


def time_alone(sentence: str, start: int, end: int) -> DateHit | None:
    """The first time between ``start`` and ``end`` that reads as one, as a hit on the
    publication day («процесс продолжится в 14.30»)."""
    for m in TIME_ONLY.finditer(sentence, start, end):
        if (at := _clock(m)) is not None:
            return DateHit(
                m.start(), m.end(), 0, 0, None, at, _printed(sentence, m.start(), m.end()), ahead=0
            )
    return None


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
    if hit.named:
        return _named_day(hit, today) if today else None
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


def _named_day(hit: DateHit, today: date) -> date:
    if hit.weekday is None:
        return today + timedelta(days=hit.ahead or 0)
    days = (hit.weekday - today.weekday()) % 7
    return today + timedelta(days=days or (hit.ahead or 0))
