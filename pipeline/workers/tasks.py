"""The Procrastinate app of one worker process and its tasks.

- ``casewatch.crawl(source_id)``: one fetch of one source, in the source's queue (``queue:``,
  else ``default``), with ``lock`` and ``queueing_lock`` ``crawl:<id>``: at most one crawl of
  a source runs and at most one waits, so missed runs coalesce into one.
- ``casewatch.tick`` (periodic, ``workers.tick``): queues a crawl of every source due by its
  ``every:`` that has none waiting or running.
- ``casewatch.recover`` (periodic, ``workers.tick``): the jobs of workers silent for
  ``workers.stalled_after`` (killed, cut off) go back to their queue for another worker.
- ``casewatch.deliver`` / ``reminders`` / ``rechecks`` (periodic, the ``service.*_every``
  intervals): as in ``casewatch run``. One delivery job runs at a time in the whole cluster,
  so a channel's hourly limit and its digests stay exact; each delivery is still claimed in
  the outbox before it is sent, so a job cut off mid-send leaves at most that one message to
  send again.

Every worker defers the periodic jobs; Procrastinate keeps one job per period. The app is
built per process (the intervals and queues come from the config), never at import.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from pipeline.config.settings import Settings
from pipeline.store.cluster import CRAWL_TASK, crawl_lock
from pipeline.workers.runtime import DEFAULT_QUEUE, WorkerRuntime

log = logging.getLogger(__name__)

CRON_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
"""Steps that divide a minute (or an hour) evenly: cron's ``*/N`` restarts every period."""


def cron_every(every: timedelta) -> str:
    """A cron line (seconds as a 6th field under a minute) firing about every ``every``: the
    largest step that divides the minute / hour / day and is no longer than asked."""
    seconds = max(1, int(every.total_seconds()))
    if seconds < 60:
        return f"* * * * * */{_step(seconds, CRON_STEPS)}"
    minutes = seconds // 60
    if minutes < 60:
        return f"*/{_step(minutes, CRON_STEPS)} * * * *"
    hours = minutes // 60
    if hours < 24:
        return f"0 */{_step(hours, (1, 2, 3, 4, 6, 8, 12))} * * *"
    return "0 0 * * *"


def _step(value: int, steps: tuple[int, ...]) -> int:
    return max(s for s in steps if s <= value)


def build_app(runtime: WorkerRuntime, connector: Any) -> Any:
    """A Procrastinate ``App`` on ``connector`` whose tasks run ``runtime``'s work."""
    from procrastinate import App

    app = App(connector=connector)
    settings = runtime.settings
    crawl = _crawl_task(app, runtime)
    _periodic_tasks(app, runtime, settings, crawl)
    return app


def _crawl_task(app: Any, runtime: WorkerRuntime) -> Any:
    @app.task(name=CRAWL_TASK, queue=DEFAULT_QUEUE)
    async def crawl(source_id: str) -> str:
        result = await runtime.crawl(source_id)
        return result.status if result else "skipped"

    return crawl


def defer_crawl(crawl: Any, source_id: str, queue: str) -> Any:
    """The crawl job of ``source_id`` in ``queue``, one running and one waiting at most."""
    lock = crawl_lock(source_id)
    return crawl.configure(queue=queue, lock=lock, queueing_lock=lock).defer_async(
        source_id=source_id
    )


def _periodic_tasks(app: Any, runtime: WorkerRuntime, settings: Settings, crawl: Any) -> None:
    from procrastinate import exceptions

    workers, service = settings.workers, settings.service

    def periodic(name: str, every: timedelta) -> Any:
        """Deferred by every worker, once per period; one running and one waiting at most."""
        lock = f"casewatch:{name}"
        task = app.task(name=f"casewatch.{name}", queue=DEFAULT_QUEUE, queueing_lock=lock,
                        lock=lock)  # fmt: skip
        return lambda func: app.periodic(cron=cron_every(every))(task(func))

    @periodic("tick", workers.tick)
    async def tick(timestamp: int) -> int:
        due = await runtime.in_thread(runtime.due_crawls)
        queued = 0
        for source_id, queue in due:
            try:
                await defer_crawl(crawl, source_id, queue)
                queued += 1
            except exceptions.AlreadyEnqueued:  # another tick was first: one waits already
                continue
        if queued:
            log.info("tick: %d crawl(s) queued", queued)
        return queued

    @periodic("recover", workers.tick)
    async def recover(timestamp: int) -> int:
        return await recover_stalled(app, workers.silent_for)

    @periodic("deliver", service.deliver_every)
    async def deliver(timestamp: int) -> None:
        await runtime.deliver()

    @periodic("reminders", service.reminders_every)
    async def reminders(timestamp: int) -> int:
        return await runtime.reminders()

    @periodic("rechecks", service.rechecks_every)
    async def rechecks(timestamp: int) -> int:
        return await runtime.rechecks()


async def recover_stalled(app: Any, stalled_after: timedelta) -> int:
    """Put the running jobs of workers silent for ``stalled_after`` back in their queue; a
    crawl whose source already has one waiting is closed as failed instead (the waiting one
    does it). Returns how many went back."""
    from procrastinate import exceptions, jobs

    manager = app.job_manager
    seconds = stalled_after.total_seconds()
    retried = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        try:
            await manager.retry_job(job)
            retried += 1
            log.warning("job %s of a silent worker goes back to queue %s", job.call_string,
                        job.queue)  # fmt: skip
        except exceptions.UniqueViolation:
            await manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
            log.warning("job %s of a silent worker closed: the same job waits already",
                        job.call_string)  # fmt: skip
    return retried
