"""RawHearing (strings as printed) → Hearing (typed: UTC + the court's zone, case key, status).

Dates and times: :mod:`pipeline.normalize.hearing_time` (its docstring states the rule for the
hour that happens twice when clocks go back). Case numbers: the Kazakh format
``KKII-YY-00-T/NNNN(n)`` of SOURCES.md §1.5; other formats are kept as text.

Everything here is pure; a row that cannot become a hearing is a :class:`Skipped` saying why.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain
from zoneinfo import ZoneInfoNotFoundError

from pipeline.items import RawHearing
from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import (
    Unreadable,
    fixed_date,
    local_day,
    local_iso,
    local_text,
    parse_when,
    upcoming,
)
from pipeline.normalize.text import collapse
from pipeline.records import Hearing

__all__ = [
    "CaseNumber",
    "Skipped",
    "hearing_fields",
    "local_day",
    "local_iso",
    "local_text",
    "normalize_hearing",
    "normalize_status",
    "parse_case_number",
    "parse_when",
    "raw_hash",
    "upcoming",
]

STATUSES = ("scheduled", "postponed", "cancelled", "held", "unknown")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that did not become a hearing; ``reason`` names the row and the field."""

    row: int
    reason: str
    court: str = ""
    case_number: str = ""
    """Court and case of the row when readable, so the store does not read the row's absence
    from the schedule as a cancellation."""


# ---------------------------------------------------------------- case numbers

