"""News sites without a usable feed: listing page(s) → article pages → RawArticle with full text.

Config-driven (``kind: site``): the entry gives the listing ``url`` (and more in ``urls``), a CSS
``link_selector`` for the article links, optionally ``next_selector`` + ``max_pages`` for
pagination, ``allow`` (a URL regex: links matching it are followed, on any host; without it,
links on the listing's own site), and field selectors (``title_selector``, ``date_selector``,
``author_selector``, ``text_selector``) that override what :func:`pipeline.parse.page.extract_page`
finds. The source yields its articles and then exactly one FetchReport, after the last page
(what the pages mean: :mod:`pipeline.parse.site`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import scrapy
from pydantic import Field, field_validator
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.models import check_css, check_http_url
from pipeline.config.sources import SourceOptions
from pipeline.errors import ExtractError
from pipeline.items import FetchReport
from pipeline.parse.responses import html_problem
from pipeline.parse.site import (
    SiteScan,
    finished,
    listing_links,
    named_loop,
    next_page,
    no_links,
    read_article,
)
from spiders.base import Callback, SourceRun, SourceSpider, source_callback


class SiteSpider(SourceSpider):
    """``scrapy crawl site [-a source=ID]``, or
    ``crawl(SiteSpider, specs=[FetchSpec…], sources={id: Source})``."""

    name = "site"
    kinds = ("site",)
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    passed_statuses = tuple(range(400, 600))

    class Options(SourceOptions):
        urls: tuple[str, ...] = ()
        """More listing pages read with ``url`` (sections, languages)."""
        link_selector: str
        """CSS selector of the article links on a listing page (``a`` elements, elements
        holding one, or ``…::attr(href)``)."""
        next_selector: str | None = None
        """CSS selector of the next listing page's link; followed up to ``max_pages``."""
        max_pages: int = Field(default=1, ge=1, le=50)
        max_articles: int = Field(default=30, ge=1, le=500)
        """Article pages fetched per run (the newest first, as the listing orders them)."""
        allow: str | None = None
        """URL regex: links matching it are followed, on any host; without it, links on the
        listing's own site are."""
        title_selector: str | None = None
        date_selector: str | None = None
        author_selector: str | None = None
        text_selector: str | None = None
        """Field selectors override what the extractor finds (JSON-LD, meta tags, trafilatura)."""

        _css = field_validator(
            "link_selector", "next_selector", "title_selector", "date_selector",
            "author_selector", "text_selector",
        )(lambda v: None if v is None else check_css(v))  # fmt: skip
        _urls = field_validator("urls")(lambda v: tuple(check_http_url(url) for url in v))

        @field_validator("allow")
        @classmethod
        def _regex(cls, value: str | None) -> str | None:
            if value is not None:
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ValueError(f"not a valid regular expression: {exc}") from exc
            return value

        def field_selectors(self) -> dict[str, str]:
            pairs = {"title": self.title_selector, "published": self.date_selector,
                     "author": self.author_selector, "text": self.text_selector}  # fmt: skip
            return {name: css for name, css in pairs.items() if css}

    def new_state(self) -> SiteScan:
        return SiteScan()

    def begin(self, run: SourceRun) -> Iterator[scrapy.Request]:
        first = run.spec.url
        urls = dict.fromkeys((first, *run.options.urls))
        # every listing counted as pending before the first is answered
        yield from [self._request(run, url, self.parse_listing, "listing", url == first)
                    for url in urls]  # fmt: skip

    def _request(
        self, run: SourceRun, url: str, callback: Callback, step: str, first: bool | None = None
    ) -> scrapy.Request:
        headers = {"Accept": self.accept}
        if run.entry is not None and run.entry.language:
            headers["Accept-Language"] = run.entry.language
        meta = {"step": step, "handle_httpstatus_list": self.passed_statuses,
                "download_maxsize": self.max_body}  # fmt: skip
        if first is not None:
            meta["first_listing"] = first
        return self.request(run, url, callback, headers=headers, meta=meta)

    # ------------------------------------------------------------ callbacks

    @source_callback
    def parse_listing(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self.run_of(response.meta)
        yield from self._listing(run, run.state, response)
        yield from self._maybe_report(run)

    def _listing(
        self, run: SourceRun, scan: SiteScan, response: Response
    ) -> Iterator[scrapy.Request]:
        first = scan.pages == 0
        scan.pages += 1
        scan.seen_pages.add(response.url)
        scan.status = scan.status or response.status
        problem = html_problem(response)
        if problem:
            scan.listing_error = scan.listing_error or f"listing {response.url}: {problem}"
            return
        if response.meta.get("first_listing"):
            scan.digest = hashlib.sha256(response.body).hexdigest()
            if scan.digest == run.spec.body_sha256:
                scan.note = "unchanged listing"
                return
        links = listing_links(response, run.options.link_selector, run.options.allow)
        if links is None or (first and not links):
            scan.listing_error = scan.listing_error or no_links(run.options.link_selector, response)
            return
        yield from self._follow(run, scan, response, links)

    def _follow(
        self, run: SourceRun, scan: SiteScan, response: Response, links: list[str]
    ) -> Iterator[scrapy.Request]:
        options = run.options
        for link in links:
            if link in scan.links:
                continue
            if len(scan.links) >= options.max_articles:
                scan.note = f"stopped at {options.max_articles} articles (max_articles)"
                return
            scan.links.add(link)
            yield self._request(run, link, self.parse_article, "article")
        following = next_page(response, options.next_selector)
        if following and following not in scan.seen_pages and scan.pages < options.max_pages:
            scan.seen_pages.add(following)
            yield self._request(run, following, self.parse_listing, "listing")

    @source_callback
    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self.run_of(response.meta)
        try:
            selectors = run.options.field_selectors()
            item = read_article(run.spec, run.entry, response, selectors)
        except ExtractError as exc:
            run.state.article_errors.append(str(exc))
        else:
            run.state.articles += 1
            yield item
        yield from self._maybe_report(run)

    # ------------------------------------------------------------ failures and the report

    def callback_failed(self, run: SourceRun, response: Response, exc: Exception) -> Iterator[Any]:
        """One hostile page must not cost the source its report: it is named in the report."""
        problem = f"{response.url}: parse failed: {exc!r}"
        if response.meta.get("step") == "article":
            run.state.article_errors.append(problem)
        else:
            run.state.listing_error = run.state.listing_error or problem
        yield from self._maybe_report(run)

    def request_failed(
        self, run: SourceRun, request: scrapy.Request, problem: str, failure: Failure
    ) -> Iterator[Any]:
        problem = f"{request.url}: {named_loop(problem)}"
        self.logger.warning("%s: %s", run.spec.source_id, problem)
        if request.meta.get("step") == "article":
            run.state.article_errors.append(problem)
        else:
            run.state.pages += 1
            run.state.listing_error = run.state.listing_error or problem
        yield from self._maybe_report(run)

    def _maybe_report(self, run: SourceRun) -> Iterator[FetchReport]:
        if run.pending == 0:
            report = finished(run.spec, run.state)
            if not report.ok or report.error:
                self.logger.warning("%s", report.error)
            yield report
