"""Dates as printed → aware UTC datetimes.

Strict formats first (RFC 822 as in RSS, ISO 8601 as in Atom, ``dd.mm.yyyy hh:mm`` as on
Kazakh sites), then dateparser for phrases in Russian, Kazakh or English («27 апреля 2026
17:42», «Вчера 17:42»). A time printed without a zone is local time in ``tz`` — the source's
zone — and is converted with the zone's rules for that date (Asia/Almaty was UTC+6 until
2024-03-01 and is UTC+5 since).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.clock import utc_now

DEFAULT_LANGUAGES = ("ru", "kk", "en")
_RFC822_ZONE_RE = re.compile(r"(?:[+-]\d{4}|\b(?:GMT|UTC?|Z|[ECMP][SD]T))\s*$", re.IGNORECASE)
_DOTTED_RE = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[,\s]+(?:в\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_BARE_NUMBER_RE = re.compile(r"^\d{1,8}$")
_FOUR_DIGIT_YEAR_RE = re.compile(r"\b(\d{4})\b")

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Nothing casewatch follows was published before this: an earlier date is a site's error."""
AHEAD = timedelta(days=366)
"""How far past the fetch a printed date may lie (a feed dated 2099 is a site's error)."""


def parse_date(
    value: str | time.struct_time | datetime | None,
    *,
    tz: str = "UTC",
    languages: Sequence[str] | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """Aware UTC datetime, or None when ``value`` holds no recognisable date.

    ``value`` may also be feedparser's ``*_parsed`` struct (UTC) or a datetime (naive = ``tz``).
    ``now`` anchors relative phrases («Сегодня 17:42», «2 часа назад»); default: the clock.
    """
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC)
    if isinstance(value, datetime):
        return _to_utc(value, tz)
    text = " ".join(value.split())
    if not text or _BARE_NUMBER_RE.match(text):
        return None
    for strict in (_rfc822, _iso, _dotted):
        found = strict(text)
        if found is not None:
            return _to_utc(found, tz)
    return _phrase(text, tz, tuple(languages or DEFAULT_LANGUAGES), now)


def in_window(moment: datetime | None, now: datetime) -> datetime | None:
    """``moment`` when it lies between :data:`EARLIEST` and ``now`` + :data:`AHEAD`, else None.

    Applied at ingest so that a date no site can mean (year 9999, year 1) is stored as no date
    instead of sorting first forever or overflowing when shown in a local zone."""
    if moment is None or not EARLIEST <= moment <= now + AHEAD:
        return None
    return moment


def _to_utc(value: datetime, tz: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ZoneInfoNotFoundError`` naming it when unknown."""
    return ZoneInfo(name)


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine's tzdata knows."""
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def readable_time(moment: datetime | None, tz: str) -> str:
    """A time for a person to read: local in ``tz``, the zone named with its offset that day,
    ``'2026-12-07 11:30 (Asia/Almaty, UTC+05:00)'``; ``''`` for None. The CLI's tables and
    the pages show every time this way (hearings too: ``hearing_time.local_text``)."""
    if moment is None:
        return ""
    try:
        local = moment.astimezone(zone(tz))
    except OverflowError:  # the calendar's edge (year 9999 east of UTC): shown in UTC
        local, tz = moment.astimezone(UTC), "UTC"
    if tz in ("UTC", "Etc/UTC"):
        return f"{local:%Y-%m-%d %H:%M} (UTC)"
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} ({tz}, UTC{offset[:3]}:{offset[3:]})"


def readable_value(value: str | None, tz: str) -> str:
    """A stored value as a person reads it: an ISO 8601 time with an offset (a hearing
    change's ``scheduled_at``) as :func:`readable_time` in ``tz``; one without (a
    ``local_time`` as the court printed it) as ``'2026-12-01 10:00'``; a date or any other
    text as it is; ``''`` for None."""
    if not value or len(value) <= 10 or not value[:4].isdigit():
        return value or ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.utcoffset() is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return readable_time(moment, tz)


@dataclass(frozen=True, slots=True)
class Zones:
    """Which zone a person reads a time in: its case's zone, else ``default``
    (``settings.timezone``). A record of several cases in different zones is shown in
    ``default``; a view of one case (its page, ``--case``) passes just that case."""

    default: str
    cases: Mapping[str, str] = field(default_factory=dict)
    """Case slug → the case's ``timezone``."""

    def of(self, slugs: Iterable[str | None] = ()) -> str:
        found = {self.cases[slug] for slug in slugs if slug in self.cases}
        return found.pop() if len(found) == 1 else self.default


def _rfc822(text: str) -> datetime | None:
    """RFC 822/1123 with a numeric or well-known zone; other zone names go to dateparser."""
    if not _RFC822_ZONE_RE.search(text):
        return None
    try:
        parts = parsedate_tz(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parts is None:
        return None
    printed_year = _FOUR_DIGIT_YEAR_RE.search(text)
    if printed_year and int(printed_year.group(1)) != parts[0]:
        return None  # "0001" read as 2001 by the two-digit-year rule: not a real date
    try:
        return datetime(*parts[:6], tzinfo=timezone(timedelta(seconds=parts[9] or 0)))  # type: ignore[misc]
    except ValueError:
        return None


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _dotted(text: str) -> datetime | None:
    """``dd.mm.yyyy[ hh:mm[:ss]]``: always day first, as printed in the region."""
    match = _DOTTED_RE.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None


def _phrase(
    text: str, tz: str, languages: tuple[str, ...], now: datetime | None
) -> datetime | None:
    import dateparser  # slow to import; only phrases need it

    base = (now or utc_now()).astimezone(zone(tz)).replace(tzinfo=None)
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": base,
        "PARSERS": ["relative-time", "absolute-time", "custom-formats"],
    }
    from dateparser.data.languages_info import language_order

    known = [code for code in languages if code in language_order] or list(DEFAULT_LANGUAGES)
    try:
        found = dateparser.parse(text, languages=known, settings=settings)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if found is None else _to_utc(found, tz)
