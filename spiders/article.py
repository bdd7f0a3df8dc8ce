"""Article pages: fetch a page of an article the store knows, for its full text or a re-check.

Requests are built by :meth:`ArticleSpider.request_for`; the ingest pipeline adds them to the
crawl of the source whose new items need their pages (so a source still yields exactly one
FetchReport, for its listing or feed), and :class:`ArticleSpider` fetches the scheduled
re-checks. The callbacks yield one :class:`~pipeline.items.ArticlePage` per target, whatever
happened: a 404 and a 410 reach the callback (a removal is evidence too), a timeout, a redirect
loop or a body over the cap come back as an error naming the source and the URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import ArticlePage, ArticleTarget
from pipeline.parse.responses import describe_failure, header_pairs, snapshot
from spiders.base import SourceSpider


class ArticleSpider(SourceSpider):
    """Re-checks of matched articles (``crawl(ArticleSpider, targets=[…])``); no source kind.

    Its requests run in other spiders' crawls too, so their callbacks are static: one
    ArticlePage per target is this spider's contract (a target is no source, and has no
    FetchReport)."""

    name = "article"
    kinds: ClassVar[tuple[str, ...]] = ()
    custom_settings: ClassVar[dict[str, Any]] = {"ROBOTSTXT_OBEY": False}
    """A page the monitor's sources linked to, fetched once a day for that monitor, like a
    reader re-opening a bookmark (not a crawl of the site)."""
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    passed_statuses = (304, *range(400, 600))
    default_max_body = 5 * 1024 * 1024
    default_timeout = 20.0

    def __init__(
        self,
        targets: Iterable[ArticleTarget] = (),
        max_body: int = default_max_body,
        timeout: float = default_timeout,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.targets = tuple(targets)
        self.page_max_body = max_body
        self.timeout = timeout

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for target in self.targets:
            yield self.request_for(target, max_body=self.page_max_body, timeout=self.timeout)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[ArticlePage]:
        return ArticleSpider.read_page(response)

    @staticmethod
    def request_for(
        target: ArticleTarget,
        *,
        max_body: int = default_max_body,
        timeout: float = default_timeout,
    ) -> scrapy.Request:
        """How the ingest pipeline adds an article page to a running crawl (it loads this
        spider by name, never imports it)."""
        headers = {"Accept": ArticleSpider.accept}
        if target.etag:
            headers["If-None-Match"] = target.etag
        if target.last_modified:
            headers["If-Modified-Since"] = target.last_modified
        return scrapy.Request(
            target.url,
            callback=ArticleSpider.read_page,
            errback=ArticleSpider.page_failed,
            headers=headers,
            dont_filter=True,
            meta={
                "article_target": target,
                "handle_httpstatus_list": ArticleSpider.passed_statuses,
                "download_maxsize": max_body,
                "download_timeout": timeout,
            },
        )

    @staticmethod
    def target_of(meta: Mapping[str, Any]) -> ArticleTarget:
        """The request's target (a mapping is accepted too: meta may come from JSON)."""
        target = meta["article_target"]
        return target if isinstance(target, ArticleTarget) else ArticleTarget(**target)

    @staticmethod
    def read_page(response: Response, **kwargs: Any) -> Iterator[ArticlePage]:
        yield snapshot(response, ArticleSpider.target_of(response.meta))

    @staticmethod
    def page_failed(failure: Failure) -> Iterator[ArticlePage]:
        request = failure.request  # type: ignore[attr-defined]
        target = ArticleSpider.target_of(request.meta)
        problem = describe_failure(failure, request.meta, ArticleSpider.default_max_body)
        yield ArticlePage(
            target=target,
            status=None,
            final_url=request.url,
            request_headers=header_pairs(request.headers),
            error=f"{target.source_id}: {target.url}: {problem}",
        )
