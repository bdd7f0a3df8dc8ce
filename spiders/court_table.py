"""Any court page that lists hearings in an HTML table → RawHearing rows, then one FetchReport.

Config-driven (``kind: court_table``): the entry gives the URL, the court's name and time zone,
optionally a CSS ``selector`` for the table and ``columns`` hints; a ``rel=next`` link is
followed. What a page holds, and what makes it a source error: :mod:`pipeline.parse.court_table`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.sources import SourceOptions
from pipeline.parse.court_table import (
    MAX_PAGES,
    Coverage,
    Scan,
    finished,
    on_page,
    read_page,
    scan_of,
)
from pipeline.parse.responses import failed_report, failure_status
from spiders.base import SourceRun, SourceSpider, source_callback


class CourtTableSpider(SourceSpider):
    """``scrapy crawl court_table [-a source=ID]``, or
    ``crawl(CourtTableSpider, specs=[FetchSpec…], sources={id: Source})``."""

    name = "court_table"
    kinds = ("court_table",)
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    passed_statuses = tuple(range(400, 600))
    """HTTP errors reach the callback, which reports them (redirects are still followed)."""

    class Options(SourceOptions):
        court: str | None = None
        """The court's name (times on the page are in ``timezone``)."""
        selector: str | None = None
        """CSS selector of the schedule table; without it the table whose headers map best."""
        columns: dict[str, str] = Field(default_factory=dict)
        """Header text → field (date, time, case_number, judge, parties, category, courtroom,
        status, stage) for headers the built-in ru/kk/en synonyms do not know."""
        coverage: Coverage = "upcoming"
        """What a complete scan covers: ``upcoming`` (the page lists every hearing from today
        on: one missing before its date has left the schedule, the last listed day too) or
        ``printed`` (only the days between the first and the last date printed)."""

    def begin(self, run: SourceRun) -> Iterator[scrapy.Request]:
        yield self.page_request(run, Scan(), run.spec.url)

    def page_request(self, run: SourceRun, scan: Scan, url: str) -> scrapy.Request:
        headers = {"Accept": self.accept}
        if run.entry is not None and run.entry.language:
            headers["Accept-Language"] = run.entry.language
        # a repeated page is caught by ``scan.seen``, never dropped unreported
        meta = {"scan": scan, "handle_httpstatus_list": self.passed_statuses}
        return self.request(run, url, self.parse, headers=headers, meta=meta)

    @source_callback
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run, scan = self.run_of(response.meta), scan_of(response.meta)
        options, entry = run.options, run.entry
        page = read_page(run.spec, response, court=options.court or "",
                         timezone=(entry.timezone if entry else None) or "",
                         selector=options.selector, columns=options.columns)  # fmt: skip
        if page.problem:
            yield self.fail(run, on_page(scan, response.url, page.problem), response.status)
            return
        yield from page.hearings
        scan = scan.add(response.url, page.hearings)
        more = bool(page.next_url) and page.next_url not in scan.seen
        if more and scan.pages < MAX_PAGES:
            yield self.page_request(run, scan, page.next_url)
        else:
            yield finished(
                run.spec, response.status, scan, truncated=more, coverage=options.coverage
            )

    def callback_failed(self, run: SourceRun, response: Response, exc: Exception) -> Iterator[Any]:
        problem = on_page(scan_of(response.meta), response.url, f"parse failed: {exc!r}")
        yield self.fail(run, problem, response.status)

    def request_failed(
        self, run: SourceRun, request: scrapy.Request, problem: str, failure: Failure
    ) -> Iterator[Any]:
        problem = on_page(scan_of(request.meta), request.url, problem)
        self.logger.warning("%s: %s (%s)", run.spec.source_id, problem, request.url)
        yield failed_report(run.spec, problem, failure_status(failure))
