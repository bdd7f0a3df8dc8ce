"""``casewatch candidates``: the prosecutions the watches found that no case follows, each with
its courts, case numbers, people, articles of the code, first and last seen, and the hearings
and articles behind it with why each matched."""

from __future__ import annotations

import sys
from typing import Any

import click

from pipeline.cli.context import AppContext, cutoff
from pipeline.normalize.dates import readable_time
from pipeline.normalize.hearing_time import local_text
from pipeline.output import FORMATS, printable, render
from pipeline.store.read.candidates import (
    STATUSES,
    CandidateListing,
    EvidenceListing,
    candidate_object,
    list_candidates,
)

_LABEL = 15
CSV_LISTS = ("courts", "case_numbers", "people", "code_articles")


@click.command("candidates")
@click.option("--watch", metavar="ID", help="Only this watch's candidates.")
@click.option(
    "--status",
    type=click.Choice([*STATUSES, "all"]),
    default="open",
    show_default=True,
    help="open: not yet followed or dismissed.",
)
@click.option("--since", metavar="WHEN", help="Seen since: ISO date/datetime or 7d, 12h.")
@click.option("--limit", type=click.IntRange(min=1), help="At most N candidates (default: all).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def command(
    app: AppContext, watch: str | None, status: str, since: str | None, limit: int | None, fmt: str
) -> None:
    """Prosecutions the watches found that no case follows, with the evidence and why."""
    config = app.config()
    known = {w.id for w in config.watches}
    if watch is not None and watch not in known:
        click.echo(f"casewatch: warning: watch {watch!r} is not in the config", err=True)
    statuses = STATUSES if status == "all" else (status,)
    with app.sessions(write=False)() as session:
        found = list_candidates(
            session, watch=watch, statuses=statuses, since=cutoff(app, since), limit=limit
        )
    if fmt == "json":
        render([candidate_object(c) for c in found], "json", sys.stdout)
    elif fmt == "csv":
        render([csv_row(c) for c in found], "csv", sys.stdout)
    else:
        tz = config.settings.timezone
        for candidate in found:
            for line in candidate_lines(candidate, tz):
                click.echo(printable(line))
            click.echo("")
        click.echo(f"{len(found)} candidate{'s' if len(found) != 1 else ''}")


def csv_row(candidate: CandidateListing) -> dict[str, Any]:
    """One row a candidate: lists joined with '; ', the evidence counted."""
    row = candidate_object(candidate)
    for name in CSV_LISTS:
        row[name] = "; ".join(row[name])
    row["hearings"], row["articles"] = len(candidate.hearings), len(candidate.articles)
    return row


def candidate_lines(c: CandidateListing, tz: str) -> list[str]:
    """A candidate as a person reads it: times local (``tz``; a hearing in its court's zone)."""
    state = c.status + (f" as {c.followed_as}" if c.followed_as else "")
    lines = [f"#{c.id}  {state}  watch {c.watch}  {c.title}"]
    lines += _field("courts", ", ".join(c.courts))
    lines += _field("case numbers", ", ".join(c.case_numbers))
    lines += _field("people", ", ".join(c.people))
    lines += _field("code articles", ", ".join(c.code_articles))
    seen = f"{readable_time(c.first_seen_at, tz)} → {readable_time(c.last_seen_at, tz)}"
    lines += _field("seen", seen)
    lines.append(f"  hearings ({len(c.hearings)})")
    for h in c.hearings:
        when = local_text(h.scheduled_at, h.local_time, h.timezone)
        lines.append(f"    {when}  {h.court}  {h.case_number}  {h.title}")
        lines += _why(h, h.url)
    lines.append(f"  articles ({len(c.articles)})")
    for a in c.articles:
        lines.append(f"    {readable_time(a.published_at or a.seen_at, tz)}  {a.source}  {a.title}")
        lines += _why(a, a.url)
    if c.status == "open":
        lines.append(
            f"  follow: casewatch follow {c.id} --slug SLUG · dismiss: casewatch dismiss {c.id}"
        )
    return lines


def _field(label: str, value: str) -> list[str]:
    return [f"  {label:<{_LABEL}}{value or '—'}"]


def _why(item: EvidenceListing, url: str) -> list[str]:
    grouped = f" · grouped by {item.grouped}" if item.grouped else ""
    return [f"      {url}", f"      why: {item.why or 'not recorded'}{grouped}"]
