"""``casewatch sources``: every configured source with its health."""

from __future__ import annotations

import click

from pipeline.cli.context import (
    AppContext,
    configured_sources,
    cutoff,
    emit,
    listing_options,
    warn_unknown_case,
    zone_by_case,
)
from pipeline.store.read.sources import list_sources

SOURCE_COLUMNS = (
    "id", "kind", "enabled", "last_run_at", "last_success_at", "consecutive_failures",
    "last_error", "last_warning", "raw_response",
)  # fmt: skip


@click.command("sources")
@listing_options
@click.pass_obj
def command(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Every configured source (a never-run one too) with its health.
    --case keeps the sources that feed the case; --since those run since then.
    raw_response: where the response is kept that made the last run fail (send it to the
    developers with the error). Times in settings.timezone (the case's zone with --case)."""
    after = cutoff(app, since)
    warn_unknown_case(app, case)
    with app.sessions(write=False)() as session:
        records = list_sources(
            session, configured_sources(app.config()), case=case, since=after, limit=limit
        )
    times = ("last_run_at", "last_success_at")
    emit(records, fmt, SOURCE_COLUMNS, times=times, zone_of=zone_by_case(app, case))
