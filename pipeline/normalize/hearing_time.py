"""Hearing dates and times as printed → UTC instants and wall-clock text in the court's zone.

Read with the standard library first (``dd.mm.yyyy``, ``dd.mm.yy``, ISO, «18 марта 2024 г.»,
«2024 жылғы 18 наурыз», "March 18, 2024"; '10:00', '10.00', «10 ч. 00 мин.»), then with
dateparser for anything else («завтра», a date without a year). A printed time is wall-clock
time in the court's zone, converted with that zone's rules for that date (Asia/Almaty: +06
until 2024-03-01, +05 since).

**The repeated hour.** When the clocks go back, one wall-clock hour happens twice (Asia/Almaty:
23:00–23:59 on 2024-02-29). Unless the page prints the offset («UTC+5», ISO «+05:00»), such a
time means its *earlier* instant (PEP 495 ``fold=0``: 23:30 → 17:30 UTC). A wall time that
never happened (a spring-forward gap elsewhere) is read with the offset in force before the gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from pipeline.normalize.dates import readable_time, zone

LANGUAGES = ("ru", "kk", "en")

_MONTHS = {
    **dict.fromkeys(("янв", "jan", "қаң"), 1),
    **dict.fromkeys(("фев", "feb", "ақп"), 2),
    **dict.fromkeys(("мар", "mar", "нау"), 3),
    **dict.fromkeys(("апр", "apr", "сәу"), 4),
    **dict.fromkeys(("мая", "май", "may", "мам"), 5),
    **dict.fromkeys(("июн", "jun", "мау"), 6),
    **dict.fromkeys(("июл", "jul", "шіл"), 7),
    **dict.fromkeys(("авг", "aug", "там"), 8),
    **dict.fromkeys(("сен", "sep", "қыр"), 9),
    **dict.fromkeys(("окт", "oct", "қаз"), 10),
    **dict.fromkeys(("ноя", "nov", "қар"), 11),
    **dict.fromkeys(("дек", "dec", "жел"), 12),
}
_ISO_RE = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?(?![\d:])",
    re.IGNORECASE,
)
_DOTTED_RE = re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d])")
_DAY_MONTH_RE = re.compile(
    r"(?<!\d)(\d{1,2})(?:-?(?:ші|шы|сі|сы|го|е))?[\s-]*([^\W\d_]{3,})\.?,?\s+(\d{4})(?!\d)"
)
_YEAR_DAY_MONTH_RE = re.compile(
    r"(?<!\d)(\d{4})\s*(?:ж(?:ылғы|ылы)?\.?)?[\s,]+(\d{1,2})(?:-?(?:ші|шы|сі|сы))?[\s-]*"
    r"([^\W\d_]{3,})"
)
_MONTH_DAY_RE = re.compile(r"\b([a-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_TIME_RE = re.compile(
    r"(?<![\d.:/])([01]?\d|2[0-3])\s*(?:[:.]|ч(?:ас(?:ов|а)?)?\.?|сағ(?:ат)?\.?)\s*([0-5]\d)"
    r"(?![\d.])(?:\s*мин(?:ут)?\.?)?(?::[0-5]\d)?(?:\s*([ap])\.?m\.?)?",
    re.IGNORECASE,
)
_OFFSET_RE = re.compile(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _When:
    day: date
    at: time | None
    offset: timedelta | None
    """An offset printed on the page; it decides the instant instead of the zone's rules."""


class Unreadable(ValueError):
    """A date or time that cannot be read; the message quotes it."""

    pass


def _month(word: str) -> int | None:
    return _MONTHS.get(word.casefold()[:3])


def _day(year: str, month: int | str, day: str, printed: str) -> date:
    y = int(year)
    try:
        return date(y + 2000 if y < 100 else y, int(month), int(day))
    except ValueError:
        raise Unreadable(f"unparseable date '{printed}'") from None


def _offset(sign: str, hours: str, minutes: str | None) -> timedelta:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -delta if sign == "-" else delta


def _iso_offset(text: str | None) -> timedelta | None:
    if not text:
        return None
    if text.upper() == "Z":
        return timedelta(0)
    digits = text[1:].replace(":", "")
    return _offset(text[0], digits[:2], digits[2:] or None)


def _find_date(text: str, printed: str) -> tuple[_When, tuple[int, int]] | None:
    """The first date in ``text`` by the strict patterns, with its span."""
    if found := _ISO_RE.search(text):
        y, m, d, hh, mm, off = found.groups()
        at = time(int(hh), int(mm)) if hh else None
        return _When(_day(y, m, d, printed), at, _iso_offset(off)), found.span()
    if found := _DOTTED_RE.search(text):
        d, _, m, y = found.groups()
        return _When(_day(y, m, d, printed), None, None), found.span()
    for rx, order in ((_DAY_MONTH_RE, "dmy"), (_YEAR_DAY_MONTH_RE, "ydm"), (_MONTH_DAY_RE, "mdy")):
        for found in rx.finditer(text):
            parts = dict(zip(order, found.groups(), strict=True))
            month = _month(parts["m"])
            if month is not None:
                return _When(_day(parts["y"], month, parts["d"], printed), None, None), found.span()
    return None


