"""Article pages: fetch a page of an article the store knows, for its full text or a re-check.

Requests are built by :func:`article_request`; the ingest pipeline adds them to the crawl of the
source whose new items need their pages (so a source still yields exactly one FetchReport, for
its listing or feed), and :class:`ArticleSpider` fetches the scheduled re-checks. The callbacks
yield one :class:`~pipeline.items.ArticlePage` per target, whatever happened: a
404 and a 410 reach the callback (a removal is evidence too), a timeout, a redirect loop or a
body over the cap come back as an error naming the source and the URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import ArticlePage, ArticleTarget, Pairs
from spiders.base import describe_failure

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
PASSED_STATUSES = tuple(range(400, 600))
DEFAULT_MAX_BODY = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0


def article_request(
    target: ArticleTarget, *, max_body: int = DEFAULT_MAX_BODY, timeout: float = DEFAULT_TIMEOUT
) -> scrapy.Request:
    return scrapy.Request(
        target.url,
        callback=parse_article,
        errback=article_failed,
        headers={"Accept": ACCEPT},
        dont_filter=True,
        meta={
            "article_target": target,
            "handle_httpstatus_list": PASSED_STATUSES,
            "download_maxsize": max_body,
            "download_timeout": timeout,
        },
    )


def target_of(meta: Mapping[str, Any]) -> ArticleTarget:
    """The request's target (a mapping is accepted too: meta may come from JSON)."""
    target = meta["article_target"]
    return target if isinstance(target, ArticleTarget) else ArticleTarget(**target)


def parse_article(response: Response, **kwargs: Any) -> Iterator[ArticlePage]:
    yield snapshot(response, target_of(response.meta))


def snapshot(response: Response, target: ArticleTarget) -> ArticlePage:
    """The response as received (body, headers in order, the request's headers)."""
    return ArticlePage(
        target=target,
        status=response.status,
        final_url=response.url,
        body=response.body,
        headers=_pairs(response.headers),
        request_headers=_pairs(response.request.headers) if response.request else (),
    )


def article_failed(failure: Failure) -> Iterator[ArticlePage]:
    request = failure.request  # type: ignore[attr-defined]
    target = target_of(request.meta)
    problem = describe_failure(failure, request.meta, DEFAULT_MAX_BODY)
    yield ArticlePage(
        target=target,
        status=None,
        final_url=request.url,
        request_headers=_pairs(request.headers),
        error=f"{target.source_id}: {target.url}: {problem}",
    )


def _pairs(headers: Any) -> Pairs:
    """Scrapy's header multi-dict as (name, value) text pairs, in order, repeats kept."""
    out: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            out.append((key, text))
    return tuple(out)


class ArticleSpider(scrapy.Spider):
    """Re-checks of matched articles (``crawl(ArticleSpider, targets=[…])``); no source kind."""

    name = "article"
    kinds: ClassVar[tuple[str, ...]] = ()
    custom_settings: ClassVar[dict[str, Any]] = {"ROBOTSTXT_OBEY": False}
    """A page the monitor's sources linked to, fetched once a day for that monitor, like a
    reader re-opening a bookmark (not a crawl of the site)."""
    request_for = staticmethod(article_request)
    """How the ingest pipeline adds an article page to a running crawl (it loads this spider by
    name, never imports it)."""

    def __init__(
        self,
        targets: Iterable[ArticleTarget] = (),
        max_body: int = DEFAULT_MAX_BODY,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.targets = tuple(targets)
        self.max_body = max_body
        self.timeout = timeout

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for target in self.targets:
            yield article_request(target, max_body=self.max_body, timeout=self.timeout)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[ArticlePage]:
        return parse_article(response, **kwargs)
