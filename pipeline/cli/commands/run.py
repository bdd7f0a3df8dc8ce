"""``casewatch run``: the long-running service, or one pass with ``--once`` (for cron)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from pipeline.cli.commands.deliver import report_lines
from pipeline.cli.context import AppContext, logging_options
from pipeline.errors import UnknownSourceError
from pipeline.logs import LogFormat, level_for, url_secrets
from pipeline.logs import configure_logging as setup_logging
from pipeline.startup import long_lived_imports

if TYPE_CHECKING:
    from pipeline.service.once import RunSummary


@click.command("run")
@click.option(
    "--once", is_flag=True, help="Fetch the due sources, process, deliver, exit (for cron)."
)
@click.option("--all", "all_sources", is_flag=True, help="Fetch every enabled source, due or not.")
@click.option(
    "--source", "only", multiple=True, metavar="ID", help="Fetch just this source (repeatable)."
)
@logging_options
@click.pass_obj
def command(
    app: AppContext,
    once: bool,
    all_sources: bool,
    only: tuple[str, ...],
    verbose: int,
    log_format: str | None = None,
) -> None:
    """Fetch sources, store what is new, alert on it.

    Without --once: the long-running service (each source on its interval, delivery, reminders
    and digests as jobs; SIGTERM or Ctrl-C stops it cleanly, exit status 0). Logs go to stderr
    (-v for each run, --log-format json for a collector).

    With --once: prints one line per fetched source and one for the deliveries. Exits non-zero
    when the run itself failed (config folder unusable, database unreachable) or a channel in
    the config cannot be used (an unset variable, an invalid entry: its alerts wait for it) —
    a failing source or a channel that is down is recorded and shown, and the next run
    retries it.
    """
    # SQLAlchemy and the store come with these: imported when a run starts, not for --help,
    # and kept out of the garbage collector's walks (Scrapy comes when there is a crawl).
    with long_lived_imports():
        from pipeline.ingest.deps import build_deps
        from pipeline.service.once import run_once
        from pipeline.store.engine import run_lock, service_lock, service_running

    if not once and (all_sources or only):
        raise click.UsageError("--all and --source go with --once (the service runs every source)")
    config = app.config()
    fmt = log_format or config.settings.log_format
    secrets = [c.url for c in config.channels]
    secrets += [part for s in config.sources for part in url_secrets(s.url)]
    configure_logging(verbose, fmt, secrets, service=not once)  # type: ignore[arg-type]
    for problem in config.problems:
        click.echo(f"config {problem.severity}: {problem}", err=True)
    deps = build_deps(config=config, sessions=app.sessions(), clock=app.clock)
    engine = deps.sessions.kw["bind"]
    if not once:
        from pipeline.service.process import Service

        overrides = {"LOG_LEVEL": _scrapy_level(verbose)}
        # a run --once on this database leaves the fetching to it (and one working now ends
        # first, if it ends within a crawl's time limit)
        with service_lock(engine, wait_for_run=config.settings.service.crawl_timeout):
            status = Service(deps, scrapy_overrides=overrides).run()
        click.get_current_context().exit(status)
    with run_lock(engine) as held:  # then the service (which waits for this lock) is seen
        if not held:
            click.echo("another casewatch run --once is working on this database: nothing done")
            return
        if not only and service_running(engine):  # a named source is fetched now, as asked
            click.echo("the casewatch service is running on this database and fetches its "
                       "sources: nothing done (name one with --source to fetch it now)")  # fmt: skip
            return
        try:
            summary = run_once(
                deps,
                all_sources=all_sources,
                only=only,
                scrapy_settings={"LOG_LEVEL": _scrapy_level(verbose)},
            )
        except UnknownSourceError as exc:
            raise click.BadParameter(str(exc), param_hint="--source") from exc
    for line in summary_lines(summary):
        click.echo(line)
    if config.broken_channels:  # their alerts wait: cron and monitoring must hear of it
        for name, why in sorted(config.broken_channels.items()):
            click.echo(f"channel {name} unusable: {why}; its alerts wait", err=True)
        click.get_current_context().exit(1)


def summary_lines(summary: RunSummary) -> list[str]:
    lines = []
    width = max((len(r.source_id) for r in summary.results), default=10)
    for r in sorted(summary.results, key=lambda r: (r.status != "error", r.source_id)):
        counts = f"seen {r.seen:4d}  new {r.new:4d}  changed {r.changed:3d}  matched {r.matched:3d}  alerts {r.events:3d}"
        detail = (
            r.error if r.status == "error" else r.warning or (f"bozo: {r.bozo}" if r.bozo else "")
        )
        lines.append(f"{r.status:12s} {r.source_id:{width}s}  {counts}  {detail}".rstrip())
    lines += page_lines(summary)
    if summary.reminders:
        lines.append(f"reminders    {summary.reminders} hearing reminder(s) queued")
    if summary.busy:
        lines.append(
            f"busy         {len(summary.busy)} source(s) a worker is crawling, left to it: "
            + ", ".join(summary.busy)
        )
    if summary.skipped_not_due:
        lines.append(
            f"not due      {summary.skipped_not_due} source(s) (use --all to fetch them anyway)"
        )
    if summary.delivery is not None:
        lines += report_lines(summary.delivery, prefix="deliveries   ")
    lines.append(f"sources      {len(summary.results)} fetched, {summary.failed_sources} failed")
    return lines


def page_lines(summary: RunSummary) -> list[str]:
    """One line for the article pages read, one per page that failed (source: URL: why)."""
    if not summary.pages:
        return []
    counts: dict[str, int] = {}
    for page in summary.pages:
        counts[page.outcome] = counts.get(page.outcome, 0) + 1
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    alerts = sum(p.events for p in summary.pages)
    lines = [f"articles     {len(summary.pages)} page(s): {shown}; alerts {alerts}"]
    lines += [f"page error   {p.error}" for p in summary.pages if p.outcome == "error"]
    return lines


def configure_logging(
    verbose: int, fmt: LogFormat = "text", secrets: Sequence[str] = (), *, service: bool = False
) -> None:
    """Stderr logging (:mod:`pipeline.logs`); the service reports each run at INFO by default."""
    level = logging.INFO if service and verbose == 0 else None
    setup_logging(verbose, fmt, secrets, level=level)


def _level(verbose: int) -> int:
    return level_for(verbose)


def _scrapy_level(verbose: int) -> str:
    return logging.getLevelName(_level(verbose))
