"""What the ``casewatch`` commands share: the context object, the listing options, ``--since``.

Commands import from here, never from :mod:`pipeline.cli.main` (which only finds them). This
module stays light: loading it must not pull Scrapy, FastAPI, Alembic, trafilatura or Apprise,
so the store is opened (and migrated) only when a command asks for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from pipeline.clock import utc_now
from pipeline.config.cases import Case
from pipeline.config.load import Config, load_config
from pipeline.config.models import parse_duration
from pipeline.config.news import news_search_sources, watch_search_sources
from pipeline.config.sources import Source
from pipeline.errors import ConfigError, UnknownCaseError
from pipeline.normalize.dates import Zones, readable_time
from pipeline.output import FORMATS, render, to_row

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """What every command shares: where the config is, which database, the clock."""

    config_dir: str | None = None
    database: str | None = None
    clock: Callable[[], datetime] = utc_now
    _config: Config | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)
    _read_only: bool = field(default=False, repr=False)

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    def sessions(self, *, write: bool = True) -> sessionmaker[Session]:
        """The migrated store; its engine is disposed when the command ends. A command that
        only reads passes ``write=False``: then a database file this user cannot write is
        opened read-only instead of refused."""
        if self._sessions is None or (write and self._read_only):
            from pipeline.store.engine import open_store  # Alembic: only for commands that need it

            self._sessions = open_store(self.config().database_url(self.database), write=write)
            self._read_only = not write
            click.get_current_context().call_on_close(self._sessions.kw["bind"].dispose)
        return self._sessions

    def zone(self) -> tzinfo:
        name = self.config().settings.timezone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            where = self.config().directory / "settings.yaml"
            raise ConfigError(f"{where}: settings.timezone: unknown time zone {name!r}") from exc

    def zones(self) -> Zones:
        """Where a person reads each time: the case's zone, else ``settings.timezone``."""
        self.zone()  # an unknown settings.timezone is a config error, named
        config = self.config()
        return Zones(config.settings.timezone, {c.slug: case_zone(self, c) for c in config.cases})


def one_line(exc: BaseException) -> str:
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def configured_sources(config: Config) -> tuple[Source, ...]:
    """Sources from sources.yaml plus the generated news searches, enabled or not."""
    return (
        *config.sources,
        *news_search_sources(config.cases, config.settings.news_search),
        *watch_search_sources(config.watches, config.settings.news_search),
    )


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
    """``--case``, ``--since``, ``--limit`` and ``--format``, as every listing command has them."""
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


def logging_options(command: F) -> F:
    """``-v`` and ``--log-format``, as the long-running commands (``run``, ``worker``) have
    them."""
    options = [
        click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too)."),
        click.option(
            "--log-format",
            type=click.Choice(["text", "json"]),
            envvar="CASEWATCH_LOG_FORMAT",
            show_envvar=True,
            help="Log lines on stderr as text or JSON (default: settings log_format, text).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def cutoff(app: AppContext, since: str | None) -> datetime | None:
    """The ``--since`` option as an aware UTC instant (a usage error when unreadable)."""
    if since is None:
        return None
    try:
        return parse_since(since, app.clock(), app.zone())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def configured_case(app: AppContext, slug: str) -> Case:
    """The case ``slug`` of the config (disabled or not); unknown: an error naming the known."""
    cases = app.config().cases
    for case in cases:
        if case.slug == slug:
            return case
    known = ", ".join(c.slug for c in cases) or "none"
    raise UnknownCaseError(f"unknown case {slug!r}; the configured cases are: {known}")


def case_zone(app: AppContext, case: Case) -> str:
    """The case's zone name, else ``settings.timezone`` (check-config reports a bad one)."""
    try:
        ZoneInfo(case.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return app.config().settings.timezone
    return case.timezone


def warn_unknown_case(app: AppContext, case: str | None) -> None:
    if case is not None and case not in {c.slug for c in app.config().cases}:
        click.echo(f"casewatch: warning: case {case!r} is not in the config", err=True)


def emit(
    records: Sequence[Any],
    fmt: str,
    columns: Sequence[str],
    *,
    times: Sequence[str] = (),
    zone_of: Callable[[Any], str] | None = None,
) -> None:
    """Records as rows on stdout in the chosen format. In a table the ``times`` fields are
    shown for a person (:func:`shown_times`), in ``zone_of(record)``; JSON and CSV keep ISO."""
    rows = [to_row(r) for r in records]
    if fmt == "table" and zone_of is not None:
        rows = [
            shown_times(row, r, times, zone_of(r)) for row, r in zip(rows, records, strict=True)
        ]
    render(rows, fmt, sys.stdout, columns)  # type: ignore[arg-type]


def zone_by_case(
    app: AppContext,
    case: str | None,
    cases_of: Callable[[Any], Iterable[str | None]] = lambda record: (),
) -> Callable[[Any], str]:
    """The zone a record's times are read in: the ``--case`` asked for, else the zone its
    ``cases_of(record)`` share, else ``settings.timezone``."""
    zones = app.zones()
    return lambda record: zones.of([case] if case else cases_of(record))


def shown_times(row: dict[str, Any], record: Any, names: Sequence[str], tz: str) -> dict[str, Any]:
    """``row`` with each of ``names`` as local time in ``tz``, the zone named (the rule of
    every time a person reads: the case's zone, else ``settings.timezone``)."""
    return row | {name: readable_time(getattr(record, name), tz) for name in names}
