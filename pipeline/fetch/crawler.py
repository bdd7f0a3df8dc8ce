"""One source's crawl inside the running service: Scrapy's ``AsyncCrawlerRunner`` on the asyncio
reactor, bounded by a per-crawl timeout.

A crawl that overruns its timeout is recorded as a failed run of its source at once and
abandoned: the crawler is asked to stop in the background, and whatever it still yields later
is dropped (so the source's run is recorded once, and the next run starts afresh). Other
sources' crawls are separate tasks on the same loop, so a hung one stalls nobody.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from pipeline.config.sources import Source
from pipeline.ingest.batch import (
    IngestContext,
    IngestPipeline,
    SourceResult,
    crawl_settings,
    orphan_report,
    plan_crawls,
    recheck_crawl,
    safe_ingest,
)
from pipeline.items import ArticleTarget, FetchReport, FetchSpec

log = logging.getLogger(__name__)


@dataclasses.dataclass(slots=True)
class _Handle:
    """Shared by one crawl and its item pipeline: once abandoned, the pipeline drops output."""

    source_id: str
    abandoned: bool = False


class GuardedIngestPipeline(IngestPipeline):
    """The ingest pipeline of one service crawl; silent once the crawl was abandoned.

    Its context and handle ride on the crawler (``crawler.casewatch``), so every crawl shares
    one settings object instead of deep-copying a new one with a bound pipeline class.
    """

    handle: _Handle | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> GuardedIngestPipeline:
        ctx, handle = crawler.casewatch
        pipeline = cls(ctx)
        pipeline.handle = handle
        return pipeline

    def _flush(self, report: FetchReport) -> None:
        if self.handle is not None and self.handle.abandoned:
            log.info("%s: late result of an abandoned crawl dropped", report.source_id)
            return
        super()._flush(report)


class SourceCrawler:
    """Runs single-source crawls on the already running asyncio reactor."""

    def __init__(
        self,
        ctx: IngestContext,
        sources: Mapping[str, Source],
        *,
        timeout: timedelta,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        self.ctx = ctx
        self.sources = dict(sources)
        self.timeout = timeout.total_seconds()
        self.settings = crawl_settings(ctx, overrides)
        self.settings.set("ITEM_PIPELINES", {GuardedIngestPipeline: 300}, priority="cmdline")
        self.runner = AsyncCrawlerRunner(self.settings)
        self.spiders: dict[str, type[Any]] = {}
        self.stopping: set[asyncio.Task[None]] = set()
        """Abandoned crawlers being stopped in the background."""

    async def crawl(self, spec: FetchSpec) -> SourceResult:
        """Fetch one source and store the result; returns its summary line."""
        from scrapy.crawler import Crawler

        ctx = dataclasses.replace(self.ctx, results=[])
        started = ctx.clock()
        spider_cls = self._spider_for(spec)
        if spider_cls is None:
            return safe_ingest(ctx, orphan_report(spec), [], started)
        handle = _Handle(spec.source_id)
        crawler = Crawler(spider_cls, self.settings)
        crawler.casewatch = (ctx, handle)  # type: ignore[attr-defined]
        task = self.runner.crawl(crawler, specs=[spec], sources=self.sources)
        task.add_done_callback(_retrieve)
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            handle.abandoned = True
            self._stop_in_background(crawler, spec.source_id)
            error = f"{spec.source_id}: crawl timed out after {self.timeout:g}s (abandoned)"
            return safe_ingest(ctx, _failed(spec, error), [], started)
        problem = None if task.cancelled() else task.exception()
        if ctx.results:
            return ctx.results[-1]
        error = (
            f"{spec.source_id}: no report (spider failed{': ' + str(problem) if problem else ''})"
        )
        return safe_ingest(ctx, _failed(spec, error), [], started)

    async def recheck(self, targets: Sequence[ArticleTarget]) -> int:
        """Fetch these matched articles' pages again (evidence re-checks), bounded by the
        crawl timeout; returns how many pages were read."""
        from scrapy.crawler import Crawler

        ctx = dataclasses.replace(self.ctx, results=[], pages=[])
        spider_cls, arguments = recheck_crawl(ctx, targets)
        handle = _Handle("evidence re-check")
        crawler = Crawler(spider_cls, self.settings)
        crawler.casewatch = (ctx, handle)  # type: ignore[attr-defined]
        task = self.runner.crawl(crawler, **arguments)
        task.add_done_callback(_retrieve)
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            handle.abandoned = True
            self._stop_in_background(crawler, handle.source_id)
            log.warning("evidence re-check timed out after %gs (abandoned)", self.timeout)
        return len(ctx.pages)

    def abandon_all(self) -> None:
        """Stop every crawler still running (at shutdown), without waiting for them."""
        for crawler in list(self.runner.crawlers):
            self._stop_in_background(crawler, getattr(crawler.spider, "name", "?"))

    def _spider_for(self, spec: FetchSpec) -> type[Any] | None:
        if spec.kind not in self.spiders:
            plan, _ = plan_crawls(self.settings, [spec])
            if not plan:
                return None
            self.spiders[spec.kind] = plan[0][0]
        return self.spiders[spec.kind]

    def _stop_in_background(self, crawler: Any, label: str) -> None:
        if not getattr(crawler, "crawling", False):
            return
        task = asyncio.get_running_loop().create_task(crawler.stop_async())
        self.stopping.add(task)
        task.add_done_callback(self.stopping.discard)
        log.debug("%s: stopping an abandoned crawler", label)


def _retrieve(task: asyncio.Task[None]) -> None:
    """Mark a crawl's exception as seen (the crawl's outcome is recorded on its source)."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("crawl ended with %r", task.exception())


def _failed(spec: FetchSpec, error: str) -> FetchReport:
    return FetchReport(spec.source_id, spec.url, ok=False, error=error)
