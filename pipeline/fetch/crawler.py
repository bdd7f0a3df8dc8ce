"""Running crawls: one blocking crawl for ``run --once`` (:func:`crawl`), and one source's crawl
inside the running service (:class:`SourceCrawler`: Scrapy's ``AsyncCrawlerRunner`` on the
asyncio reactor, bounded by a per-crawl timeout).

A service crawl that overruns its timeout is recorded as a failed run of its source at once and
abandoned: the crawler is asked to stop in the background, and whatever it still yields later
is dropped (so the source's run is recorded once, and the next run starts afresh); a source
whose report was already stored keeps it (only its crawler's closing overran). Other sources'
crawls are separate tasks on the same loop, so a hung one stalls nobody: no parse runs on the
loop (spiders parse in worker threads within ``parse_budget``, ``pipeline.parse.offloop``).

Every crawler carries its :class:`~pipeline.fetch.pipeline.CrawlBinding` (``crawler.casewatch``):
the item pipeline's dependencies and the run log it appends to.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from pipeline.config.sources import Source
from pipeline.fetch.pipeline import CrawlBinding, bind
from pipeline.fetch.plan import (
    crawl_settings,
    orphan_report,
    plan_crawls,
    recheck_crawl,
    with_newest,
)
from pipeline.ingest.batch import safe_ingest
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.runlog import RunLog, SourceResult
from pipeline.items import ArticleTarget, FetchReport, FetchSpec
from pipeline.logs import quiet_libraries

log = logging.getLogger(__name__)


def crawl(
    deps: IngestDeps,
    run_log: RunLog,
    specs: Sequence[FetchSpec],
    overrides: dict[str, Any] | None = None,
    rechecks: Sequence[ArticleTarget] = (),
) -> None:
    """Fetch ``specs`` with the spiders that serve their kinds, and re-check the evidence of
    ``rechecks``, in this process; blocks until done. Results go to ``run_log``."""
    from scrapy.crawler import AsyncCrawlerProcess

    settings = crawl_settings(deps.config, overrides)
    plan, orphans = plan_crawls(settings, specs)
    sources = {s.id: s for s in deps.config.enabled_sources()}
    if plan or rechecks:
        import_http_handler()
    process = AsyncCrawlerProcess(settings)
    quiet_libraries()  # the process set Scrapy's loggers to DEBUG
    binding = CrawlBinding(deps, run_log, group=True)
    for spider_cls, mine in plan:
        if getattr(spider_cls, "rereads", False):
            mine = with_newest(deps, mine)
        _start(process, spider_cls, binding, specs=mine, sources=sources)
    for spec in orphans:
        run_log.results.append(safe_ingest(deps, orphan_report(spec), [], deps.clock()))
    if rechecks:
        spider_cls, arguments = recheck_crawl(settings, deps.config.settings.evidence, rechecks)
        _start(process, spider_cls, binding, **arguments)
    if process.crawlers:
        process.start(install_signal_handlers=False)


HTTP_HANDLER = "scrapy.core.downloader.handlers.http11"


class _CallerOnly:
    """What ``scrapy.utils.deprecate.create_deprecated_class`` asks of ``inspect`` to name the
    module defining a deprecated alias, without the full ``inspect.stack()``: that reads the
    source lines of every frame on the stack and maps every loaded module's file to find
    the caller's module (≈ 30 ms a call, three calls when the HTTP handler is imported)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)

    @staticmethod
    def stack() -> list[tuple[Any]]:
        here = sys._getframe(1)  # create_deprecated_class; [1] is the module defining the alias
        return [(here,), (here.f_back,)]

    @staticmethod
    def getmodule(frame: Any) -> Any:
        return sys.modules.get(frame.f_globals.get("__name__", "")) or inspect.getmodule(frame)


def import_http_handler() -> None:
    """Import Scrapy's HTTP download handler (which a crawl's engine imports when it starts)
    with the deprecated aliases of its TLS modules named cheaply (:class:`_CallerOnly`):
    the same ``__module__`` as Scrapy gives them, ≈ 0.09 s less of every run (issue 14)."""
    if HTTP_HANDLER in sys.modules:
        return
    import scrapy.utils.deprecate as deprecate

    if getattr(deprecate, "inspect", None) is not inspect:  # not the Scrapy this was made for
        importlib.import_module(HTTP_HANDLER)
        return
    deprecate.inspect = _CallerOnly()  # type: ignore[assignment]
    try:
        importlib.import_module(HTTP_HANDLER)
    finally:
        deprecate.inspect = inspect


def _start(process: Any, spider_cls: type[Any], binding: CrawlBinding, **arguments: Any) -> None:
    crawler = process.create_crawler(spider_cls)
    bind(crawler, binding)
    process.crawl(crawler, **arguments)


class SourceCrawler:
    """Runs single-source crawls on the already running asyncio reactor."""

    def __init__(
        self,
        deps: IngestDeps,
        sources: Mapping[str, Source],
        *,
        timeout: timedelta,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        from scrapy.crawler import AsyncCrawlerRunner

        import_http_handler()
        self.deps = deps
        self.sources = dict(sources)
        self.timeout = timeout.total_seconds()
        self.settings = crawl_settings(deps.config, overrides)
        self.runner = AsyncCrawlerRunner(self.settings)
        self.spiders: dict[str, type[Any]] = {}
        self.stopping: set[asyncio.Task[None]] = set()
        """Abandoned crawlers being stopped in the background."""

    async def crawl(self, spec: FetchSpec) -> SourceResult:
        """Fetch one source and store the result; returns its summary line."""
        from scrapy.crawler import Crawler

        deps = self.deps
        started = deps.clock()
        spider_cls = self._spider_for(spec)
        if spider_cls is None:
            return safe_ingest(deps, orphan_report(spec), [], started)
        if getattr(spider_cls, "rereads", False):
            spec = (await asyncio.to_thread(with_newest, deps, [spec]))[0]
        binding = CrawlBinding(deps, follow=False, started={spec.source_id: started})
        crawler = Crawler(spider_cls, self.settings)
        bind(crawler, binding)
        task = self.runner.crawl(crawler, specs=[spec], sources=self.sources)
        task.add_done_callback(_retrieve)
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            binding.abandoned = True
            self._stop_in_background(crawler, spec.source_id)
            if binding.log.results:  # the source was read and stored; only the closing overran
                return binding.log.results[-1]
            error = f"{spec.source_id}: crawl timed out after {self.timeout:g}s (abandoned)"
            return safe_ingest(deps, _failed(spec, error), [], started)
        problem = None if task.cancelled() else task.exception()
        if binding.log.results:
            return binding.log.results[-1]
        error = (
            f"{spec.source_id}: no report (spider failed{': ' + str(problem) if problem else ''})"
        )
        return safe_ingest(deps, _failed(spec, error), [], started)

    async def recheck(self, targets: Sequence[ArticleTarget]) -> int:
        """Fetch these matched articles' pages again (evidence re-checks), bounded by the
        crawl timeout; returns how many pages were read."""
        from scrapy.crawler import Crawler

        evidence = self.deps.config.settings.evidence
        spider_cls, arguments = recheck_crawl(self.settings, evidence, targets)
        binding = CrawlBinding(self.deps, follow=False)
        crawler = Crawler(spider_cls, self.settings)
        bind(crawler, binding)
        task = self.runner.crawl(crawler, **arguments)
        task.add_done_callback(_retrieve)
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            binding.abandoned = True
            self._stop_in_background(crawler, "evidence re-check")
            log.warning("evidence re-check timed out after %gs (abandoned)", self.timeout)
        return len(binding.log.pages)

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
