"""What the workers leave in PostgreSQL, read and written with plain SQL: the worker registry
(``casewatch_worker``) and Procrastinate's job table, for ``casewatch status`` and the tick.

Procrastinate owns ``procrastinate_*`` (its schema is applied by ``casewatch worker``,
:mod:`pipeline.workers.schema`); this module only reads it, so the store never imports
Procrastinate. ``casewatch_worker`` exists only on a database that workers have used: every
reader here answers "nothing" on SQLite or before the first worker started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

REGISTRY = "casewatch_worker"
REGISTRY_DDL = (
    f"CREATE TABLE IF NOT EXISTS {REGISTRY} ("
    " id bigserial PRIMARY KEY,"
    " name text NOT NULL,"
    " host text NOT NULL,"
    " pid integer NOT NULL,"
    " queues text NOT NULL,"
    " concurrency integer NOT NULL,"
    " job_worker_id bigint,"
    " started_at timestamptz NOT NULL,"
    " last_seen_at timestamptz NOT NULL,"
    " stopped_at timestamptz)"
)
"""One row per worker process started: who, where, which queues, when last seen."""

SHOWN_FOR = timedelta(days=1)
"""``status`` lists the workers seen this recently."""
KEPT_FOR = timedelta(days=7)
"""A worker's row is deleted when another worker starts this long after it was last seen."""

CRAWL_TASK = "casewatch.crawl"
CRAWL_LOCK = "crawl:"


def crawl_lock(source_id: str) -> str:
    """The lock and queueing lock of a source's crawl jobs: one running, one waiting."""
    return f"{CRAWL_LOCK}{source_id}"


@dataclass(frozen=True, slots=True)
class WorkerSeen:
    name: str
    host: str
    pid: int
    queues: tuple[str, ...]
    concurrency: int
    started_at: datetime
    last_seen_at: datetime
    state: str
    """running | stopped | lost (no heartbeat for ``stalled_after``: killed or cut off)."""
    running_jobs: int
    job_worker_id: int | None = None
    """Procrastinate's id of this worker (``procrastinate_jobs.worker_id``)."""


@dataclass(frozen=True, slots=True)
class QueueDepth:
    queue: str
    waiting: int
    """Jobs due to run now that no worker has taken yet."""
    running: int
    scheduled: int
    """Jobs waiting for a later time (a retry's backoff)."""
    oldest_waiting_at: datetime | None
    """When the oldest of the waiting jobs was queued."""


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _exists(session: Session, table: str) -> bool:
    if not is_postgres(session):
        return False
    return session.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is not None


def register(
    session: Session, *, name: str, host: str, pid: int, queues: Sequence[str],
    concurrency: int, now: datetime,
) -> int:  # fmt: skip
    """A new worker process's row; returns its id. Rows not seen for ``KEPT_FOR`` go."""
    session.execute(text(f"DELETE FROM {REGISTRY} WHERE last_seen_at < :old"),
                    {"old": now - KEPT_FOR})  # fmt: skip
    row = session.execute(
        text(
            f"INSERT INTO {REGISTRY} (name, host, pid, queues, concurrency, started_at,"
            " last_seen_at) VALUES (:name, :host, :pid, :queues, :concurrency, :now, :now)"
            " RETURNING id"
        ),
        {"name": name, "host": host, "pid": pid, "queues": ",".join(queues),
         "concurrency": concurrency, "now": now},
    )  # fmt: skip
    return int(row.scalar_one())


def heartbeat(
    session: Session, registry_id: int, now: datetime, job_worker_id: int | None = None
) -> None:
    session.execute(
        text(
            f"UPDATE {REGISTRY} SET last_seen_at = :now,"
            " job_worker_id = COALESCE(:job_worker_id, job_worker_id) WHERE id = :id"
        ),
        {"now": now, "id": registry_id, "job_worker_id": job_worker_id},
    )


def stopped(session: Session, registry_id: int, now: datetime) -> None:
    session.execute(
        text(f"UPDATE {REGISTRY} SET stopped_at = :now, last_seen_at = :now WHERE id = :id"),
        {"now": now, "id": registry_id},
    )


