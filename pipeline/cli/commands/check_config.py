"""``casewatch check-config``: validate the config folder (exit 1 if anything is wrong)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from pipeline.cli.context import AppContext, one_line
from pipeline.config.load import Config, ConfigProblem
from pipeline.config.news import news_search_sources, watch_search_sources
from pipeline.errors import CasewatchError, ConfigError
from pipeline.match.cases import compile_cases
from pipeline.match.watches import WatchMatcher


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
    """Cases and watches must compile into matchers."""
    try:
        compile_cases(config.cases)
    except (CasewatchError, ValueError) as exc:
        return [ConfigProblem(f"{config.directory / 'cases.yaml'}: cases", one_line(exc))]
    try:
        WatchMatcher(config.watches)
    except (CasewatchError, ValueError) as exc:
        return [ConfigProblem(f"{config.directory / 'watches.yaml'}: watches", one_line(exc))]
    return []


def config_summary(config: Config, problems: Sequence[ConfigProblem]) -> str:
    generated = (
        *news_search_sources(config.cases, config.settings.news_search),
        *watch_search_sources(config.watches, config.settings.news_search),
    )
    errors = sum(p.severity == "error" for p in problems)
    return (
        f"{config.directory}: {len(config.sources)} sources, {len(generated)} generated news "
        f"searches, {len(config.cases)} cases, {len(config.watches)} watches, "
        f"{len(config.channels)} channels, "
        f"{len(config.routes)} routes; {errors} errors, {len(problems) - errors} warnings"
    )


@click.command("check-config")
@click.pass_context
def command(ctx: click.Context) -> None:
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
