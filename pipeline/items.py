"""The spider output contract: strings as printed on the page, plus where they came from.

Spiders yield these; ``normalize`` turns them into typed records in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ArticleTarget:
    """An article page to fetch: its text for matching, or a re-check of its evidence."""

    article_id: int
    url: str
    source_id: str
    purpose: str = "full_text"
    """full_text (a new item of a feed or listing) | recheck (scheduled, of a matched one)"""
    etag: str = ""
    last_modified: str = ""
    """A re-check's validators, from the last capture: an unchanged page answers 304."""


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """What fetching a target gave: the response as received, or an error naming it."""

    target: ArticleTarget
    status: int | None
    final_url: str
    body: bytes = b""
    headers: Pairs = ()
    request_headers: Pairs = ()
    error: str = ""
    """'<source>: <url>: <problem>' when no usable response arrived; '' otherwise."""

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), "")


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
    page: ArticlePage | None = None
    """The article page as fetched, when the spider read the item from it (``site``): kept as
    the evidence of a matched article, so the page is not fetched a second time."""


@dataclass(frozen=True, slots=True)
class RawHearing:
    """One row of a court hearing schedule (or a hearing announced in an article), as printed.

    Spiders map table columns to these fields by their header text; every cell is also kept in
    ``cells`` under its header as printed, so an unknown column is never lost.
    """

    source_id: str
    url: str
    """The page (or article) the row came from."""
    court: str = ""
    date: str = ""
    time: str = ""
    """Empty when the date cell holds the time too."""
    case_number: str = ""
    judge: str = ""
    parties: str = ""
    category: str = ""
    """Category or article of the code, as printed ("ст. 146 ч. 2 УК РК")."""
    courtroom: str = ""
    status: str = ""
    stage: str = ""
    timezone: str = ""
    """The court's IANA zone, from the source entry; times on the page are local."""
    cells: dict[str, str] = field(default_factory=dict)
    row: int = 0
    """Position on the page (1-based), for error messages."""
    article_url: str = ""
    """For a hearing announced in the news: the article that announced it."""


@dataclass(frozen=True, slots=True)
class ScanWindow:
    """The local dates a schedule scan read completely, first to last: a hearing of the source
    inside them that the scan did not see has left the schedule."""

    date_from: date
    date_to: date

    def __contains__(self, day: date) -> bool:
        return self.date_from <= day <= self.date_to


@dataclass(frozen=True, slots=True)
class PostRange:
    """What a read of a channel covered completely (``kind: telegram``): every post from
    ``lowest`` up to the channel's newest, its pages chained back from the newest without a
    gap. A stored post of the source in that range that is not in ``seen`` has been deleted."""

    lowest: int
    seen: tuple[int, ...] = ()
    """Every post id the pages showed (with text or without), ascending."""


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A response a spider could not read, as received: kept for the developers in the shape
    of a spider fixture (body, ``.headers.json``, ``.request.json``), so it replays as one."""

    url: str
    status: int
    body: bytes
    headers: Pairs = ()
    step: int = 0
    """The step of the walk that got it (1-based; 0: a spider without steps)."""
    title: str = ""
    """What the step does ("choose the court")."""
    request: str = ""
    """What was asked, for people ("POST court=4301")."""
    callback: str = ""
    """The callback that read it: a fixture's name starts with it."""
    meta: dict[str, Any] = field(default_factory=dict)
    """The request's meta as plain data (the spider's walk state), for ``.request.json``."""


@dataclass(frozen=True, slots=True)
class CheckStep:
    """What one step of a walked site answered (``casewatch crawl SOURCE --check``): the
    spider yields one per answer it could read, in check mode only."""

    source_id: str
    step: int
    title: str
    request: str
    """Method and what was sent ("GET", "POST region=22")."""
    url: str
    status: int | None
    found: Pairs = ()
    """(what, what was found), in the order to print."""


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
    window: ScanWindow | None = None
    """Schedule sources: the local dates this scan read completely (every page of every day);
    None when it stopped short, stated no dates, or is no schedule scan."""
    extra: dict[str, str] = field(default_factory=dict)
    """Notes for people and logs (pages read, restarts, gaps, why not modified); no code
    reads them."""
    response: RawResponse | None = None
    """A failed fetch: the response that lacked what the spider expected, for ingest to keep
    under the data folder (``pipeline.store.responses``) and name in ``error``."""
    posts: PostRange | None = None
    """Channel sources: the posts this read covered completely (ingest marks a stored post
    missing from it removed); None when it covered none or is no channel read."""


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
    newest_url: str = ""
    """For a spider that reads a source back to what it stored (``SourceSpider.rereads``):
    the URL of the source's newest stored article (by publication time); '' when none is."""
