"""``casewatch events``: the events alerts are made of, newest first."""

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
from pipeline.store.read.events import list_events

EVENT_COLUMNS = ("created_at", "kind", "case", "url")


@click.command("events")
@listing_options
@click.pass_obj
def command(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Events (what alerts are made of), newest first. Times in the case's zone."""
    after = cutoff(app, since)
    warn_unknown_case(app, case)
    with app.sessions(write=False)() as session:
        records = list_events(session, case=case, since=after, limit=limit)
    when = zone_by_case(app, case, lambda r: [r.case])
    emit(records, fmt, EVENT_COLUMNS, times=("created_at",), zone_of=when)
