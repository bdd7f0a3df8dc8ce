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
from pipeline.ingest.batch import safe_ingest
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

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        binding = getattr(crawler, "casewatch", None)
        if binding is None:  # a plain `scrapy crawl`: build the context from the config folder
            settings = crawler.settings
            deps = build_deps(
                settings.get("CASEWATCH_CONFIG"), settings.get("CASEWATCH_DATABASE_URL")
            )
            binding = CrawlBinding(deps)
        return cls(binding, crawler)

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
        raws = self.buffers.pop(report.source_id, [])
        hearings = self.hearings.pop(report.source_id, [])
        started = self.started.pop(report.source_id, deps.clock())
        t0 = time.perf_counter()
        result = safe_ingest(deps, report, raws, started, hearings)
        self.binding.log.results.append(result)
        self._follow(result.full_text)
        log.debug(
            "%s: ingested %d items in %.3fs", report.source_id, len(raws), time.perf_counter() - t0
        )

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
