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

    def __str__(self) -> str:
        shown = f"'{self.term}'" if self.found.casefold() == self.term.casefold() else f"'{self.term}' (as '{self.found}')"
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
