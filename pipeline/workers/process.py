"""One ``casewatch worker`` process: Scrapy's asyncio reactor runs the loop, Procrastinate's
worker takes jobs on it (up to ``concurrency`` at once) from the queues it was started with.

- Start-up: the workers' tables are made if missing (:mod:`pipeline.workers.schema`), the
  process registers in ``casewatch_worker`` and keeps its row fresh every
  ``workers.heartbeat`` (``casewatch status`` lists it with its queues).
- Procrastinate's own heartbeat marks the worker alive; when a worker is killed, the
  ``recover`` job of another puts its running jobs back in their queue once it has been
  silent for ``workers.stalled_after``.
- SIGTERM / SIGINT: no new job is taken, running jobs get ``service.shutdown_grace`` to
  finish, then they are abandoned (a crawl is queued again by the next tick; a delivery's
  claim lapses after its lease) and the process exits with status 0. A second signal exits
  at once (status 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Sequence
from typing import Any

from pipeline.ingest.deps import IngestDeps
from pipeline.logs import extra
from pipeline.notify.deliver import Notifier
from pipeline.service.process import run_reactor
from pipeline.store import cluster
from pipeline.workers.runtime import WorkerRuntime
from pipeline.workers.schema import conninfo, ensure_schema
from pipeline.workers.tasks import build_app

log = logging.getLogger(__name__)


class WorkerProcess:
    """Build with the run's context and options; :meth:`run` blocks until a signal."""

    def __init__(
        self,
        deps: IngestDeps,
        *,
        queues: Sequence[str],
        concurrency: int,
        notifier: Notifier | None = None,
        scrapy_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.deps = deps
        self.queues = tuple(dict.fromkeys(queues))
        self.concurrency = concurrency
        self.runtime = WorkerRuntime(deps, notifier=notifier, scrapy_overrides=scrapy_overrides)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.exit_code = 0
        self._worker: Any = None
        self._stopping = False
        self._registry_id: int | None = None

    @property
    def engine(self) -> Any:
        return self.deps.sessions.kw["bind"]

    def run(self) -> int:
        """Install the asyncio reactor, run the worker until stopped; the exit status."""
        ensure_schema(self.engine)
        run_reactor(self._main, self.request_stop)
        self.runtime.close()
        log.info("worker stopped", extra=extra(exit_code=self.exit_code))
        return self.exit_code

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """First signal: finish the running jobs (within the grace). Second: stop now."""
        name = signal.Signals(signum).name
        if self._stopping:
            log.warning("second %s: stopping now", name)
            self.exit_code = 1
            _stop_reactor()
            return
        log.info("%s received: finishing the running jobs", name)
        self._stopping = True
        self.runtime.halt.set()
        if self._worker is not None:
            self._worker.stop()

    async def _main(self) -> None:
        try:
            await self._work()
        except Exception:
            log.exception("the worker failed")
            self.exit_code = 1
        finally:
            self.runtime.abandon_crawls()
            self._unregister()
            _stop_reactor()

    async def _work(self) -> None:
        from procrastinate import PsycopgConnector
        from procrastinate.worker import Worker

        self.runtime.start()
        connector = PsycopgConnector(
            conninfo=conninfo(self.engine.url.render_as_string(hide_password=False)),
            min_size=1, max_size=self.concurrency + 4,
        )  # fmt: skip
        app = build_app(self.runtime, connector)
        await self.runtime.in_thread(self.runtime.warm_up)
        async with app.open_async():
            self._register()
            beat = asyncio.get_running_loop().create_task(self._heartbeat())
            log.info("worker %s started on queue(s) %s with concurrency %d", self.name,
                     ", ".join(self.queues), self.concurrency,
                     extra=extra(queues=list(self.queues)))  # fmt: skip
            try:
                await self._take_jobs(app, Worker)
            finally:
                beat.cancel()

    async def _take_jobs(self, app: Any, worker_class: Any) -> None:
        """Run Procrastinate's worker until a stop request; when its database connection
        fails (the server restarted, a network cut), start it again after a pause."""
        from procrastinate.exceptions import ConnectorException

        settings = self.deps.config.settings
        workers, pause = settings.workers, 1.0
        while not self._stopping:
            self._worker = worker_class(
                app, queues=list(self.queues), name=self.name, concurrency=self.concurrency,
                install_signal_handlers=False,
                update_heartbeat_interval=workers.heartbeat.total_seconds(),
                stalled_worker_timeout=workers.silent_for.total_seconds(),
                fetch_job_polling_interval=workers.poll.total_seconds(),
                abort_job_polling_interval=workers.poll.total_seconds(),
                shutdown_graceful_timeout=settings.service.shutdown_grace.total_seconds(),
                delete_jobs="successful",
            )  # fmt: skip
            try:
                await self._worker.run()
                if self._stopping:
                    return
                log.error("the worker stopped by itself: taking jobs again in %gs", pause)
            except ConnectorException as exc:
                log.error("the job queue's database failed (%s): taking jobs again in %gs",
                          exc.__cause__ or exc, pause)  # fmt: skip
            await asyncio.sleep(pause)
            pause = min(pause * 2, 30.0)

    # ------------------------------------------------------------ the registry

    def _register(self) -> None:
        with self.deps.sessions.begin() as session:
            self._registry_id = cluster.register(
                session, name=self.name, host=socket.gethostname(), pid=os.getpid(),
                queues=self.queues, concurrency=self.concurrency, now=self.deps.clock(),
            )  # fmt: skip

    async def _heartbeat(self) -> None:
        every = self.deps.config.settings.workers.heartbeat.total_seconds()
        while True:
            try:
                await self.runtime.in_thread(self._beat)
            except Exception:
                log.exception("could not record this worker's heartbeat")
            await asyncio.sleep(every)

    def _beat(self) -> None:
        if self._registry_id is None:
            return
        job_worker_id = getattr(self._worker, "worker_id", None)
        with self.deps.sessions.begin() as session:
            cluster.heartbeat(session, self._registry_id, self.deps.clock(), job_worker_id)

    def _unregister(self) -> None:
        if self._registry_id is None:
            return
        try:
            with self.deps.sessions.begin() as session:
                cluster.stopped(session, self._registry_id, self.deps.clock())
        except Exception:
            log.exception("could not record this worker's stop")


def _stop_reactor() -> None:
    from twisted.internet import reactor

    with contextlib.suppress(RuntimeError):  # already stopping: the first stop wins
        reactor.stop()  # type: ignore[attr-defined]
