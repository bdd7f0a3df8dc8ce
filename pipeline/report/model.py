"""The case chronology as values: built once from the store (``build``), rendered twice
(Markdown and printable HTML, ``render``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pipeline.store.read.hearings import HearingListing
from pipeline.store.read.report import ReportCapture

OFF = ("cancelled", "removed")
"""Outcomes of a hearing that will not take place as listed (postponed is counted apart)."""


@dataclass(frozen=True, slots=True)
class CaseInfo:
    slug: str
    title: str
    timezone: str
    """Where the report's times and its ``--from``/``--to`` days are read."""
    language: str | None = None
    """The case's report language from its config (``language:``), if any."""


@dataclass(frozen=True, slots=True)
class Period:
    """Local days (the case's zone), both ends included; None: open."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    id: int
    title: str
    url: str
    outlet: str
    at: datetime
    """Publication time, else when casewatch first saw it."""
    dated: bool
    """False when the article carried no publication time (``at`` is the first sighting)."""


@dataclass(frozen=True, slots=True)
class Mention:
    """A sentence of an article about a hearing day."""

    kind: str
    """announced | postponed_to | postponed (no date) | reported (on or after the day) |
    mentioned (before it, not as an announcement)"""
    day: date | None
    """The day the sentence names; None for a postponement without a date."""
    sentence: str
    article: ArticleRef


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a hearing's status history."""

    at: datetime
    kind: str
    """listed | announced | moved | status | changed"""
    field: str = ""
    old: str = ""
    new: str = ""


@dataclass(frozen=True, slots=True)
class HearingEntry:
    hearing: HearingListing
    day: date
    """Its local day in the court's zone."""
    starts_at: datetime
    """The instant, or the start of its local day when only a date was printed."""
    outcome: str
    """held | upcoming | postponed | cancelled | removed"""
    steps: tuple[Step, ...]
    news: tuple[Mention, ...]
    """What the news said of it, by publication: announced, postponed, reported."""


@dataclass(frozen=True, slots=True)
class Postponement:
    how: str
    """moved (the court listed it at another time) | court (the court printed it postponed) |
    news (an article reported it postponed)"""
    day: date
    """The day of the hearing postponed; else the day it was seen or reported."""
    old: str
    """When the hearing was, as a person reads it ('' when unknown)."""
    new: str
    """When it is now ('' when no date was given)."""
    seen_at: datetime
    reasons: tuple[Mention, ...]
    """The sentences of the news that reported it (the reasons when they give them)."""
    hearing: HearingEntry | None


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    ref: ArticleRef
    language: str
    source: str
    why: tuple[str, ...]
    removed_at: datetime | None
    captures: tuple[ReportCapture, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    held: int
    postponed: int
    off: int
    """Cancelled or removed from the schedule."""
    upcoming: int
    next_hearing: HearingEntry | None
    first: date | None
    last: date | None
    """The days the report covers (the period asked for, else what the data spans)."""
    articles: int
    outlets: int
    captures: int


@dataclass(frozen=True, slots=True)
class Report:
    case: CaseInfo
    lang: str
    period: Period
    generated_at: datetime
    summary: Summary
    hearings: tuple[HearingEntry, ...]
    postponements: tuple[Postponement, ...]
    outlets: tuple[tuple[str, tuple[ArticleEntry, ...]], ...]
    """(outlet, its articles by date), outlets by name."""
    articles: tuple[ArticleEntry, ...]
    """By date: the evidence section's order."""
