"""What ``casewatch status`` and ``/healthz`` report: sources, next runs, the outbox.

Everything is derived from the database (no running process is asked), with the same timing
rule the service and cron use (:mod:`pipeline.fetch.schedule`). :func:`health` is the one call the
web part needs: it never raises, and ``ok`` is False only when casewatch cannot do its job
(database unreachable, or no source has run for far too long).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import Config
from pipeline.config.settings import Settings
from pipeline.config.sources import Source
from pipeline.fetch.plan import due_at
from pipeline.logs import redact_source
from pipeline.output import jsonable, to_row
from pipeline.store import cluster, outbox
from pipeline.store.health import LastRun, deliveries_by_channel, last_runs, source_rows
from pipeline.store.models import SourceRow

LOST_RECENTLY = timedelta(hours=1)
"""A worker lost (killed, cut off) this recently makes ``status`` degraded; older ones are
only listed."""
DELIVERY_OVERDUE = timedelta(minutes=10)
"""A pending delivery this long past its attempt time means delivery is not running."""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    id: str
    kind: str
    every: str
    last_run_at: datetime | None
    result: str | None
    """Status of the last run: ok | not_modified | warning (ok, but a row of a tracked case
    could not be read) | error (None: never ran)."""
    items_seen: int | None
    consecutive_failures: int
    failing: bool
    """At least ``failing_after`` failures in a row (``source.failing`` was raised)."""
    next_run_at: datetime | None
    """When it is due by the database (None: never ran, due now)."""
    overdue: bool
    """Not run for a whole interval past its due time: the service or cron is not running."""
    last_success_at: datetime | None
    last_error: str | None
    warning: str | None = None
    """The last run's warning: schedule rows it could not read."""


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    channel: str
    pending: int
    failed: int
    overdue: int
    failing: bool
    consecutive_failures: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Status:
    checked_at: datetime
    sources: tuple[SourceStatus, ...]
    deliveries: Mapping[str, int]
    channels: tuple[ChannelStatus, ...]
    unusable_channels: tuple[tuple[str, str], ...] = ()
    """(id, why) of the channels the config cannot make usable: their alerts wait."""
    workers: tuple[cluster.WorkerSeen, ...] = ()
    """``casewatch worker`` processes seen in the last day (PostgreSQL only)."""
    queues: tuple[cluster.QueueDepth, ...] = ()
    """The workers' job queues with unfinished jobs: depth and oldest waiting job."""


def source_status(
    source: Source,
    row: SourceRow | None,
    run: LastRun | None,
    settings: Settings,
    now: datetime,
) -> SourceStatus:
    every = source.every or settings.default_every
    due = due_at(source, row, settings.default_every, settings.failing_backoff_max)
    failures = (row.consecutive_failures or 0) if row else 0
    return SourceStatus(
        id=source.id,
        kind=source.kind,
        every=_duration_text(every),
        last_run_at=row.last_run_at if row else None,
        result=_result(run.status if run else None, row.last_warning if row else None),
        items_seen=run.items_seen if run else None,
        consecutive_failures=failures,
        failing=failures >= settings.failing_after,
        next_run_at=due,
        overdue=due is not None and now > due + every,
        last_success_at=row.last_success_at if row else None,
        last_error=(
            redact_source(row.last_error, source.url)
            if row and failures and row.last_error
            else None
        ),
        warning=row.last_warning if row else None,
    )


TRACKED_WARNING = "unreadable row of a tracked case"


def _result(status: str | None, warning: str | None) -> str | None:
    """A run that went fine but could not read a tracked case's row is a warning."""
    if status == "ok" and warning and warning.startswith(TRACKED_WARNING):
        return "warning"
    return status


def channel_statuses(
    queued: Iterable[Any], health: Iterable[outbox.ChannelHealth]
) -> tuple[ChannelStatus, ...]:
    """Per channel: what waits in the outbox (``queued``) and its failure record."""
    by_channel = {h.channel: h for h in health}
    counts = {q.channel: q for q in queued}
    out = []
    for name in sorted({*counts, *(h for h, s in by_channel.items() if s.failing)}):
        q, h = counts.get(name), by_channel.get(name)
        out.append(
            ChannelStatus(
                channel=name,
                pending=q.pending if q else 0,
                failed=q.failed if q else 0,
                overdue=q.overdue if q else 0,
                failing=bool(h and h.failing),
                consecutive_failures=h.consecutive_failures if h else 0,
                last_error=(h.last_error if h and h.last_error else None)
                or (q.last_error if q else None),
            )
        )
    return tuple(out)


