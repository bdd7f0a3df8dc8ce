"""``casewatch articles``: the articles found, newest first."""

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
from pipeline.store.read.articles import list_articles

ARTICLE_COLUMNS = ("published_at", "source", "language", "cases", "title", "url")


@click.command("articles")
@listing_options
@click.pass_obj
def command(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Articles found, newest first. --since applies to the publication date
    (the first sighting when the article is undated). Times in the case's zone."""
    after = cutoff(app, since)
    warn_unknown_case(app, case)
    with app.sessions(write=False)() as session:
        records = list_articles(session, case=case, since=after, limit=limit)
    when = zone_by_case(app, case, lambda r: r.cases)
    emit(records, fmt, ARTICLE_COLUMNS, times=("published_at",), zone_of=when)
