"""``casewatch deliveries``: the delivery log, newest first."""

from __future__ import annotations

import click

from pipeline.cli.context import (
    AppContext,
    cutoff,
    emit,
    listing_options,
    warn_unknown_case,
    zone_by_case,
)
from pipeline.store import outbox

DELIVERY_COLUMNS = (
    "id", "created_at", "status", "channel", "kind", "case", "attempts", "next_attempt_at",
    "note", "last_error", "title",
)  # fmt: skip


@click.command("deliveries")
@click.option(
    "--status",
    type=click.Choice(outbox.STATUSES),
    help="Only deliveries in this state.",
)
@click.option("--channel", metavar="ID", help="Only this channel.")
@listing_options
@click.pass_obj
def command(
    app: AppContext,
    status: str | None,
    channel: str | None,
    case: str | None,
    since: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """The delivery log, newest first: each alert per channel, its state, attempts, why a
    pending one waits (quiet hours, digest time) and the last error. Times in the case's
    zone (settings.timezone for an alert of no case)."""
    after = cutoff(app, since)
    warn_unknown_case(app, case)
    with app.sessions(write=False)() as session:
        entries = outbox.delivery_log(
            session, status=status, channel=channel, case=case, since=after, limit=limit
        )
    times = ("created_at", "next_attempt_at")
    when = zone_by_case(app, case, lambda entry: [entry.case])
    emit(entries, fmt, DELIVERY_COLUMNS, times=times, zone_of=when)