def read_status(session: Session, config: Config, now: datetime) -> Status:
    rows, runs = source_rows(session), last_runs(session)
    sources = tuple(
        source_status(s, rows.get(s.id), runs.get(s.id), config.settings, now)
        for s in config.enabled_sources()
    )
    queued = deliveries_by_channel(session, now - DELIVERY_OVERDUE)
    return Status(
        checked_at=now,
        sources=sources,
        deliveries=outbox.delivery_counts(session),
        channels=channel_statuses(queued, outbox.channel_health(session)),
        unusable_channels=tuple(sorted(config.broken_channels.items())),
        workers=tuple(cluster.workers_seen(session, now, config.settings.workers.silent_for)),
        queues=tuple(cluster.queue_depths(session)),
    )


def assess(status: Status) -> dict[str, Any]:
    """The health summary of a status: ``ok`` / ``degraded`` / ``down`` with the reasons.

    Down: every source that ran is overdue (nothing runs casewatch), or a channel in the
    config cannot be used (its alerts cannot go out until the config is fixed)."""
    failing = [s.id for s in status.sources if s.failing]
    unreadable = [s.id for s in status.sources if s.result == "warning"]
    overdue = [s.id for s in status.sources if s.overdue]
    ran = [s for s in status.sources if s.last_run_at is not None]
    stalled = bool(ran) and all(s.overdue for s in ran)
    channels_failing = [c.channel for c in status.channels if c.failing]
    stuck = sum(c.overdue for c in status.channels)
    unusable = [f"{name} ({why})" for name, why in status.unusable_channels]
    problems = [
        *(["every source is overdue: is the service (or cron) running?"] if stalled else []),
        *([f"unusable channels: {'; '.join(unusable)}"] if unusable else []),
        *([f"failing sources: {', '.join(failing)}"] if failing else []),
        *([f"unreadable rows of tracked cases: {', '.join(unreadable)}"] if unreadable else []),
        *([f"overdue sources: {', '.join(overdue)}"] if overdue and not stalled else []),
        *([f"failing channels: {', '.join(channels_failing)}"] if channels_failing else []),
        *([f"{stuck} deliveries overdue"] if stuck else []),
        *([f"{status.deliveries.get('failed', 0)} deliveries failed"]
          if status.deliveries.get("failed") else []),
    ]  # fmt: skip
    problems += cluster_problems(status)
    state = "down" if stalled or unusable else "degraded" if problems else "ok"
    return {
        "status": state,
        "ok": state != "down",
        "checked_at": status.checked_at.isoformat(),
        "database": "ok",
        "problems": problems,
        "sources": {
            "total": len(status.sources),
            "never_run": len(status.sources) - len(ran),
            "failing": failing,
            "overdue": overdue,
        },
        "deliveries": {
            **{k: int(v) for k, v in status.deliveries.items()},
            "overdue": stuck,
            "failing_channels": channels_failing,
        },
    }


def cluster_problems(status: Status) -> list[str]:
    """Workers that vanished in the last hour, and queues with jobs waiting that no running
    worker takes (a source pinned to ``queue: kz`` with no ``--queue kz`` worker is never
    crawled)."""
    recent = status.checked_at - LOST_RECENTLY
    lost = [w.name for w in status.workers if w.state == "lost" and w.last_seen_at >= recent]
    served = {q for w in status.workers if w.state == "running" for q in w.queues}
    orphaned = [f"{q.queue} ({q.waiting} waiting)" for q in status.queues
                if q.waiting and q.queue not in served]  # fmt: skip
    return [
        *([f"workers lost (no heartbeat): {', '.join(lost)}"] if lost else []),
        *([f"queues no running worker takes: {', '.join(orphaned)}"] if orphaned else []),
    ]


def health(sessions: sessionmaker[Session], config: Config, now: datetime) -> dict[str, Any]:
    """For ``/healthz``: :func:`assess` of the current status; never raises (a database
    error makes it ``down``, named without the URL)."""
    try:
        with sessions() as session:
            status = read_status(session, config, now)
    except SQLAlchemyError as exc:
        return {
            "status": "down",
            "ok": False,
            "checked_at": now.isoformat(),
            "database": f"unreachable: {type(exc).__name__}",
            "problems": ["database unreachable"],
        }
    return assess(status)


def status_document(status: Status) -> dict[str, Any]:
    """``casewatch status --format json``: one object."""
    return {
        "checked_at": jsonable(status.checked_at),
        "health": assess(status),
        "sources": [to_row(s) for s in status.sources],
        "deliveries": dict(status.deliveries),
        "channels": [to_row(c) for c in status.channels],
        "workers": [_worker_row(w) for w in status.workers],
        "queues": [to_row(q) for q in status.queues],
    }


def _worker_row(worker: cluster.WorkerSeen) -> dict[str, Any]:
    row = to_row(worker)
    row.pop("job_worker_id")
    return row


def _duration_text(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
