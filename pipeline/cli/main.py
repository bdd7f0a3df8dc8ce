"""The ``casewatch`` command line: config check and the read-side listing commands.

Config is loaded once per invocation, at this edge, and the store is opened only by the
commands that need it. A :class:`CasewatchError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from sqlalchemy.orm import Session, sessionmaker

from pipeline.clock import utc_now
from pipeline.config.load import Config, ConfigProblem, load_config
from pipeline.config.models import parse_duration
from pipeline.config.news import news_search_sources
from pipeline.config.sources import Source
from pipeline.errors import CasewatchError, ConfigError, UnknownSourceError
from pipeline.ingest.deps import build_deps
from pipeline.logs import LogFormat, level_for
from pipeline.logs import configure_logging as setup_logging
from pipeline.match.cases import compile_cases
from pipeline.normalize.hearing_time import local_text
from pipeline.output import FORMATS, render, to_row
from pipeline.service.once import RunSummary, run_once
from pipeline.store.engine import open_store
from pipeline.store.read.articles import list_articles
from pipeline.store.read.events import list_events
from pipeline.store.read.hearings import HearingHistoryEntry, HearingListing, list_hearings
from pipeline.store.read.sources import list_sources

F = TypeVar("F", bound=Callable[..., Any])

ARTICLE_COLUMNS = ("published_at", "source", "language", "cases", "title", "url")
EVENT_COLUMNS = ("created_at", "kind", "case", "url")
SOURCE_COLUMNS = (
    "id", "kind", "enabled", "last_run_at", "last_success_at", "consecutive_failures", "last_error",
)  # fmt: skip


@dataclass
class AppContext:
    """What every command shares: where the config is, which database, the clock."""

    config_dir: str | None = None
    database: str | None = None
    clock: Callable[[], datetime] = utc_now
    _config: Config | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    def sessions(self) -> sessionmaker[Session]:
        """The migrated store; its engine is disposed when the command ends."""
        if self._sessions is None:
            self._sessions = open_store(self.config().database_url(self.database))
            click.get_current_context().call_on_close(self._sessions.kw["bind"].dispose)
        return self._sessions

    def zone(self) -> tzinfo:
        name = self.config().settings.timezone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            where = self.config().directory / "settings.yaml"
            raise ConfigError(f"{where}: settings.timezone: unknown time zone {name!r}") from exc


def one_line(exc: BaseException) -> str:
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


class CasewatchGroup(click.Group):
    """Turns a CasewatchError from any command into ``casewatch: error: …`` and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasewatchError as exc:
            click.echo(f"casewatch: error: {one_line(exc)}", err=True)
            ctx.exit(2)


@click.group(cls=CasewatchGroup)
@click.option(
    "--config",
    "config_dir",
    metavar="DIR",
    envvar="CASEWATCH_CONFIG",
    show_envvar=True,
    type=click.Path(file_okay=False),
    help="Config folder (default: the shipped config/).",
)
@click.option(
    "--database",
    metavar="URL",
    envvar="CASEWATCH_DATABASE_URL",
    show_envvar=True,
    help="SQLAlchemy URL (default: settings.database_url, else a SQLite file in the data dir).",
)
@click.version_option(package_name="casewatch")
@click.pass_context
def main(ctx: click.Context, config_dir: str | None, database: str | None) -> None:
    """Watch court hearing schedules and the news for the cases you follow."""
    ctx.obj = AppContext(config_dir=config_dir, database=database)


# ---------------------------------------------------------------- check-config


def zone_problems(config: Config) -> list[ConfigProblem]:
    """Every time zone in the config must be known to zoneinfo (tzdata)."""
    named = [(config.directory / "settings.yaml", "settings", config.settings.timezone)]
    named += [
        (config.directory / "sources.yaml", f"sources ({s.id})", s.timezone) for s in config.sources
    ]
    named += [
        (config.directory / "cases.yaml", f"cases ({c.slug})", c.timezone) for c in config.cases
    ]
    problems = []
    for path, entry, name in named:
        if name is None:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                ConfigProblem(f"{path}: {entry}.timezone", f"unknown time zone {name!r}")
            )
    return problems


def case_problems(config: Config) -> list[ConfigProblem]:
    """Cases must compile into matchers."""
    try:
        compile_cases(config.cases)
    except (CasewatchError, ValueError) as exc:
        return [ConfigProblem(f"{config.directory / 'cases.yaml'}: cases", one_line(exc))]
    return []


def config_summary(config: Config, problems: Sequence[ConfigProblem]) -> str:
    generated = news_search_sources(config.cases, config.settings.news_search)
    errors = sum(p.severity == "error" for p in problems)
    return (
        f"{config.directory}: {len(config.sources)} sources, {len(generated)} generated news "
        f"searches, {len(config.cases)} cases, {len(config.channels)} channels, "
        f"{len(config.routes)} routes; {errors} errors, {len(problems) - errors} warnings"
    )


