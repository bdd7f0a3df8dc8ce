"""``casewatch run``: the long-running service.

One process, one asyncio loop: Scrapy's asyncio reactor runs it, APScheduler's
``AsyncIOScheduler`` schedules on it and Scrapy's ``AsyncCrawlerRunner`` crawls on it.

- Each source is a job on its own interval (``every``) with jitter, ``max_instances=1`` and
  ``coalesce``; its first run after a start comes from the database (its last run, backed off
  while failing), so a restart refetches only what is due, spread over a short window.
- Each crawl is bounded by ``service.crawl_timeout``; a hung source is recorded as failed and
  abandoned while the others go on (:mod:`pipeline.fetch.crawler`).
- Delivery (which also sends digests and alerts held by quiet hours once they are due) and
  hearing reminders are jobs too; they touch the network or the database only, so they run in
  worker threads and never block the crawls. Evidence re-checks of matched articles are a
  crawl job of their own, bounded like a source's crawl.
- SIGTERM / SIGINT: no new step starts, running steps get ``service.shutdown_grace`` to finish,
  then the process exits with status 0. A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.clock import utc_now
from pipeline.config.settings import Settings
from pipeline.config.sources import Source
from pipeline.fetch.crawler import SourceCrawler
from pipeline.fetch.plan import due_at, due_rechecks, fetch_spec
from pipeline.fetch.schedule import first_run_at, jitter_seconds
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.runlog import SourceResult
from pipeline.logs import extra
from pipeline.notify.deliver import Notifier
from pipeline.service.once import deliver_due, enqueue_reminders
from pipeline.store.models import SourceRow
from pipeline.store.sources import source_states

log = logging.getLogger(__name__)

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def run_reactor(main: Callable[[], Any], on_signal: Callable[[int], None]) -> None:
    """Install Scrapy's asyncio reactor (once), run the coroutine ``main()`` on it, SIGTERM and
    SIGINT to ``on_signal``; returns when ``main`` has stopped the reactor. The service and
    ``casewatch worker`` run this way."""
    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    if not is_reactor_installed():
        install_reactor(REACTOR)
    from twisted.internet import reactor

    loop = asyncio.get_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    reactor.callWhenRunning(lambda: loop.create_task(main()))
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]


"""Delivery batches per job run; the rest waits for the next run (a retry with no backoff
must not keep one run going)."""


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """How the service schedules one source."""

    source_id: str
    every: timedelta
    jitter: float
    """Seconds a run may start late (APScheduler adds uniform(0, jitter))."""
    first_run: datetime


def plan_sources(
    sources: Iterable[Source],
    states: Mapping[str, SourceRow],
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> list[SourcePlan]:
    """Interval, jitter and first run of each source, from what the database remembers."""
    plans = []
    service = settings.service
    for source in sources:
        every = source.every or settings.default_every
        due = due_at(source, states.get(source.id), settings.default_every,
                     settings.failing_backoff_max)  # fmt: skip
        plans.append(
            SourcePlan(
                source_id=source.id,
                every=every,
                jitter=jitter_seconds(every, service.jitter, service.max_jitter),
                first_run=first_run_at(due, now, every, service.startup_spread, rng),
            )
        )
    return plans


class Service:
    """Build with the run's context; :meth:`run` blocks until a signal stops it."""

    def __init__(
        self,
        deps: IngestDeps,
        *,
        notifier: Notifier | None = None,
        scrapy_overrides: dict[str, Any] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.deps = deps
        self.settings = deps.config.settings
        self.sources = {s.id: s for s in deps.config.enabled_sources()}
        self.notifier = notifier
        self.scrapy_overrides = scrapy_overrides or {}
        self.rng = rng or random.Random()
        self.exit_code = 0
        self.active: set[asyncio.Task[Any]] = set()
        self.halt = threading.Event()
        """Set on a stop request; worker threads check it between batches."""
        self._stop: asyncio.Event | None = None
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="casewatch-job")
        self._scheduler: Any = None
        self._crawler: Any = None

    # ------------------------------------------------------------ process

    def run(self) -> int:
        """Install the asyncio reactor, run until stopped; returns the exit status."""
        run_reactor(self._main, self.request_stop)
        self._pool.shutdown(wait=True, cancel_futures=True)
        log.info("service stopped", extra=extra(exit_code=self.exit_code))
        return self.exit_code

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """First signal: stop gracefully. Second: stop now (exit status 1)."""
        if self.halt.is_set():
            log.warning("second %s: stopping now", signal.Signals(signum).name)
            self.exit_code = 1
            _stop_reactor()
            return
        log.info("%s received: finishing the current steps", signal.Signals(signum).name)
        self.halt.set()
        if self._stop is not None:
            self._stop.set()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        if self.halt.is_set():
            self._stop.set()
        try:
            self._start()
            await self._stop.wait()
            await self._shutdown()
        except Exception:
            log.exception("the service failed")
            self.exit_code = 1
        finally:
            _stop_reactor()

    def _start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        service = self.settings.service
        self._crawler = SourceCrawler(
            self.deps, self.sources, timeout=service.crawl_timeout, overrides=self.scrapy_overrides
        )
        self._scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        self._add_source_jobs()
        now = utc_now()
        self._every(self._deliver_job, "deliver", service.deliver_every, now)
        self._every(self._reminders_job, "reminders", service.reminders_every, now)
        self._every(self._rechecks_job, "rechecks", service.rechecks_every, now)
        self._scheduler.start()
        log.info("service started", extra=extra(sources=len(self.sources)))

    def _add_source_jobs(self) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        with self.deps.sessions() as session:
            states = source_states(session)
        now = utc_now()
        for plan in plan_sources(self.sources.values(), states, self.settings, now, self.rng):
            trigger = IntervalTrigger(
                seconds=plan.every.total_seconds(),
                start_date=plan.first_run,
                jitter=plan.jitter or None,
                timezone=UTC,
            )
            self._scheduler.add_job(
                self._crawl_job, trigger, args=[plan.source_id], next_run_time=plan.first_run,
                id=f"source:{plan.source_id}", name=f"crawl {plan.source_id}",
            )  # fmt: skip  # the first run exactly as planned, jitter from the second on
            log.info(
                "%s: every %s, first run %s", plan.source_id, plan.every,
                plan.first_run.isoformat(timespec="seconds"),
                extra=extra(source=plan.source_id),
            )  # fmt: skip

    def _every(self, func: Callable[[], Any], job_id: str, every: timedelta, now: datetime) -> None:
        self._scheduler.add_job(
            func, "interval", seconds=every.total_seconds(), id=job_id, name=job_id,
            next_run_time=now,
        )  # fmt: skip

    async def _shutdown(self) -> None:
        """No new job starts; running ones get the grace period; the rest are abandoned."""
        self._scheduler.pause()
        grace = self.settings.service.shutdown_grace.total_seconds()
        running = set(self.active)
        if running:
            log.info("waiting up to %gs for %d running step(s)", grace, len(running))
            _, late = await asyncio.wait(running, timeout=grace)
            if late:
                names = sorted(t.get_name() for t in late)
                log.warning("abandoning unfinished step(s): %s", ", ".join(names))
        self._crawler.abandon_all()
        self._scheduler.shutdown(wait=False)  # cancels what is still running

    # ------------------------------------------------------------ jobs

    @asynccontextmanager
    async def _step(self, name: str) -> AsyncIterator[bool]:
        """Tracks a running job for the shutdown; yields False once a stop was requested."""
        task = asyncio.current_task()
        if task is None or self.halt.is_set():
            yield False
            return
        task.set_name(name)
        self.active.add(task)
        try:
            yield True
        except asyncio.CancelledError:
            log.info("%s: abandoned at shutdown", name)
        finally:
            self.active.discard(task)

    async def _crawl_job(self, source_id: str) -> None:
        async with self._step(f"crawl {source_id}") as go:
            if not go:
                return
            source = self.sources[source_id]
            with self.deps.sessions() as session:
                spec = fetch_spec(source, session.get(SourceRow, source_id))
            result = await self._crawler.crawl(spec)
            _log_result(result)
            self._back_off(source)

    def _back_off(self, source: Source) -> None:
        """A failing source's next run moves later (its interval doubled per failure, capped)."""
        with self.deps.sessions() as session:
            state = session.get(SourceRow, source.id)
        if state is None or (state.consecutive_failures or 0) < 2:
            return
        due = due_at(source, state, self.settings.default_every, self.settings.failing_backoff_max)
        job = self._scheduler.get_job(f"source:{source.id}")
        if due is None or job is None or job.next_run_time is None or due <= job.next_run_time:
            return
        job.modify(next_run_time=due)
        log.info(
            "%s: failing (%d in a row); next run %s", source.id, state.consecutive_failures,
            due.isoformat(timespec="seconds"), extra=extra(source=source.id),
        )  # fmt: skip

    async def _deliver_job(self) -> None:
        async with self._step("deliver") as go:
            if go:
                await self._in_thread(self._deliver_batches)

    def _deliver_batches(self) -> None:
        deliver_due(self.deps, self.notifier, self.halt, batch=self.settings.service.delivery_batch)

    async def _reminders_job(self) -> None:
        async with self._step("reminders") as go:
            if go:
                queued = await self._in_thread(enqueue_reminders, self.deps)
                if queued:
                    log.info("reminders: %d hearing reminder(s) queued", queued)

    async def _rechecks_job(self) -> None:
        """Fetch matched articles' pages again when due: ``article.changed`` / ``.removed``."""
        async with self._step("rechecks") as go:
            if not go:
                return
            targets = await self._in_thread(due_rechecks, self.deps)
            if targets:
                read = await self._crawler.recheck(targets)
                log.info("evidence: %d of %d due article page(s) re-checked", read, len(targets))

    async def _in_thread(self, func: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)
        except Exception:
            log.exception("%s failed; it runs again at its next interval", func.__name__)
            return None


def _log_result(result: SourceResult) -> None:
    fields = extra(source=result.source_id, status=result.status, seen=result.seen,
                   new=result.new, changed=result.changed, alerts=result.events)  # fmt: skip
    if result.status == "error":
        log.warning("%s", result.error, extra=fields)
    else:
        log.info(
            "%s: %s, %d seen, %d new", result.source_id, result.status, result.seen, result.new,
            extra=fields,
        )  # fmt: skip


def _stop_reactor() -> None:
    from twisted.internet import reactor

    with contextlib.suppress(RuntimeError):  # already stopping: the first stop wins
        reactor.stop()  # type: ignore[attr-defined]
