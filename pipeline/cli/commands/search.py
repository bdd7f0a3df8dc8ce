"""``casewatch search``: find articles (``casewatch export`` takes a case's material away).

Search output goes to stdout in the chosen format; how many matched and any note about the
query go to stderr, so a pipe gets only rows.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from pipeline.cli.context import AppContext, parse_since, zone_by_case
from pipeline.normalize.dates import readable_time
from pipeline.output import FORMATS, jsonable, render
from pipeline.search import MAX_LIMIT, SearchFilters, SearchHit, plain, search_articles
from pipeline.search.backend import CANDIDATES
from pipeline.store.search_index import reindex_all

SEARCH_COLUMNS = ("published_at", "source", "language", "cases", "title", "snippet")


def _when(app: AppContext, value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """Like --since elsewhere; an --until given as a bare date includes that whole day."""
    if value is None:
        return None
    try:
        moment = parse_since(value, app.clock(), app.zone())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if end and len(value.strip()) == 10:  # YYYY-MM-DD
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def hit_row(hit: SearchHit, tz: str | None = None) -> dict[str, Any]:
    """``published_at`` in ISO 8601, or with ``tz`` (a table) local time for a person to read."""
    return {
        "id": hit.article_id,
        "published_at": readable_time(hit.published_at, tz) if tz else jsonable(hit.published_at),
        "source": hit.source,
        "language": hit.language,
        "cases": list(hit.cases),
        "score": hit.score,
        "title": hit.title,
        "url": hit.url,
        "snippet": plain(hit.snippet),
    }


@click.command("search")
@click.argument("query", required=False, default="")
@click.option("--case", metavar="SLUG", help="Only articles matched to this case.")
@click.option("--source", metavar="ID", help="Only articles from this source.")
@click.option("--language", metavar="CODE", help="Only articles in this language (ru, kk, en).")
@click.option("--since", metavar="WHEN", help="Published at or after: ISO date/datetime or 7d.")
@click.option("--until", metavar="WHEN", help="Published before (a bare date: up to its end).")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    help=f"At most N hits (default: all ranked ones: the {CANDIDATES} newest matches).",
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many hits.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--reindex", is_flag=True, help="Rebuild the search index from stored articles.")
@click.pass_obj
def command(
    app: AppContext, query: str, case: str | None, source: str | None, language: str | None,
    since: str | None, until: str | None, limit: int | None, offset: int, fmt: str, reindex: bool,
) -> None:  # fmt: skip
    """Articles matching QUERY, best first: every case form of a word, names in either
    script. "a phrase", word*, -word, a OR b. Times in the case's zone."""
    if reindex:
        with app.sessions().begin() as session:
            click.echo(f"search index rebuilt: {reindex_all(session)} articles", err=True)
        if not query:
            return
    filters = SearchFilters(
        case, source, language, _when(app, since, "--since"), _when(app, until, "--until", end=True)
    )
    with app.sessions(write=False)() as session:
        result = search_articles(session, query, filters, limit=limit or MAX_LIMIT, offset=offset)
    if result.message:
        click.echo(f"casewatch: note: {result.message}", err=True)
    when = zone_by_case(app, case, lambda hit: hit.cases)
    rows = [hit_row(h, when(h) if fmt == "table" else None) for h in result.hits]
    render(rows, fmt, sys.stdout, SEARCH_COLUMNS)  # type: ignore[arg-type]
    click.echo(f"{len(rows)} of {result.total} matching articles", err=True)
