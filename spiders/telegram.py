"""Telegram public channels (``kind: telegram``): a channel's web preview, ``t.me/s/NAME``.

The newest page first, then older ones with ``?before=ID``: on the first read ``depth`` posts
back, later back to the newest post stored (the spec's ``newest_url``) and at least ``recheck``
posts, at most ``max_pages`` pages. Each post with text becomes an article (its URL
``https://t.me/NAME/ID``, carrying the page it was read on as its evidence); they go out with
the one report only when every page was read. What the pages mean:
:mod:`pipeline.parse.telegram` and :mod:`pipeline.parse.telegram_scan`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from typing import Any

import scrapy
from pydantic import Field
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.sources import SourceOptions
from pipeline.parse.responses import failure_status, html_problem
from pipeline.parse.telegram import PreviewError, page_url, read_page, url_problem
from pipeline.parse.telegram_scan import (
    ChannelScan,
    add_page,
    articles,
    failed,
    finished,
    known_post,
    older_page,
    unchanged,
)
from spiders.base import SourceRun, SourceSpider, source_callback


class TelegramSpider(SourceSpider):
    """``scrapy crawl telegram [-a source=ID]``, or
    ``crawl(TelegramSpider, specs=[FetchSpec…], sources={id: Source})``."""

    name = "telegram"
    kinds = ("telegram",)
    rereads = True
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    passed_statuses = tuple(range(400, 600))

    class Options(SourceOptions):
        depth: int = Field(default=100, ge=1, le=5000)
        """Posts read back on the first read of the channel (nothing of it stored yet)."""
        recheck: int = Field(default=20, ge=0, le=1000)
        """Later reads go back to the newest post stored and at least this many posts, so
        that recent edits and deletions are seen."""
        max_pages: int = Field(default=10, ge=1, le=200)
        """Pages (about 20 posts each) read at most per run."""

        @classmethod
        def url_problem(cls, url: str) -> str:
            return url_problem(url)

    def new_state(self) -> ChannelScan:
        return ChannelScan()

    def begin(self, run: SourceRun) -> Iterator[scrapy.Request]:
        yield self._page(run, None)

    def _page(self, run: SourceRun, before: int | None) -> scrapy.Request:
        headers = {"Accept": self.accept}  # no Accept-Language: the markup's words stay English
        meta = {"step": "page", "page": (run.state.pages if run.state else 0) + 1,
                "handle_httpstatus_list": self.passed_statuses,
                "download_maxsize": self.max_body}  # fmt: skip
        if before is not None:
            meta["before"] = before
        return self.request(run, page_url(run.spec.url, before), self.parse_page,
                            headers=headers, meta=meta)  # fmt: skip

    @source_callback
    def parse_page(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self.run_of(response.meta)
        scan, spec = run.state, run.spec
        problem = html_problem(response)
        if problem:
            kept = 200 <= response.status < 300  # a body that is no HTML page; an error is not
            yield self.report(failed(spec, f"{response.url}: {problem}", response, keep=kept))
            return
        try:
            page = read_page(response)
            before = response.meta.get("before")
            if before is None:
                scan.digest = hashlib.sha256(response.body).hexdigest()
                if scan.digest == spec.body_sha256:
                    scan.status = response.status
                    yield unchanged(spec, scan)
                    return
            add_page(scan, spec, response, page, before)
        except PreviewError as exc:
            yield self.report(failed(spec, str(exc), response))
            return
        options = run.options
        older = older_page(scan, page, known_post(spec), depth=options.depth,
                           recheck=options.recheck, max_pages=options.max_pages)  # fmt: skip
        if older is not None:
            yield self._page(run, older)
            return
        items = articles(spec, run.entry, scan)
        yield from items
        yield self.report(finished(spec, scan, len(items)))

    def report(self, report: Any) -> Any:
        if report.error:
            self.logger.warning("%s", report.error)
        return report

    def request_failed(
        self, run: SourceRun, request: scrapy.Request, problem: str, failure: Failure
    ) -> Iterator[Any]:
        report = failed(run.spec, f"{request.url}: {problem}")
        yield self.report(dataclasses.replace(report, status=failure_status(failure)))