@main.command("check-config")
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Validate the config folder; exit 1 if anything is wrong, 0 otherwise."""
    app: AppContext = ctx.obj
    try:
        config = app.config()
    except ConfigError as exc:
        click.echo(f"error: {one_line(exc)}")
        ctx.exit(1)
    problems = [*config.problems, *zone_problems(config), *case_problems(config)]
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}")
    click.echo(config_summary(config, problems))
    ctx.exit(1 if any(p.severity == "error" for p in problems) else 0)


# ---------------------------------------------------------------- listing commands


def parse_since(text: str, now: datetime, zone: tzinfo) -> datetime:
    """``7d`` / ``12h`` → that long before ``now``; an ISO date or datetime without an
    offset is read in ``zone`` (the configured local time zone). Returns aware UTC."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"expected an ISO date/datetime or a duration like '7d', got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def listing_options(command: F) -> F:
    options = [
        click.option("--case", metavar="SLUG", help="Only this case."),
        click.option(
            "--since",
            metavar="WHEN",
            help="ISO date/datetime (local time zone) or a duration: 7d, 12h.",
        ),
        click.option("--limit", type=click.IntRange(min=1), help="At most N rows (default: all)."),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _cutoff(app: AppContext, since: str | None) -> datetime | None:
    if since is None:
        return None
    try:
        return parse_since(since, app.clock(), app.zone())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _warn_unknown_case(app: AppContext, case: str | None) -> None:
    if case is not None and case not in {c.slug for c in app.config().cases}:
        click.echo(f"casewatch: warning: case {case!r} is not in the config", err=True)


def _emit(records: Sequence[Any], fmt: str, columns: Sequence[str]) -> None:
    rows = [to_row(r) for r in records]
    render(rows, fmt, sys.stdout, columns)  # type: ignore[arg-type]


@main.command()
@listing_options
@click.pass_obj
def articles(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Articles found, newest first. --since applies to the publication date
    (the first sighting when the article is undated)."""
    cutoff = _cutoff(app, since)
    _warn_unknown_case(app, case)
    with app.sessions()() as session:
        records = list_articles(session, case=case, since=cutoff, limit=limit)
    _emit(records, fmt, ARTICLE_COLUMNS)


@main.command()
@listing_options
@click.pass_obj
def events(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Events (what alerts are made of), newest first."""
    cutoff = _cutoff(app, since)
    _warn_unknown_case(app, case)
    with app.sessions()() as session:
        records = list_events(session, case=case, since=cutoff, limit=limit)
    _emit(records, fmt, EVENT_COLUMNS)


def configured_sources(config: Config) -> tuple[Source, ...]:
    """Sources from sources.yaml plus the generated news searches, enabled or not."""
    return (*config.sources, *news_search_sources(config.cases, config.settings.news_search))


@main.command()
@listing_options
@click.pass_obj
def sources(
    app: AppContext, case: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Every configured source (a never-run one too) with its health.
    --case keeps the sources that feed the case; --since those run since then."""
    cutoff = _cutoff(app, since)
    _warn_unknown_case(app, case)
    with app.sessions()() as session:
        records = list_sources(
            session, configured_sources(app.config()), case=case, since=cutoff, limit=limit
        )
    _emit(records, fmt, SOURCE_COLUMNS)


# ---------------------------------------------------------------- run


@main.command()
@click.option(
    "--once", is_flag=True, help="Fetch the due sources, process, deliver, exit (for cron)."
)
@click.option("--all", "all_sources", is_flag=True, help="Fetch every enabled source, due or not.")
@click.option(
    "--source", "only", multiple=True, metavar="ID", help="Fetch just this source (repeatable)."
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="CASEWATCH_LOG_FORMAT",
    show_envvar=True,
    help="Log lines on stderr as text or JSON (default: settings log_format, text).",
)
@click.pass_obj
def run(
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
    only when the run itself failed (config folder unusable, database unreachable) — a failing
    source or a channel that is down is recorded and shown, and the next run retries it.
    """
    if not once and (all_sources or only):
        raise click.UsageError("--all and --source go with --once (the service runs every source)")
    config = app.config()
    fmt = log_format or config.settings.log_format
    configure_logging(verbose, fmt, [c.url for c in config.channels], service=not once)  # type: ignore[arg-type]
    for problem in config.problems:
        click.echo(f"config {problem.severity}: {problem}", err=True)
    deps = build_deps(config=config, sessions=app.sessions(), clock=app.clock)
    if not once:
        from pipeline.service.process import Service

        overrides = {"LOG_LEVEL": _scrapy_level(verbose)}
        click.get_current_context().exit(Service(deps, scrapy_overrides=overrides).run())
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


def summary_lines(summary: RunSummary) -> list[str]:
    lines = []
    width = max((len(r.source_id) for r in summary.results), default=10)
    for r in sorted(summary.results, key=lambda r: (r.status != "error", r.source_id)):
        counts = f"seen {r.seen:4d}  new {r.new:4d}  changed {r.changed:3d}  matched {r.matched:3d}  alerts {r.events:3d}"
        detail = r.error if r.status == "error" else (f"bozo: {r.bozo}" if r.bozo else "")
        lines.append(f"{r.status:12s} {r.source_id:{width}s}  {counts}  {detail}".rstrip())
    lines += page_lines(summary)
    if summary.reminders:
        lines.append(f"reminders    {summary.reminders} hearing reminder(s) queued")
    if summary.skipped_not_due:
        lines.append(
            f"not due      {summary.skipped_not_due} source(s) (use --all to fetch them anyway)"
        )
    d = summary.delivery
    if d is not None:
        lines.append(
            f"deliveries   sent {d.sent}, retry later {d.retried}, gave up {d.failed}, pending {d.pending}"
        )
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


# ---------------------------------------------------------------- hearings, crawl

import json  # noqa: E402  (kept with the hearing commands; may be hoisted to the top)

HEARING_COLUMNS = ("when", "status", "court", "case_number", "courtroom", "judge", "cases", "url")


@main.command()
@listing_options
@click.option(
    "--upcoming", is_flag=True, help="Only hearings still ahead and on the schedule, soonest first."
)
@click.option(
    "--history", "with_history", is_flag=True, help="Each hearing with its changes over time."
)
@click.pass_obj
def hearings(
    app: AppContext,
    case: str | None,
    since: str | None,
    limit: int | None,
    fmt: str,
    upcoming: bool,
    with_history: bool,
) -> None:
    """Hearings found, latest date first, times in the court's zone. --since applies to the
    first sighting; --upcoming leaves out cancelled, postponed and past hearings."""
    cutoff = _cutoff(app, since)
    _warn_unknown_case(app, case)
    with app.sessions()() as session:
        records = list_hearings(
            session,
            case=case,
            since=cutoff,
            upcoming_from=app.clock() if upcoming else None,
            limit=limit,
            history=with_history,
        )
    rows = [hearing_row(r, fmt, app.zone()) for r in records]
    columns = (*HEARING_COLUMNS, "changes") if with_history else HEARING_COLUMNS
    render(rows, fmt, sys.stdout, columns)  # type: ignore[arg-type]


def hearing_row(record: HearingListing, fmt: str, zone: tzinfo) -> dict[str, Any]:
    """JSON keeps ``history`` as a list, CSV as JSON text; the table gets a ``when`` (local
    time with zone and offset), a ``url`` and a ``changes`` column."""
    row = to_row(record)
    if record.history is None:
        del row["history"]
    elif fmt == "csv":
        row["history"] = json.dumps(row["history"], ensure_ascii=False)
    if fmt == "table":
        row["when"] = local_text(record.scheduled_at, record.local_time, record.timezone)
        row["url"] = record.article_url or record.source_url
        row["changes"] = [change_text(c, zone) for c in record.history or ()]
    return row


def change_text(change: HearingHistoryEntry, zone: tzinfo) -> str:
    """'2026-11-29 12:00 courtroom: зал 3 → зал 5' (seen at, in the configured zone)."""
    seen = change.seen_at.astimezone(zone)
    return f"{seen:%Y-%m-%d %H:%M} {change.field}: {change.old or '—'} → {change.new or '—'}"


@main.command()
@click.argument("source_ids", metavar="SOURCE...", nargs=-1, required=True)
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.pass_context
def crawl(ctx: click.Context, source_ids: tuple[str, ...], verbose: int) -> None:
    """Fetch these sources now, due or not, store, alert: `run --once` for just them."""
    try:
        ctx.invoke(run, once=True, all_sources=False, only=source_ids, verbose=verbose)
    except click.BadParameter as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param_hint="SOURCE") from exc


if __name__ == "__main__":
    # `python -m pipeline.cli.main`: run the module proper, whose commands are all registered below
    # (registering them here too would import the command modules twice, circularly).
    from pipeline.cli.main import main as registered_main

    registered_main(prog_name="casewatch")
else:
    from pipeline.cli.commands.alerts import alerts, deliver, deliveries
    from pipeline.cli.commands.export_evidence import export_evidence_command
    from pipeline.cli.commands.extract import extract_command
    from pipeline.cli.commands.search import export, search
    from pipeline.cli.commands.serve import serve
    from pipeline.cli.commands.status import status

    for _command in (
        extract_command,
        export_evidence_command,
        search,
        export,
        serve,
        status,
        alerts,
        deliver,
        deliveries,
    ):
        main.add_command(_command)
