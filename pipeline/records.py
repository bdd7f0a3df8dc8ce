"""Typed records: what ``normalize`` produces and the store, matcher and events consume."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    source_id: str
    url: str
    canonical_url: str
    title: str
    summary: str
    text: str
    language: str
    published_at: datetime | None
    """Aware, UTC."""
    author: str
    content_hash: str
    """sha256 of title + summary + text, to tell an edit from a re-sighting."""
    title_key: str
    """Normalised title (publisher suffix removed), to dedupe aggregator links."""
    publisher: str = ""


class Change(enum.Enum):
    NEW = "new"
    CHANGED = "changed"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class Hit:
    """One term found in a record: which term, in which field, as which text."""

    term: str
    kind: str
    """keyword | context | person | case_number | article | exclude"""
    field: str
    found: str
    form: str = ""
    """How a person's name was printed, when not as configured: 'surname first',
    'surname and initials', 'initials and surname' (``pipeline.match.names``)."""

    def __str__(self) -> str:
        if self.found.casefold() == self.term.casefold():
            shown = f"'{self.term}'"
        elif self.form:
            shown = f"'{self.term}' (as '{self.found}', {self.form})"
        else:
            shown = f"'{self.term}' (as '{self.found}')"
        return f"{self.kind} {shown} in {self.field}"


@dataclass(frozen=True, slots=True)
class Match:
    case: str
    score: float
    why: tuple[Hit, ...]

    def reason(self) -> str:
        return "; ".join(str(h) for h in self.why)


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    case: str | None
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    article_id: int | None = None
    hearing_id: int | None = None


@dataclass(frozen=True, slots=True)
class Hearing:
    """One hearing of a court schedule (or announced in an article), typed.

    ``scheduled_at`` is None when only the date was printed; ``local_time`` is then the date
    alone ("2026-12-01"), else the wall-clock time in ``timezone`` ("2026-12-01T10:00").
    ``identity`` is the hearing's stable id: normalize derives it from court, case and time;
    the store keeps the first one across reschedules and hands records back with it.
    """

    source_id: str
    court: str
    case_number: str
    """As printed (prefixes such as «№» removed)."""
    case_key: str
    """The normalised Kazakh case number ('1917-22-00-1/215'), or '' for other formats."""
    scheduled_at: datetime | None
    """Aware, UTC."""
    local_time: str
    timezone: str
    courtroom: str
    judge: str
    parties: str
    category: str
    """Category or article of the code, as printed."""
    stage: str
    status: str
    """scheduled | postponed | cancelled | held | unknown"""
    source_url: str
    article_url: str
    identity: str
    cells: dict[str, str] = field(default_factory=dict)
    raw_hash: str = ""
    """Hash of the row as printed (``normalize.hearing.raw_hash``); '' when its date depends
    on the day of the scan. A re-scan skips normalising rows printed exactly as stored."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class HearingChange:
    """What the store did with one hearing. ``hearing`` carries the stored identity."""

    change: Change
    hearing_id: int
    hearing: Hearing
    changes: tuple[FieldChange, ...] = ()
    removed: bool = False
    """Absent from a complete scan that covers its date, before that date (the store set
    status ``removed``: cancelled, or moved off this page — the court did not say which)."""

    def changed(self, *fields: str) -> bool:
        return any(c.field in fields for c in self.changes)

    def old(self, name: str) -> str | None:
        return next((c.old for c in self.changes if c.field == name), None)
