"""``casewatch worker``: run casewatch's jobs from PostgreSQL, on as many machines as needed."""

from __future__ import annotations

import logging

import click

from pipeline.cli.commands.run import configure_logging
from pipeline.cli.context import AppContext, logging_options
from pipeline.errors import StoreError
from pipeline.logs import url_secrets

SQLITE_REFUSAL = (
    "casewatch worker needs PostgreSQL, and this database is SQLite ({where}). Workers on "
    "several machines share one PostgreSQL database: move this one there with `casewatch db "
    "copy --to postgresql+psycopg://USER:PASSWORD@HOST/casewatch`, then start the workers with "
    "--database (or CASEWATCH_DATABASE_URL) set to it. On one machine, `casewatch run` runs "
    "everything in one process on SQLite."
)


@click.command("worker")
@click.option(
    "--queue", "queues", multiple=True, metavar="NAME",
    help="Take jobs from this queue (repeatable; default: the `default` queue). A source with "
    "`queue: NAME` is crawled only by workers started with --queue NAME.",
)  # fmt: skip
@click.option(
    "--concurrency", type=click.IntRange(min=1), metavar="N",
    help="Jobs run at once by this worker (default: settings workers.concurrency, 4).",
)  # fmt: skip
@logging_options
@click.pass_obj
def command(
    app: AppContext,
    queues: tuple[str, ...],
    concurrency: int | None,
    verbose: int,
    log_format: str | None = None,
) -> None:
    """Run jobs from PostgreSQL: crawl sources, deliver alerts, reminders, digests, evidence
    re-checks — what `casewatch run` does, shared by every worker on the database.

    Each source is crawled on its `every:` by one worker at a time; a worker that dies has its
    job retried by another after `workers.stalled_after`. Needs PostgreSQL (--database or
    CASEWATCH_DATABASE_URL); SIGTERM or Ctrl-C lets running jobs finish, then exits 0.
    """
    from sqlalchemy.engine import make_url

    from pipeline.cli.commands.run import _scrapy_level

    config = app.config()
    url = config.database_url(app.database)
    if make_url(url).get_backend_name() != "postgresql":
        where = make_url(url).render_as_string(hide_password=True)
        raise StoreError(SQLITE_REFUSAL.format(where=where))
    fmt = log_format or config.settings.log_format
    password = make_url(url).password
    secrets = [c.url for c in config.channels] + [url, *([str(password)] if password else [])]
    secrets += [part for s in config.sources for part in url_secrets(s.url)]
    configure_logging(verbose, fmt, secrets, service=True)  # type: ignore[arg-type]
    # Procrastinate logs every job's start and end: with -v (and -vv for its debug lines)
    logging.getLogger("procrastinate").setLevel(
        (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    for problem in config.problems:
        click.echo(f"config {problem.severity}: {problem}", err=True)

    from pipeline.ingest.deps import build_deps
    from pipeline.workers.process import WorkerProcess

    deps = build_deps(config=config, sessions=app.sessions(), clock=app.clock)
    process = WorkerProcess(
        deps,
        queues=queues or ("default",),
        concurrency=concurrency or config.settings.workers.concurrency,
        scrapy_overrides={"LOG_LEVEL": _scrapy_level(verbose)},
    )
    click.get_current_context().exit(process.run())
