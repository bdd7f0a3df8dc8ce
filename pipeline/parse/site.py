"""News sites without a usable feed: what a ``kind: site`` source's listing and article pages
hold, and the one report of the source (``spiders/site.py`` fetches them).

A listing that should hold articles and does not is a source error, never silence: the link
selector matching nothing, an HTTP error, a body that is not HTML. A bad article page (over the
size cap, not HTML, a redirect loop, HTTP 404) is named in the report's ``error`` while the other
articles go on; the source counts as failed only when every article page failed. An unchanged
first listing page (same sha256 as the last run) is reported as not modified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http import Response

from pipeline.config.sources import Source
from pipeline.errors import ExtractError
from pipeline.items import ArticleTarget, FetchReport, FetchSpec, RawArticle
from pipeline.parse.responses import failed_report, html_problem, snapshot

if TYPE_CHECKING:
    from pipeline.parse.page import ExtractedPage

_SHOWN_ERRORS = 5


@dataclass(slots=True)
class SiteScan:
    """What one source's pages have shown so far. Mutable on purpose: callbacks of one source
    interleave, and the report goes out when the last pending request is answered."""

    pages: int = 0
    status: int | None = None
    digest: str = ""
    listing_error: str = ""
    links: set[str] = field(default_factory=set)
    seen_pages: set[str] = field(default_factory=set)
    articles: int = 0
    article_errors: list[str] = field(default_factory=list)
    note: str = ""


# ---------------------------------------------------------------- reading pages


def listing_links(response: Response, link_selector: str, allow_re: str | None) -> list[str] | None:
    """Absolute article URLs the link selector finds (in page order, deduplicated), kept by
    ``allow_re`` or by being on the listing's site; None when the selector is not valid CSS."""
    try:
        found = response.css(link_selector or "a")
    except ValueError:
        return None
    allow = re.compile(allow_re) if allow_re else None
    links: dict[str, None] = {}
    for selection in found:
        href = selection.root if isinstance(selection.root, str) else selection.xpath(
            "(./@href | .//a/@href)[1]"
        ).get()  # fmt: skip
        url = response.urljoin(href.strip()) if href and href.strip() else ""
        if url.startswith(("http://", "https://")) and keep_link(url, response.url, allow):
            links.setdefault(url.split("#", 1)[0], None)
    return list(links)


def keep_link(url: str, listing_url: str, allow: re.Pattern[str] | None) -> bool:
    if allow is not None:
        return bool(allow.search(url))
    return same_site(url, listing_url)


def same_site(url: str, other: str) -> bool:
    def host(value: str) -> str:
        return (urlsplit(value).hostname or "").lower().removeprefix("www.")

    return host(url) == host(other)


def next_page(response: Response, next_selector: str | None) -> str:
    if not next_selector:
        return ""
    selection = response.css(next_selector)
    first = selection[0] if selection else None
    if first is None:
        return ""
    href = (
        first.root
        if isinstance(first.root, str)
        else first.xpath("(./@href | .//a/@href)[1]").get()
    )
    return response.urljoin(href.strip()) if href and href.strip() else ""


def read_article(
    spec: FetchSpec, entry: Source, response: Response, selectors: Mapping[str, str]
) -> RawArticle:
    """The article on one page (``selectors``: field → CSS overriding what the extractor
    finds); :class:`ExtractError` naming the URL when there is none."""
    # imported here: loading the spiders (to check sources.yaml) must not load trafilatura
    from pipeline.parse.page import extract_page

    problem = html_problem(response)
    if problem and not problem.startswith("not an HTML page"):
        raise ExtractError(f"{response.url}: {problem}")
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    page = extract_page(
        response.body, response.url, content_type=content_type,
        tz=entry.timezone, selectors=dict(selectors),
    )  # fmt: skip
    if not (page.title or page.text):
        raise ExtractError(f"{response.url}: no title and no text found")
    fetched = snapshot(response, ArticleTarget(0, response.url, spec.source_id))
    return replace(raw_article(spec, entry, page), page=fetched)


def raw_article(spec: FetchSpec, entry: Source, page: ExtractedPage) -> RawArticle:
    return RawArticle(
        source_id=spec.source_id,
        url=page.url,
        title=page.title or "",
        summary=page.first_paragraph or "",
        published=page.published.isoformat() if page.published else "",
        updated=page.modified.isoformat() if page.modified else "",
        author=page.author or "",
        guid=page.canonical_url or "",
        language=page.language or entry.language or "",
        publisher=entry.name or "",
        text=page.text,
    )


# ---------------------------------------------------------------- reports


def named_loop(problem: str) -> str:
    """A failed download's problem, a redirect loop named as one."""
    if "max redirections" in problem:
        return "redirect loop (too many redirects)"
    return problem


def no_links(css: str, response: Response) -> str:
    return (
        f"listing {response.url}: link selector {css!r} matched no article link "
        f"({len(response.body)} bytes; check the selector and `allow`)"
    )


def finished(spec: FetchSpec, scan: SiteScan) -> FetchReport:
    """The source's one report, once no request of it is pending."""
    failures = scan.article_errors
    tried = max(len(scan.links), scan.articles + len(failures))
    extra = {"pages": str(scan.pages), "articles": str(tried)}
    if scan.note:
        extra["note"] = scan.note
    if scan.listing_error and not scan.articles:
        return failed_report(spec, scan.listing_error, scan.status)
    if tried and len(failures) == tried:
        return failed_report(spec, article_problems(failures, tried), scan.status)
    error = article_problems(failures, tried) if failures else ""
    if scan.listing_error:
        error = "; ".join(e for e in (scan.listing_error, error) if e)
    return FetchReport(
        source_id=spec.source_id, url=spec.url, status=scan.status,
        error=f"{spec.source_id}: {error}" if error else "",
        not_modified=scan.note == "unchanged listing", body_sha256=scan.digest,
        items=scan.articles, extra=extra,
    )  # fmt: skip


def article_problems(failures: list[str], tried: int) -> str:
    shown = "; ".join(failures[:_SHOWN_ERRORS])
    more = f"; and {len(failures) - _SHOWN_ERRORS} more" if len(failures) > _SHOWN_ERRORS else ""
    return f"{len(failures)} of {tried} article page(s) failed: {shown}{more}"
