"""What a run did, line by line: the one mutable record of a run, passed explicitly.

The conductor returns a :class:`SourceResult` per fetch and a :class:`PageResult` per article
page; whoever drives the crawl (the item pipeline) appends them to the run's :class:`RunLog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.items import ArticleTarget


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The summary line of one source in one run."""

    source_id: str
    status: str
    """ok | not_modified | error"""
    seen: int = 0
    new: int = 0
    changed: int = 0
    matched: int = 0
    events: int = 0
    skipped: int = 0
    warning: str = ""
    """Rows of a schedule the run could not read (``ingest.batch.unreadable_warning``)."""
    error: str = ""
    bozo: str = ""
    http_status: int | None = None
    full_text: tuple[ArticleTarget, ...] = ()
    """Article pages to fetch for this batch's new items (``pipeline.ingest.fulltext``)."""


@dataclass(frozen=True, slots=True)
class PageResult:
    """What one article page did, for the run's summary."""

    article_id: int
    source_id: str
    url: str
    purpose: str
    outcome: str
    """read (text stored, not matched) | captured | same | changed | removed | error"""
    events: int = 0
    error: str = ""


@dataclass(slots=True)
class RunLog:
    """The results of one run (or one service crawl), appended to as fetches are stored."""

    results: list[SourceResult] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
