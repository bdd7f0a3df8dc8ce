"""What a worker's jobs do, with this process's dependencies: the same calls as the single
process (``pipeline.service``), minus the scheduling, which Procrastinate does.

Blocking work (delivery: the network and the database; reminders; the due-source query) runs
in a small thread pool, so the crawls on the loop go on meanwhile; crawls run on the loop
through Scrapy's asyncio reactor, each bounded by ``service.crawl_timeout``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from pipeline.fetch.crawler import SourceCrawler
from pipeline.fetch.plan import due_rechecks, fetch_spec, is_due
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.runlog import SourceResult
from pipeline.logs import extra
from pipeline.notify.deliver import Notifier
from pipeline.service.once import deliver_due, enqueue_reminders
from pipeline.store.cluster import active_crawls
from pipeline.store.engine import run_hold
from pipeline.store.models import SourceRow
from pipeline.store.sources import source_states

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
"""The queue of the jobs that are not a pinned source's crawl, and of a worker without
``--queue``."""

T = TypeVar("T")


def queue_of(queue: str | None) -> str:
    return queue or DEFAULT_QUEUE


class WorkerRuntime:
    """One worker process's dependencies and the work behind each job."""

    def __init__(
        self,
        deps: IngestDeps,
        *,
        notifier: Notifier | None = None,
        scrapy_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.deps = deps
        self.settings = deps.config.settings
        self.sources = {s.id: s for s in deps.config.enabled_sources()}
        self.notifier = notifier
        self.scrapy_overrides = scrapy_overrides or {}
        self.halt = threading.Event()
        """Set on a stop request: a delivery job stops between batches."""
        self.crawler: SourceCrawler | None = None
        self.run_seen_since: datetime | None = None
        """When this worker's tick first saw the current ``run --once`` holding the database
        (its age, where the server hides it from this worker's role)."""
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="casewatch-job")

    def start(self) -> None:
        """Make the crawler (on the running reactor)."""
        self.crawler = SourceCrawler(
            self.deps, self.sources, timeout=self.settings.service.crawl_timeout,
            overrides=self.scrapy_overrides,
        )  # fmt: skip

    def warm_up(self) -> None:
        """Load what the first crawl would load on the loop (language model, morphology,
        spiders), before the worker takes jobs: a loop blocked for seconds misses its
        heartbeats, and a worker silent too long looks dead to the others."""
        from datetime import UTC, datetime

        from pipeline.fetch.plan import crawl_settings, plan_crawls
        from pipeline.items import FetchSpec, RawArticle
        from pipeline.match.keys import index_keys
        from pipeline.normalize.article import normalize_article

        sample = "Суд в Талдыкоргане: заседание по делу о пытках, статья 146"
        raw = RawArticle(source_id="warm-up", url="https://example.org/warm-up", title=sample,
                         summary=sample)  # fmt: skip
        article = normalize_article(raw, fetched_at=datetime.now(UTC))
        if article is not None:
            self.deps.matcher.match({"title": article.title, "summary": article.summary,
                                     "text": article.text})  # fmt: skip
        index_keys(sample)
        kinds = {s.kind for s in self.sources.values()}
        specs = [FetchSpec(source_id=k, url="https://example.org/", kind=k) for k in kinds]
        plan_crawls(crawl_settings(self.deps.config, self.scrapy_overrides), specs)

    def abandon_crawls(self) -> None:
        """Stop the crawlers still running (on the loop, at the end)."""
        self.halt.set()
        if self.crawler is not None:
            self.crawler.abandon_all()

    def close(self) -> None:
        self.halt.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def in_thread(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)

    # ------------------------------------------------------------ jobs

    async def crawl(self, source_id: str) -> SourceResult | None:
        """One fetch of one source, stored like any other (``SourceCrawler.crawl``)."""
        source = self.sources.get(source_id)
        if source is None or self.crawler is None:
            log.warning("%s: not an enabled source in this worker's config; crawl skipped",
                        source_id, extra=extra(source=source_id))  # fmt: skip
            return None
        with self.deps.sessions() as session:
            spec = fetch_spec(source, session.get(SourceRow, source_id))
        result = await self.crawler.crawl(spec)
        log_result(result)
        return result

    def due_crawls(self) -> list[tuple[str, str]]:
        """(source, queue) of the enabled sources due by their ``every:`` (backed off while
        failing: the rule ``run --once`` and the service use) that have no crawl job waiting
        or running — none while a ``run --once`` works on the database (it fetches them),
        unless it has worked longer than ``service.crawl_timeout`` (it may be hung: one stuck
        cron run must not stop the cluster's crawls)."""
        now, settings = self.deps.clock(), self.settings
        with self.deps.sessions() as session:
            hold = run_hold(session)
            if hold is None:
                self.run_seen_since = None
            else:
                self.run_seen_since = self.run_seen_since or now
                age = hold.age if hold.age is not None else now - self.run_seen_since
                if age < settings.service.crawl_timeout:
                    log.info("a casewatch run --once is fetching on this database: no crawl queued")
                    return []
                log.warning(
                    "a casewatch run --once has been working on this database for %s, longer "
                    "than service.crawl_timeout (%s): crawling beside it",
                    str(age).split(".")[0], settings.service.crawl_timeout,
                )  # fmt: skip
            # The jobs first, then the sources' runs: a crawl commits its run before its job
            # ends, so a job seen ended has its run in the states read after it. The other
            # order let a crawl finishing between the two reads look due and idle, and its
            # source was crawled twice in one cycle.
            busy = active_crawls(session)
            states = source_states(session)
        return [
            (s.id, queue_of(s.queue))
            for s in self.sources.values()
            if s.id not in busy
            and is_due(
                s, states.get(s.id), now, settings.default_every, settings.failing_backoff_max
            )
        ]

    async def deliver(self) -> None:
        await self.in_thread(self._deliver_batches)

    def _deliver_batches(self) -> None:
        deliver_due(self.deps, self.notifier, self.halt, batch=self.settings.service.delivery_batch)

    async def reminders(self) -> int:
        queued = await self.in_thread(enqueue_reminders, self.deps)
        if queued:
            log.info("reminders: %d hearing reminder(s) queued", queued)
        return queued

    async def rechecks(self) -> int:
        """Matched articles' pages fetched again when due (``article.changed``/``.removed``)."""
        targets = await self.in_thread(due_rechecks, self.deps)
        if not targets or self.crawler is None:
            return 0
        read = await self.crawler.recheck(targets)
        log.info("evidence: %d of %d due article page(s) re-checked", read, len(targets))
        return read


def log_result(result: SourceResult) -> None:
    fields = extra(source=result.source_id, status=result.status, seen=result.seen,
                   new=result.new, changed=result.changed, alerts=result.events)  # fmt: skip
    if result.status == "error":
        log.warning("%s", result.error, extra=fields)
    else:
        log.info("%s: %s, %d seen, %d new", result.source_id, result.status, result.seen,
                 result.new, extra=fields)  # fmt: skip