def _find_time(text: str) -> time | None:
    found = _TIME_RE.search(text)
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2)), found.group(3)
    if half and hour <= 12:
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    return time(hour, minute)


@lru_cache(maxsize=16384)
def _strict_when(date_text: str, time_text: str) -> _When | None:
    """Date and time by the standard library; None when no strict pattern finds a date."""
    printed = date_text or time_text
    found = _find_date(date_text, printed) if date_text else None
    if found is None and not date_text:
        found = _find_date(time_text, printed)
        date_text, time_text = time_text, ""
    if found is None:
        return None
    when, (start, end) = found
    rest = f"{date_text[:start]} {date_text[end:]}".strip()
    offset = when.offset
    if offset is None and (marked := _OFFSET_RE.search(f"{rest} {time_text}")):
        offset = _offset(*marked.groups())
    at = when.at
    if at is None:
        time_text = _OFFSET_RE.sub("", time_text).strip()
        if re.search(r"\d", time_text):
            at = _find_time(time_text)
            if at is None:
                raise Unreadable(f"unparseable time '{time_text}'")
        else:  # a time printed in the date cell («18.03.2024 10:00»), if any
            at = _find_time(_OFFSET_RE.sub("", rest))
    return _When(when.day, at, offset)


def _fallback_when(date_text: str, time_text: str, tz: str, seen_at: datetime) -> _When:
    """dateparser for phrases the strict patterns do not know («завтра», other languages)."""
    import dateparser  # slow to import; only unusual rows need it

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": seen_at.astimezone(zone(tz)).replace(tzinfo=None),
        "REQUIRE_PARTS": ["day", "month"],
    }
    text = " ".join(f"{date_text} {time_text}".split())
    try:
        found = dateparser.parse(text, languages=list(LANGUAGES), settings=settings)
    except (ValueError, TypeError, OverflowError):
        found = None
    if found is None:
        raise Unreadable(f"unparseable date '{date_text or time_text}'")
    at = found.time().replace(second=0, microsecond=0) if _TIME_RE.search(text) else None
    offset = found.utcoffset() if found.tzinfo else None
    return _When(found.date(), at, offset)


@lru_cache(maxsize=16384)
def _instant(when: _When, tz: str) -> tuple[datetime | None, str]:
    """(UTC instant or None when no time was printed, local wall-clock ISO text)."""
    if when.at is None:
        return None, when.day.isoformat()
    wall = datetime.combine(when.day, when.at)
    if when.offset is not None:
        aware = wall.replace(tzinfo=timezone(when.offset))
        local = aware.astimezone(zone(tz)).replace(tzinfo=None)
        return aware.astimezone(UTC), local.isoformat(timespec="minutes")
    aware = wall.replace(tzinfo=zone(tz), fold=0)
    return aware.astimezone(UTC), wall.isoformat(timespec="minutes")


def parse_when(
    date_text: str, time_text: str, *, tz: str, seen_at: datetime
) -> tuple[datetime | None, str]:
    """(UTC instant or None for a date without a time, local ISO text); ValueError when unreadable."""
    date_text, time_text = " ".join(date_text.split()), " ".join(time_text.split())
    if not date_text and not time_text:
        raise Unreadable("no date")
    when = _strict_when(date_text, time_text)
    if when is None:
        when = _fallback_when(date_text, time_text, tz, seen_at)
    return _instant(when, tz)


@lru_cache(maxsize=16384)
def fixed_date(date_text: str, time_text: str) -> bool:
    """The printed date reads the same whatever the day of the scan (no «завтра»)."""
    try:
        return _strict_when(" ".join(date_text.split()), " ".join(time_text.split())) is not None
    except ValueError:
        return False


def local_day(local_time: str) -> date:
    return date.fromisoformat(local_time[:10])


def upcoming(scheduled_at: datetime | None, local_time: str, tz: str, now: datetime) -> bool:
    """Still ahead at ``now``; a hearing with a date but no time is ahead all of its day."""
    if scheduled_at is not None:
        return scheduled_at > now
    return local_day(local_time) >= now.astimezone(zone(tz)).date()


def local_text(scheduled_at: datetime | None, local_time: str, tz: str) -> str:
    """'2026-12-01 10:00 (Asia/Almaty, UTC+05:00)'; a date alone when no time was printed."""
    if scheduled_at is None:
        return f"{local_time[:10]} ({tz})"
    return readable_time(scheduled_at, tz)


def local_iso(scheduled_at: datetime | None, tz: str) -> str | None:
    """ISO 8601 with the court's offset: '2026-12-01T10:00:00+05:00'."""
    return scheduled_at.astimezone(zone(tz)).isoformat() if scheduled_at else None