_DASHES = r"\-‐‑‒–—―"
_SEP = rf"(?:\s*[{_DASHES}]\s*|\s+)"
_CASE_RE = re.compile(
    rf"(?<![\d{_DASHES}])(\d{{2}})(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}"
    r"(\d{1,2})\s*([^\W\d_]{0,3})\s*/\s*(\d{1,6})(?:\s*\(\s*(\d{1,2})\s*\))?(?![\d/])"
)
_LOOKALIKES = str.maketrans("akeopcxmtbh", "акеорсхмтвн")
_PREFIX_RE = re.compile(r"^[^\d№]{0,40}№\s*|^\s*(?:case\s+)?no\.?\s*(?=\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """A Kazakh case number ``KKII-YY-00-T/NNNN(n)`` (SOURCES.md §1.5)."""

    raw: str
    region: str
    """KATO region prefix, 2 digits."""
    court_code: str
    year: int
    """Registration year (4 digits)."""
    type_code: str
    """Case-type code with its Cyrillic suffix, lower case: '1', '4к', '6ап'."""
    seq: int
    reissue: int | None
    middle: str = "00"

    @property
    def key(self) -> str:
        """Canonical text: '6003-25-00-4к/1454(2)'; leading zeros and spacing dropped."""
        tail = f"({self.reissue})" if self.reissue is not None else ""
        return (
            f"{self.region}{self.court_code}-{self.year % 100:02d}-{self.middle}-"
            f"{self.type_code}/{self.seq}{tail}"
        )


def strip_number_prefix(text: str) -> str:
    """«дело № 1917-…», «іс №…», "No. …" → the number as printed."""
    return _PREFIX_RE.sub("", " ".join(text.split()), count=1).strip()


@lru_cache(maxsize=16384)
def parse_case_number(text: str) -> CaseNumber | None:
    """The Kazakh case number in ``text``, or None for any other format (kept as text)."""
    found = _CASE_RE.search(text)
    if not found:
        return None
    region, court, year, middle, kind, suffix, seq, reissue = found.groups()
    suffix = suffix.casefold().translate(_LOOKALIKES)
    if suffix and not re.fullmatch(r"[а-яёәіңғүұқөһ]{1,3}", suffix):
        return None
    return CaseNumber(
        raw=found.group(),
        region=region,
        court_code=court,
        year=2000 + int(year),
        type_code=f"{int(kind)}{suffix}",
        seq=int(seq),
        reissue=int(reissue) if reissue else None,
        middle=middle,
    )


# ---------------------------------------------------------------- status

_STATUS_RULES = (
    (
        "cancelled",
        r"не\s+состоится|отмен|снят[оа]?\b|снято\s+с|болмайды|жойыл|күшін\s+жой|"
        r"cancel|vacated|withdrawn|removed|struck",
    ),
    (
        "postponed",
        r"отлож|перен[ое]с|не\s+состоял|приостанов|кейінге|қалдырыл|ауыстырыл|шегеріл|"
        r"postpon|adjourn|resched|deferr|stayed",
    ),
    (
        "scheduled",
        r"назнач|запланир|состоится|ожида|предстоит|тағайында|белгілен|өтеді|жоспарл|"
        r"scheduled|listed|set\s+for|to\s+be\s+held|will\s+be|upcoming|pending",
    ),
    (
        "held",
        r"состоял|проведен|рассмотрен|заверш|оконч|вынесен|объявлен|өтті|өткізілді|қаралды|"
        r"аяқтал|шығарыл|held|heard|complet|conclud|decided|closed|verdict|judgment",
    ),
)
_STATUS_RES = tuple((status, re.compile(rx)) for status, rx in _STATUS_RULES)


@lru_cache(maxsize=1024)
def normalize_status(text: str) -> str:
    """A status word as printed (ru/kk/en) → scheduled | postponed | cancelled | held | unknown.

    An empty cell is ``scheduled``: a schedule lists what is to happen.
    """
    folded = " ".join(text.casefold().replace("ё", "е").split())
    if not folded:
        return "scheduled"
    for status, rx in _STATUS_RES:
        if rx.search(folded):
            return status
    return "unknown"


# ---------------------------------------------------------------- identity


def fold_text(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").replace("«", "").replace("»", "").split())


def group_key(
    court: str, case_key: str, case_number: str, parties: str = "", article_url: str = ""
) -> str:
    """What makes hearings "of one case": a Kazakh case number alone (it encodes the region
    and court, so a renamed court is not a new case); else court + what stands in for it."""
    if case_key:
        return f"case:{case_key}"
    if case_number:
        case = "no:" + "".join(fold_text(case_number).split())
    elif parties:
        case = "parties:" + fold_text(parties)
    else:
        case = "article:" + article_url
    return f"{fold_text(court)}|{case}"


def slot_key(group: str, local_time: str) -> str:
    """The natural id of one hearing as printed: its case group and local time, hashed."""
    return hashlib.blake2b(f"{group}|{local_time}".encode(), digest_size=12).hexdigest()


def hearing_group(hearing: Hearing) -> str:
    return group_key(
        hearing.court, hearing.case_key, hearing.case_number, hearing.parties, hearing.article_url
    )


# ---------------------------------------------------------------- the record


NORMALIZER_VERSION = "1"
"""Part of every raw hash: bump it when normalisation changes, so stored rows are re-read."""


def raw_hash(raw: RawHearing, default_tz: str = "Asia/Almaty") -> str:
    """Hash of everything printed in the row that normalisation reads (not its position or
    page); '' when its date is a phrase whose meaning depends on the day («завтра»)."""
    if not fixed_date(raw.date, raw.time):
        return ""
    printed = [
        NORMALIZER_VERSION,
        raw.source_id,
        raw.court,
        raw.date,
        raw.time,
        raw.case_number,
        raw.judge,
        raw.parties,
        raw.category,
        raw.courtroom,
        raw.status,
        raw.stage,
        raw.timezone or default_tz,
        raw.article_url,
    ]
    printed += chain.from_iterable(raw.cells.items())  # in page order: reordered is reprinted
    return hashlib.blake2b("\x1f".join(printed).encode(), digest_size=16).hexdigest()


def _where(raw: RawHearing) -> str:
    return f"row {raw.row}" if raw.row else raw.source_id


def _clean(text: str) -> str:
    return collapse(text)


def normalize_hearing(
    raw: RawHearing, *, seen_at: datetime, default_tz: str = "Asia/Almaty"
) -> Hearing | Skipped:
    """A typed Hearing, or Skipped naming the row and why (``row 7: unparseable date …``)."""
    court = _clean(raw.court)
    case_number = strip_number_prefix(raw.case_number)
    parsed = parse_case_number(case_number) if case_number else None
    case_key = parsed.key if parsed else ""
    tz = raw.timezone.strip() or default_tz
    try:
        zone(tz)
        scheduled_at, local_time = parse_when(raw.date, raw.time, tz=tz, seen_at=seen_at)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, Unreadable) else f"unknown time zone '{tz}'"
        return Skipped(raw.row, f"{_where(raw)}: {reason}", court, case_number)
    parties = _clean(raw.parties)
    if not (case_number or parties or raw.article_url):
        return Skipped(raw.row, f"{_where(raw)}: no case number, parties or article", court)
    group = group_key(court, case_key, case_number, parties, raw.article_url)
    return Hearing(
        source_id=raw.source_id,
        court=court,
        case_number=case_number,
        case_key=case_key,
        scheduled_at=scheduled_at,
        local_time=local_time,
        timezone=tz,
        courtroom=_clean(raw.courtroom),
        judge=_clean(raw.judge),
        parties=parties,
        category=_clean(raw.category),
        stage=_clean(raw.stage),
        status=normalize_status(raw.status),
        source_url=raw.url,
        article_url=raw.article_url,
        identity=slot_key(group, local_time),
        cells=dict(raw.cells),
        raw_hash=raw_hash(raw, default_tz),
    )


def hearing_fields(hearing: Hearing) -> dict[str, str]:
    """The texts the matcher reads for a hearing (case number, parties, court, article…)."""
    return {
        "case_number": hearing.case_number,
        "parties": hearing.parties,
        "court": hearing.court,
        "category": hearing.category,
        "judge": hearing.judge,
    }
