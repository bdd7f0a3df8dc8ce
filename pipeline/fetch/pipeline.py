"""The Scrapy item pipeline: buffers a source's items until its ``FetchReport``, then ingests.

An article page's text is read (trafilatura) in a worker thread within the parse budget, like
the spiders' parsing (:mod:`pipeline.parse.offloop`), and then stored on the loop; a page over
the budget is stored as an error naming it.

Its context comes from ONE place, the crawler: whoever starts a crawl sets a
:class:`CrawlBinding` on it as ``crawler.casewatch`` (:func:`bind`). A plain ``scrapy crawl``
has none, and the pipeline builds its dependencies from the ``CASEWATCH_*`` settings.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.errors import ParseOverBudget
from pipeline.fetch.plan import ARTICLE_SPIDER, load_spider
from pipeline.ingest.batch import Fetch, ingest_fetches
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.ingest.pages import has_text, ingest_page, read_text
from pipeline.ingest.runlog import RunLog
from pipeline.items import ArticlePage, ArticleTarget, FetchReport, RawArticle, RawHearing
from pipeline.parse.offloop import ParseWorkers, on_loop

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CrawlBinding:
    """What one crawl's item pipeline works with and reports to."""

    deps: IngestDeps
    log: RunLog = field(default_factory=RunLog)
    follow: bool = True
    """Add the article pages a batch wants to this crawl; off in the service, where they wait
    for a re-check."""
    abandoned: bool = False
    """Set when the crawl overran its timeout: reports it still yields are dropped."""
    started: dict[str, datetime] = field(default_factory=dict)
    """When each source's crawl started, if known (its run's ``started_at``; else the time
    its first item arrived)."""
    group: bool = False
    """Store the sources of this crawl several in one transaction (:class:`Pending`): a
    ``run --once`` crawl of many sources. Off for the service's one-source crawls, whose
    caller reads the result as soon as the crawl ends."""


@dataclass(slots=True)
class Pending:
    """Fetches waiting to be stored together (``ingest_fetches``): stored when the next one
    arrives if they hold :attr:`items` items or the oldest has waited :attr:`seconds`, else
    when the crawl has nothing left to fetch (Scrapy's ``spider_idle``) or closes. Waiting
    loses nothing: an uncommitted fetch has not advanced its source's validators (and no
    alert of it is queued), so after a crash it is fetched and stored again."""

    items: int = 500
    seconds: float = 5.0
    fetches: list[Fetch] = field(default_factory=list)
    since: float = 0.0
    size: int = 0
    """Items of the fetches waiting."""

    def add(self, fetch: Fetch) -> bool:
        """Queue ``fetch``; whether the group is now due."""
        now = time.monotonic()
        if not self.fetches:
            self.since = now
        self.fetches.append(fetch)
        self.size += fetch.size
        return self.size >= self.items or now - self.since >= self.seconds

    def take(self) -> list[Fetch]:
        fetches, self.fetches, self.size = self.fetches, [], 0
        return fetches


def bind(crawler: Any, binding: CrawlBinding) -> None:
    crawler.casewatch = binding


class IngestPipeline:
    """Scrapy item pipeline: one :func:`~pipeline.ingest.batch.safe_ingest` per FetchReport."""

    def __init__(self, binding: CrawlBinding, crawler: Any = None) -> None:
        self.binding = binding
        self.crawler = crawler
        self.buffers: dict[str, list[RawArticle]] = defaultdict(list)
        self.hearings: dict[str, list[RawHearing]] = defaultdict(list)
        self.started: dict[str, datetime] = dict(binding.started)
        self._article_spider: type[Any] | None = None
        self.workers = ParseWorkers.from_settings(getattr(crawler, "settings", None))
        """Article pages are read off the loop, each within the parse budget."""
        self.pending = Pending()

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        binding = getattr(crawler, "casewatch", None)
        if binding is None:  # a plain `scrapy crawl`: build the context from the config folder
            settings = crawler.settings
            deps = build_deps(
                settings.get("CASEWATCH_CONFIG"), settings.get("CASEWATCH_DATABASE_URL")
            )
            binding = CrawlBinding(deps)
        pipeline = cls(binding, crawler)
        if binding.group:
            from scrapy import signals

            crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def spider_idle(self) -> None:
        """Nothing left to fetch: store what waits (its article pages join the crawl)."""
        self._store(self.pending.take())

    def close_spider(self) -> None:
        """The last fetches, if the crawl closed without going idle (stopped): their article
        pages wait for a re-check."""
        self._store(self.pending.take(), follow=False)

    def process_item(self, item: Any) -> Any:
        deps = self.binding.deps
        if isinstance(item, RawArticle):
            self.started.setdefault(item.source_id, deps.clock())
            self.buffers[item.source_id].append(item)
        elif isinstance(item, RawHearing):
            self.started.setdefault(item.source_id, deps.clock())
            self.hearings[item.source_id].append(item)
        elif isinstance(item, FetchReport):
            self._flush(item)
        elif isinstance(item, ArticlePage):
            if has_text(item) and on_loop():
                return self._page_off_loop(item)
            self.binding.log.pages.append(ingest_page(deps, item))
        return item

    async def _page_off_loop(self, page: ArticlePage) -> ArticlePage:
        label = f"{page.target.source_id}: parsing {page.final_url}"
        try:
            extracted = await self.workers.run(lambda: read_text(page), label)
        except ParseOverBudget as exc:
            extracted = str(exc)
        self.binding.log.pages.append(ingest_page(self.binding.deps, page, extracted))
        return page

    def _flush(self, report: FetchReport) -> None:
        if self.binding.abandoned:
            log.info("%s: late result of an abandoned crawl dropped", report.source_id)
            return
        deps = self.binding.deps
        fetch = Fetch(
            report,
            self.buffers.pop(report.source_id, []),
            self.started.pop(report.source_id, deps.clock()),
            self.hearings.pop(report.source_id, []),
        )
        if not self.binding.group:
            self._store([fetch])
        elif self.pending.add(fetch):
            self._store(self.pending.take())

    def _store(self, fetches: Sequence[Fetch], *, follow: bool = True) -> None:
        if not fetches:
            return
        t0 = time.perf_counter()
        results = ingest_fetches(self.binding.deps, fetches)
        self.binding.log.results.extend(results)
        if follow:
            for result in results:
                self._follow(result.full_text)
        log.debug(
            "stored %d source(s), %d items in %.3fs",
            len(fetches), sum(f.size for f in fetches), time.perf_counter() - t0,
        )  # fmt: skip

    def _follow(self, targets: Sequence[ArticleTarget]) -> None:
        """Fetch these article pages in the crawl that found them; without a running crawl
        they wait for a re-check."""
        engine = getattr(self.crawler, "engine", None)
        if not targets or engine is None or not self.binding.follow:
            return
        evidence = self.binding.deps.config.settings.evidence
        if self._article_spider is None:
            self._article_spider = load_spider(self.crawler.settings, ARTICLE_SPIDER)
        for target in targets:
            engine.crawl(
                self._article_spider.request_for(
                    target,
                    max_body=evidence.max_body_bytes,
                    timeout=evidence.timeout.total_seconds(),
                )
            )
