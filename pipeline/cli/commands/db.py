"""``casewatch db copy --to URL``: move the database (e.g. SQLite → PostgreSQL)."""

from __future__ import annotations

import click

from pipeline.cli.context import AppContext


@click.group("db")
def command() -> None:
    """The database itself: copy it to another (SQLite → PostgreSQL)."""


@command.command("copy")
@click.option(
    "--to", "target", required=True, metavar="URL", envvar="CASEWATCH_COPY_TO",
    help="The database to copy into: a new, empty one "
    "(postgresql+psycopg://USER:PASSWORD@HOST/casewatch).",
)  # fmt: skip
@click.pass_obj
def copy(app: AppContext, target: str) -> None:
    """Copy everything in this database (--database / CASEWATCH_DATABASE_URL) into the empty
    database at URL: sources and their runs, articles with their evidence, hearings with their
    history, events and the delivery log (what was sent is never sent again), then rebuild
    its search index. This database is only read. Stop `casewatch run` (or cron) first, then
    point casewatch at URL."""
    from sqlalchemy.engine import make_url

    from pipeline.store.copy import copy_database
    from pipeline.store.engine import open_store

    source = app.sessions(write=False).kw["bind"]
    shown = make_url(target).render_as_string(hide_password=True) if "://" in target else target
    into = open_store(target).kw["bind"]  # created and migrated when new
    try:
        if source.url == into.url:
            raise click.BadParameter("is the database being copied", param_hint="--to")
        report = copy_database(
            source, into, lambda table, n: click.echo(f"{table:16s} {n:8d} rows", err=True)
        )
    finally:
        into.dispose()
    total = sum(report.rows.values())
    click.echo(f"copied {total} rows into {shown}; search index: {report.indexed} articles")
    click.echo("next: point casewatch at it (--database or CASEWATCH_DATABASE_URL)")