def workers_seen(session: Session, now: datetime, stalled_after: timedelta) -> list[WorkerSeen]:
    """Workers seen in the last day, newest first, with the jobs each is running."""
    if not _exists(session, REGISTRY):
        return []
    jobs = _exists(session, "procrastinate_jobs")
    running = (
        "(SELECT count(*) FROM procrastinate_jobs j WHERE j.status = 'doing'"
        " AND j.worker_id = w.job_worker_id)"
        if jobs
        else "0"
    )
    rows = session.execute(
        text(
            f"SELECT w.name, w.host, w.pid, w.queues, w.concurrency, w.started_at,"
            f" w.last_seen_at, w.stopped_at, w.job_worker_id, {running} AS running"
            f" FROM {REGISTRY} w WHERE w.last_seen_at >= :since"
            " ORDER BY w.stopped_at IS NOT NULL, w.started_at DESC"
        ),
        {"since": now - SHOWN_FOR},
    )
    return [
        WorkerSeen(
            name=r.name,
            host=r.host,
            pid=r.pid,
            queues=tuple(q for q in r.queues.split(",") if q),
            concurrency=r.concurrency,
            started_at=_utc(r.started_at),
            last_seen_at=_utc(r.last_seen_at),
            state="stopped"
            if r.stopped_at
            else "lost"
            if now - _utc(r.last_seen_at) > stalled_after
            else "running",
            running_jobs=int(r.running),
            job_worker_id=r.job_worker_id,
        )
        for r in rows
    ]


def queue_depths(session: Session) -> list[QueueDepth]:
    """Every queue that has unfinished jobs: waiting, running, scheduled, the oldest wait."""
    if not _exists(session, "procrastinate_jobs"):
        return []
    rows = session.execute(
        text(
            "SELECT j.queue_name AS queue,"
            " count(*) FILTER (WHERE j.status = 'todo' AND"
            "  (j.scheduled_at IS NULL OR j.scheduled_at <= now())) AS waiting,"
            " count(*) FILTER (WHERE j.status = 'doing') AS running,"
            " count(*) FILTER (WHERE j.status = 'todo' AND j.scheduled_at > now()) AS scheduled,"
            " min(COALESCE(j.scheduled_at, d.at)) FILTER (WHERE j.status = 'todo' AND"
            "  (j.scheduled_at IS NULL OR j.scheduled_at <= now())) AS oldest"
            " FROM procrastinate_jobs j"
            " LEFT JOIN LATERAL (SELECT min(e.at) AS at FROM procrastinate_events e"
            "  WHERE e.job_id = j.id AND e.type = 'deferred') d ON true"
            " WHERE j.status IN ('todo', 'doing')"
            " GROUP BY j.queue_name ORDER BY j.queue_name"
        )
    )
    return [
        QueueDepth(
            r.queue,
            int(r.waiting),
            int(r.running),
            int(r.scheduled),
            _utc(r.oldest) if r.oldest else None,
        )
        for r in rows
    ]


def active_crawls(session: Session) -> set[str]:
    """Sources with a crawl job waiting or running (the tick does not queue another)."""
    return {source for source, _ in _crawl_jobs(session)}


def crawls_in_hand(session: Session, now: datetime, stalled_after: timedelta) -> set[str]:
    """Sources whose crawl job is running, or waiting in a queue a live worker takes: what a
    ``run --once`` leaves to the workers. Jobs that only stopped or lost workers could take
    (workers given up for cron, a queue nobody serves) hold nothing back."""
    served = {
        queue
        for worker in workers_seen(session, now, stalled_after)
        if worker.state == "running"
        for queue in worker.queues
    }
    if not served:
        return set()
    return {source for source, queue in _crawl_jobs(session) if queue in served}


def _crawl_jobs(session: Session) -> list[tuple[str, str]]:
    """(source, queue) of each crawl job waiting or running."""
    if not _exists(session, "procrastinate_jobs"):
        return []
    rows = session.execute(
        text(
            "SELECT lock, queue_name FROM procrastinate_jobs WHERE task_name = :task"
            " AND status IN ('todo', 'doing') AND lock IS NOT NULL"
        ),
        {"task": CRAWL_TASK},
    )
    return [
        (r.lock[len(CRAWL_LOCK) :], r.queue_name) for r in rows if r.lock.startswith(CRAWL_LOCK)
    ]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
