"""News sites without a usable feed: listing page(s) → article pages → RawArticle with full text.

Config-driven (``kind: site``): the entry gives the listing ``url`` (and more in ``urls``), a CSS
``link_selector`` for the article links, optionally ``next_selector`` + ``max_pages`` for
pagination, ``allow`` (a URL regex: links matching it are followed, on any host; without it,
links on the listing's own site), and field selectors (``title_selector``, ``date_selector``,
``author_selector``, ``text_selector``) that override what :func:`pipeline.parse.page.extract_page`
finds. The source yields its articles and then exactly one FetchReport, after the last page.

A listing that should hold articles and does not is a source error, never silence: the link
selector matching nothing, an HTTP error, a body that is not HTML. A bad article page (over the
size cap, not HTML, a redirect loop, HTTP 404) is named in the report's ``error`` while the other
articles go on; the source counts as failed only when every article page failed. An unchanged
first listing page (same sha256 as the last run) is reported as not modified, with no article
fetched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from pipeline.config.sources import Source
from pipeline.errors import ExtractError
from pipeline.items import ArticleTarget, FetchReport, FetchSpec, RawArticle
from pipeline.parse.page import ExtractedPage, extract_page
from spiders.article import snapshot
from spiders.base import ConfiguredSpider, describe_failure, entry_of, failed, spec_of

KINDS = ("site",)
DEFAULT_MAX_BODY = 10 * 1024 * 1024
PASSED_STATUSES = tuple(range(400, 600))
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_SHOWN_ERRORS = 5


@dataclass(slots=True)
class SourceRun:
    """What one source's requests have done so far. Mutable on purpose: callbacks of one
    source interleave, and the report goes out when the last pending request is answered."""

    spec: FetchSpec
    entry: Source
    pending: int = 0
    pages: int = 0
    status: int | None = None
    digest: str = ""
    listing_error: str = ""
    links: set[str] = field(default_factory=set)
    seen_pages: set[str] = field(default_factory=set)
    articles: int = 0
    article_errors: list[str] = field(default_factory=list)
    note: str = ""


class SiteSpider(ConfiguredSpider):
    """``scrapy crawl site [-a source=ID]``, or
    ``crawl(SiteSpider, specs=[FetchSpec…], sources={id: Source})``."""

    name = "site"
    kinds = KINDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs: dict[str, SourceRun] = {}

    async def start(self) -> AsyncIterator[scrapy.Request | FetchReport]:
        specs, sources = self.plan()
        for spec in specs:
            entry = sources.get(spec.source_id)
            if entry is None:
                yield failed(spec, "no site entry with this id in the config")
                continue
            run = self.runs[spec.source_id] = SourceRun(spec, entry)
            for url in dict.fromkeys((spec.url, *entry.urls)):
                request = self.listing_request(run, url)
                request.meta["first_listing"] = url == spec.url
                yield request

    # ------------------------------------------------------------ requests

    def max_body(self) -> int:
        return self.settings.getint("CASEWATCH_MAX_BODY_BYTES", DEFAULT_MAX_BODY)

    def listing_request(self, run: SourceRun, url: str) -> scrapy.Request:
        return self._request(run, url, self.parse_listing, "listing")

    def article_request(self, run: SourceRun, url: str) -> scrapy.Request:
        return self._request(run, url, self.parse_article, "article")

    def _request(self, run: SourceRun, url: str, callback: Any, step: str) -> scrapy.Request:
        run.pending += 1
        headers = {"Accept": ACCEPT}
        if run.entry.language:
            headers["Accept-Language"] = run.entry.language
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, headers=headers,
            dont_filter=True,  # duplicates are dropped by SourceRun, never silently by Scrapy
            meta={"spec": run.spec, "source": run.entry, "step": step, "handle_httpstatus_list": PASSED_STATUSES,
                  "download_maxsize": self.max_body()},
        )  # fmt: skip

    # ------------------------------------------------------------ callbacks

    def parse_listing(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self._run(response.meta)
        run.pending -= 1
        try:
            yield from self._listing(run, response)
        except Exception as exc:  # the contract is one report per source, whatever happens
            self.logger.exception("%s: cannot read listing %s", run.spec.source_id, response.url)
            run.listing_error = run.listing_error or f"{response.url}: parse failed: {exc!r}"
        yield from self._maybe_report(run)

    def _listing(self, run: SourceRun, response: Response) -> Iterator[scrapy.Request]:
        first = run.pages == 0
        run.pages += 1
        run.seen_pages.add(response.url)
        run.status = run.status or response.status
        problem = page_problem(response)
        if problem:
            run.listing_error = run.listing_error or f"listing {response.url}: {problem}"
            return
        if response.meta.get("first_listing"):
            run.digest = hashlib.sha256(response.body).hexdigest()
            if run.digest == run.spec.body_sha256:
                run.note = "unchanged listing"
                return
        links = listing_links(response, run.entry)
        if links is None or (first and not links):
            run.listing_error = run.listing_error or no_links(run, response)
            return
        yield from self._follow(run, response, links)

    def _follow(
        self, run: SourceRun, response: Response, links: list[str]
    ) -> Iterator[scrapy.Request]:
        for link in links:
            if link in run.links:
                continue
            if len(run.links) >= run.entry.max_articles:
                run.note = f"stopped at {run.entry.max_articles} articles (max_articles)"
                return
            run.links.add(link)
            yield self.article_request(run, link)
        following = next_page(response, run.entry)
        if following and following not in run.seen_pages and run.pages < run.entry.max_pages:
            run.seen_pages.add(following)
            yield self.listing_request(run, following)

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self._run(response.meta)
        run.pending -= 1
        try:
            item = read_article(run.spec, run.entry, response)
        except ExtractError as exc:
            run.article_errors.append(str(exc))
            item = None
        except Exception as exc:  # one hostile page must not cost the source its report
            self.logger.exception("%s: cannot read article %s", run.spec.source_id, response.url)
            run.article_errors.append(f"{response.url}: parse failed: {exc!r}")
            item = None
        if item is not None:
            run.articles += 1
            yield item
        yield from self._maybe_report(run)

    def on_error(self, failure: Failure) -> Iterator[FetchReport]:
        request = failure.request  # type: ignore[attr-defined]
        run = self._run(request.meta)
        run.pending -= 1
        problem = f"{request.url}: {failure_text(failure, request.meta, self.max_body())}"
        self.logger.warning("%s: %s", run.spec.source_id, problem)
        if request.meta.get("step") == "article":
            run.article_errors.append(problem)
        else:
            run.pages += 1
            run.listing_error = run.listing_error or problem
        yield from self._maybe_report(run)

    def _run(self, meta: Mapping[str, Any]) -> SourceRun:
        """The request's source run; a response replayed on its own (a saved fixture) starts
        one from its meta, with itself as the one pending request."""
        spec = spec_of(meta)
        if spec.source_id not in self.runs:
            self.runs[spec.source_id] = SourceRun(spec, entry_of(meta), pending=1)
        return self.runs[spec.source_id]

    def _maybe_report(self, run: SourceRun) -> Iterator[FetchReport]:
        if run.pending == 0:
            report = finished(run)
            if not report.ok or report.error:
                self.logger.warning("%s", report.error)
            yield report


# ---------------------------------------------------------------- reading pages


def page_problem(response: Response) -> str:
    if not 200 <= response.status < 300:
        return f"HTTP {response.status}"
    if not response.body.strip():
        return "empty body"
    if not isinstance(response, HtmlResponse):
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no Content-Type"
        return f"not an HTML page ({kind})"
    return ""


def listing_links(response: Response, entry: Source) -> list[str] | None:
    """Absolute article URLs the link selector finds (in page order, deduplicated), kept by
    ``allow`` or by being on the listing's site; None when the selector is not valid CSS."""
    try:
        found = response.css(entry.link_selector or "a")
    except ValueError:
        return None
    allow = re.compile(entry.allow) if entry.allow else None
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


