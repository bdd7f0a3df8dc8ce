"""The spider output contract: strings as printed on the page, plus where they came from.

Spiders yield these; ``normalize`` turns them into typed records in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One entry of a feed or listing, as printed."""

    source_id: str
    url: str
    title: str = ""
    summary: str = ""
    """May contain HTML; normalize strips it."""
    published: str = ""
    """The date string as printed (RFC 822, ISO 8601, or a local phrase)."""
    updated: str = ""
    author: str = ""
    guid: str = ""
    language: str = ""
    """Language declared by the feed or entry, if any."""
    publisher: str = ""
    """Publisher name given by an aggregator (Google News ``<source>``)."""
    publisher_url: str = ""
    text: str = ""
    """Full text when the source gives it (``content:encoded``); may contain HTML."""


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What one fetch of a source did; yielded after the source's items (always exactly one)."""

    source_id: str
    url: str
    status: int | None = None
    """HTTP status; None when no response arrived."""
    ok: bool = True
    error: str = ""
    """Readable error text naming the problem; empty on success."""
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    body_sha256: str = ""
    bozo: str = ""
    """feedparser's bozo exception text when the feed was malformed but still parsed."""
    items: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FetchSpec:
    """What to fetch for one source, with the validators of its last successful fetch."""

    source_id: str
    url: str
    kind: str
    language: str = ""
    etag: str = ""
    last_modified: str = ""
    body_sha256: str = ""
    """sha256 of the last body ingested; an identical body is reported as not modified."""
