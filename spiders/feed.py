"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom, JSON Feed) and Google News searches → RawArticle items.

For every source it is given, the spider yields that source's entries and then exactly one
:class:`~pipeline.items.FetchReport` — whatever happened (:mod:`pipeline.parse.feeds` reads the
response; a timeout or a refused connection is the base's errback).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from scrapy.http import Response
from scrapy.settings import default_settings

from pipeline.items import FetchReport, RawArticle
from pipeline.parse.feeds import conditional_headers, read_feed
from spiders.base import SourceRun, SourceSpider, source_callback


class FeedSpider(SourceSpider):
    """``scrapy crawl feed [-a source=ID]``, or ``crawl(FeedSpider, specs=[FetchSpec…])``."""

    name = "feed"
    kinds = ("feed", "news_search")
    needs_entry = False
    custom_settings: ClassVar[dict[str, Any]] = {
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES_BASE": {
            path: order
            for path, order in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
            if not path.endswith(".CookiesMiddleware")
        },
    }
    """A feed is published to be polled; like every feed reader, fetch it for the user. Feed
    readers keep no cookies either: the cookie middleware is left out of the base list (named
    ``None`` in ``DOWNLOADER_MIDDLEWARES`` it would still be imported, tldextract with it)."""
    passed_statuses = (304, *range(400, 600))
    """Statuses the callback reports itself; redirects are still followed by Scrapy."""

    def begin(self, run: SourceRun) -> Iterator[Any]:
        meta = {"handle_httpstatus_list": self.passed_statuses, "download_maxsize": self.max_body}
        yield self.request(
            run, run.spec.url, self.parse, headers=conditional_headers(run.spec), meta=meta
        )

    @source_callback
    def parse(self, response: Response, **kwargs: Any) -> Iterator[RawArticle | FetchReport]:
        fast = self.settings.getbool("CASEWATCH_FAST_FEEDS", True)
        spec = self.run_of(response.meta).spec
        items, report = read_feed(spec, response, self.max_body, fast=fast)
        if not report.ok:
            self.logger.warning("%s", report.error)
        yield from items
        yield report
