"""``casewatch status``: sources with their last run and next run, and the outbox."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.context import AppContext
from pipeline.normalize.dates import readable_time
from pipeline.output import render, to_row

if TYPE_CHECKING:
    from pipeline.service.status import Status

SOURCE_COLUMNS = (
    "id", "kind", "every", "last_run", "result", "failures", "next_run", "last_error",
)  # fmt: skip
CHANNEL_COLUMNS = ("channel", "pending", "failed", "overdue", "failing", "last_error")
WORKER_COLUMNS = ("worker", "queues", "concurrency", "state", "running_jobs", "last_seen")
QUEUE_COLUMNS = ("queue", "waiting", "running", "scheduled", "oldest_waiting")


@click.command("status")
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True
)
@click.pass_obj
def command(app: AppContext, fmt: str) -> None:
    """Sources (last run, result, failures in a row, next run), pending and failed
    deliveries, and an overall health line. Exit status 1 when casewatch is down (every
    source overdue: neither the service nor cron is running; or a channel the config cannot
    use, e.g. its URL's environment variable is not set)."""
    # pipeline.service.status plans runs (pipeline.fetch): imported when the command runs
    from pipeline.service.status import assess, read_status, status_document

    now = app.clock()
    with app.sessions(write=False)() as session:
        current = read_status(session, app.config(), now)
    if fmt == "json":
        click.echo(json.dumps(status_document(current), ensure_ascii=False, indent=2))
    else:
        print_table(current, app.zones().default, now)
    if not assess(current)["ok"]:
        click.get_current_context().exit(1)


def print_table(current: Status, zone: str, now: datetime) -> None:
    from pipeline.service.status import assess

    rows = [source_row(to_row(s), s.next_run_at, zone, now) for s in current.sources]
    render(rows, "table", sys.stdout, SOURCE_COLUMNS)
    d = current.deliveries
    held = f" ({d['held']} held for quiet hours or a digest)" if d.get("held") else ""
    click.echo(
        f"deliveries: pending {d.get('pending', 0)}{held}, failed {d.get('failed', 0)}, "
        f"sent {d.get('sent', 0)}"
    )
    if current.channels:
        render([to_row(c) for c in current.channels], "table", sys.stdout, CHANNEL_COLUMNS)
    print_cluster(current, zone)
    summary = assess(current)
    click.echo(f"health: {summary['status']}" + "".join(f"; {p}" for p in summary["problems"]))


def print_cluster(current: Status, zone: str) -> None:
    """The workers seen and their queues' depth (``casewatch worker`` on PostgreSQL)."""
    if current.workers:
        click.echo("workers:")
        rows = [
            {**to_row(w), "worker": w.name, "queues": ",".join(w.queues),
             "last_seen": readable_time(w.last_seen_at, zone)}
            for w in current.workers
        ]  # fmt: skip
        render(rows, "table", sys.stdout, WORKER_COLUMNS)
    if current.workers or current.queues:
        click.echo("queues:" if current.queues else "queues: no job waiting or running")
    if current.queues:
        rows = [
            {**to_row(q), "oldest_waiting": readable_time(q.oldest_waiting_at, zone)
             if q.oldest_waiting_at else ""}
            for q in current.queues
        ]  # fmt: skip
        render(rows, "table", sys.stdout, QUEUE_COLUMNS)


def source_row(
    row: dict[str, Any], next_run: datetime | None, zone: str, now: datetime
) -> dict[str, Any]:
    """Times in ``settings.timezone``, the zone named; ``due now`` for a source whose time
    has come."""
    last = row["last_run_at"]
    row["last_run"] = readable_time(datetime.fromisoformat(last), zone) if last else "never"
    due = next_run is None or next_run <= now
    row["next_run"] = "due now" if due else readable_time(next_run, zone)
    row["failures"] = row["consecutive_failures"] or ""
    row["result"] = (row["result"] or "") + (" (failing)" if row["failing"] else "")
    row["last_error"] = row["last_error"] or row["warning"]
    return row
