"""``casewatch hearings``: the hearings found, times in the court's zone."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from pipeline.cli.context import AppContext, cutoff, listing_options, warn_unknown_case
from pipeline.normalize.dates import readable_time, readable_value
from pipeline.normalize.hearing_time import local_text
from pipeline.output import render, to_row
from pipeline.store.read.hearings import HearingHistoryEntry, HearingListing, list_hearings

HEARING_COLUMNS = ("when", "status", "court", "case_number", "courtroom", "judge", "cases", "url")


@click.command("hearings")
@listing_options
@click.option(
    "--upcoming", is_flag=True, help="Only hearings still ahead and on the schedule, soonest first."
)
@click.option(
    "--history", "with_history", is_flag=True, help="Each hearing with its changes over time."
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every stored hearing, also those no case claims (default: the followed cases').",
)
@click.pass_obj
def command(
    app: AppContext,
    case: str | None,
    since: str | None,
    limit: int | None,
    fmt: str,
    upcoming: bool,
    with_history: bool,
    every: bool,
) -> None:
    """Hearings found, latest date first, times in the court's zone. --since applies to the
    first sighting; --upcoming leaves out cancelled, postponed and past hearings. Only
    hearings a followed case claims are listed unless --all."""
    after = cutoff(app, since)
    warn_unknown_case(app, case)
    with app.sessions(write=False)() as session:
        records = list_hearings(
            session,
            case=case,
            since=after,
            upcoming_from=app.clock() if upcoming else None,
            limit=limit,
            history=with_history,
            matched_only=not every,
        )
    rows = [hearing_row(r, fmt) for r in records]
    columns = (*HEARING_COLUMNS, "changes") if with_history else HEARING_COLUMNS
    render(rows, fmt, sys.stdout, columns)  # type: ignore[arg-type]


def hearing_row(record: HearingListing, fmt: str) -> dict[str, Any]:
    """JSON keeps ``history`` as a list, CSV as JSON text; the table gets a ``when`` (local
    time with zone and offset), a ``url`` and a ``changes`` column (in the court's zone)."""
    row = to_row(record)
    if record.history is None:
        del row["history"]
    elif fmt == "csv":
        row["history"] = json.dumps(row["history"], ensure_ascii=False)
    if fmt == "table":
        row["when"] = local_text(record.scheduled_at, record.local_time, record.timezone)
        row["url"] = record.article_url or record.source_url
        row["changes"] = [change_text(c, record.timezone) for c in record.history or ()]
    return row


def change_text(change: HearingHistoryEntry, zone: str) -> str:
    """'2026-11-29 12:00 (Asia/Almaty, UTC+05:00) courtroom: зал 3 → зал 5' (seen at)."""
    seen = readable_time(change.seen_at, zone)
    old, new = readable_value(change.old, zone), readable_value(change.new, zone)
    return f"{seen} {change.field}: {old or '—'} → {new or '—'}"