def next_page(response: Response, entry: Source) -> str:
    if not entry.next_selector:
        return ""
    selection = response.css(entry.next_selector)
    first = selection[0] if selection else None
    if first is None:
        return ""
    href = (
        first.root
        if isinstance(first.root, str)
        else first.xpath("(./@href | .//a/@href)[1]").get()
    )
    return response.urljoin(href.strip()) if href and href.strip() else ""


def read_article(spec: FetchSpec, entry: Source, response: Response) -> RawArticle:
    """The article on one page; :class:`ExtractError` naming the URL when there is none."""
    problem = page_problem(response)
    if problem and not problem.startswith("not an HTML page"):
        raise ExtractError(f"{response.url}: {problem}")
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    page = extract_page(
        response.body, response.url, content_type=content_type,
        tz=entry.timezone, selectors=field_selectors(entry),
    )  # fmt: skip
    if not (page.title or page.text):
        raise ExtractError(f"{response.url}: no title and no text found")
    fetched = snapshot(response, ArticleTarget(0, response.url, spec.source_id))
    return replace(raw_article(spec, entry, page), page=fetched)


def field_selectors(entry: Source) -> dict[str, str]:
    pairs = {"title": entry.title_selector, "published": entry.date_selector,
             "author": entry.author_selector, "text": entry.text_selector}  # fmt: skip
    return {name: css for name, css in pairs.items() if css}


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


def failure_text(failure: Failure, meta: Mapping[str, Any], max_body: int) -> str:
    text = describe_failure(failure, meta, max_body)
    if "max redirections" in text:
        return "redirect loop (too many redirects)"
    return text


def no_links(run: SourceRun, response: Response) -> str:
    css = run.entry.link_selector
    return (
        f"listing {response.url}: link selector {css!r} matched no article link "
        f"({len(response.body)} bytes; check the selector and `allow`)"
    )


def finished(run: SourceRun) -> FetchReport:
    spec, failures = run.spec, run.article_errors
    tried = max(len(run.links), run.articles + len(failures))
    extra = {"pages": str(run.pages), "articles": str(tried)}
    if run.note:
        extra["note"] = run.note
    if run.listing_error and not run.articles:
        return failed(spec, run.listing_error, run.status)
    if tried and len(failures) == tried:
        return failed(spec, article_problems(failures, tried), run.status)
    error = article_problems(failures, tried) if failures else ""
    if run.listing_error:
        error = "; ".join(e for e in (run.listing_error, error) if e)
    return FetchReport(
        source_id=spec.source_id, url=spec.url, status=run.status,
        error=f"{spec.source_id}: {error}" if error else "",
        not_modified=run.note == "unchanged listing", body_sha256=run.digest,
        items=run.articles, extra=extra,
    )  # fmt: skip


def article_problems(failures: list[str], tried: int) -> str:
    shown = "; ".join(failures[:_SHOWN_ERRORS])
    more = f"; and {len(failures) - _SHOWN_ERRORS} more" if len(failures) > _SHOWN_ERRORS else ""
    return f"{len(failures)} of {tried} article page(s) failed: {shown}{more}"
