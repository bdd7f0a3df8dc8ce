"""``casewatch cases``: the configured cases with what was found for each; ``cases show SLUG``:
one case's config, counts, next hearings and latest articles."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from pipeline.cli.context import AppContext, case_zone, configured_case
from pipeline.config.cases import Case, Person
from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import local_text
from pipeline.output import FORMATS, jsonable, printable, render, to_row
from pipeline.store.read.articles import ArticleListing, list_articles
from pipeline.store.read.cases import CaseActivity, case_activity
from pipeline.store.read.hearings import HearingListing, list_hearings

CASE_COLUMNS = ("slug", "title", "articles", "hearings", "next_hearing", "last_article")
SHOWN = 5
"""Next hearings and latest articles ``cases show`` lists."""
_LABEL = 15
_NESTED = ("config", "next_hearings", "latest_articles")
"""``cases show --format csv`` holds these as JSON text."""

F = TypeVar("F", bound=Callable[..., Any])


def _format_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=default is not None,
        help=None if default else "table (default: the format given to `cases`), json or csv.",
    )


@click.group("cases", invoke_without_command=True)
@_format_option("table")
@click.pass_context
def command(ctx: click.Context, fmt: str) -> None:
    """The configured cases: articles and hearings matched, the next hearing and the newest
    article, in the case's local time. `casewatch cases show SLUG` for one case."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    with app.sessions(write=False)() as session:
        activity = case_activity(session, app.clock())
    rows = [
        case_row(case, activity.get(case.slug, CaseActivity()), case_zone(app, case), fmt)
        for case in app.config().cases
    ]
    render(rows, fmt, sys.stdout, CASE_COLUMNS)  # type: ignore[arg-type]


def case_row(case: Case, activity: CaseActivity, tz: str, fmt: str) -> dict[str, Any]:
    """JSON and CSV: ISO 8601 times (the next hearing as ``hearings`` prints one; CSV holds it
    as JSON text); the table: local times with the zone named."""
    hearing = activity.next_hearing
    if fmt == "table":
        title = case.title if case.enabled else f"{case.title} (disabled)"
        return {
            "slug": case.slug,
            "title": title,
            "articles": activity.articles,
            "hearings": activity.hearings,
            "next_hearing": hearing_when(hearing, tz) if hearing else "—",
            "last_article": local_when(activity.last_article_at, tz),
        }
    next_hearing = hearing_object(hearing) if hearing else None
    return {
        "slug": case.slug,
        "title": case.title,
        "enabled": case.enabled,
        "timezone": tz,
        "articles": activity.articles,
        "hearings": activity.hearings,
        "next_hearing": json.dumps(next_hearing, ensure_ascii=False)
        if fmt == "csv" and next_hearing
        else next_hearing,
        "last_article_at": _iso(activity.last_article_at, tz),
    }


def hearing_object(hearing: HearingListing) -> dict[str, Any]:
    """A hearing as ``casewatch hearings --format json`` prints it."""
    row = to_row(hearing)
    row.pop("history", None)
    return row


def hearing_when(hearing: HearingListing, tz: str) -> str:
    """Its time in ``tz`` with the zone named; a date alone in the court's zone."""
    if hearing.scheduled_at is None:
        return local_text(None, hearing.local_time, hearing.timezone)
    return local_text(hearing.scheduled_at, hearing.local_time, tz)


def local_when(moment: datetime | None, tz: str) -> str:
    return local_text(moment, "", tz) if moment is not None else "—"


def _iso(moment: datetime | None, tz: str) -> str | None:
    return moment.astimezone(zone(tz)).isoformat() if moment is not None else None


# ---------------------------------------------------------------- cases show


@command.command("show")
@click.argument("slug")
@_format_option(None)
@click.pass_context
def show(ctx: click.Context, slug: str, fmt: str | None) -> None:
    """One case: its config (terms, people, courts, case numbers, zone), what was found, its
    next hearings and latest articles, with links."""
    fmt = fmt or (ctx.parent.params.get("fmt") if ctx.parent else None) or "table"
    app: AppContext = ctx.obj
    case = configured_case(app, slug)
    tz = case_zone(app, case)
    now = app.clock()
    with app.sessions(write=False)() as session:
        activity = case_activity(session, now).get(slug, CaseActivity())
        hearings = list_hearings(session, case=slug, upcoming_from=now, limit=SHOWN)
        articles = list_articles(session, case=slug, limit=SHOWN)
    if fmt == "table":
        for line in show_lines(case, tz, activity, hearings, articles):
            click.echo(printable(line))
        return
    obj = {
        **case_row(case, activity, tz, "json"),
        "config": case.model_dump(mode="json"),
        "next_hearings": [hearing_object(h) for h in hearings],
        "latest_articles": [to_row(a) for a in articles],
    }
    del obj["next_hearing"]
    if fmt == "json":
        click.echo(json.dumps(printable(jsonable(obj)), ensure_ascii=False, indent=2))
        return
    flat = {k: json.dumps(jsonable(v), ensure_ascii=False) if k in _NESTED else v
            for k, v in obj.items()}  # fmt: skip
    render([flat], "csv", sys.stdout)


def show_lines(
    case: Case,
    tz: str,
    activity: CaseActivity,
    hearings: list[HearingListing],
    articles: list[ArticleListing],
) -> list[str]:
    lines = [f"{case.slug}: {case.title}" + ("" if case.enabled else " (disabled)")]
    if case.description:
        lines += textwrap.wrap(case.description, 96, initial_indent="  ", subsequent_indent="  ")
    lines.append("")
    lines += _field("zone", [tz])
    lines += _field("keywords", _by_language(case.keywords))
    lines += _field("code articles", [", ".join(case.articles)] if case.articles else [])
    lines += _field("require", _by_language(case.require))
    lines += _field("courts", list(case.courts))
    lines += _field("people", [_person(p) for p in case.people])
    lines += _field("case numbers", list(case.case_numbers))
    lines += _field("exclude", [", ".join(case.exclude)] if case.exclude else [])
    lines.append("")
    lines += _field("matched", [f"{activity.articles} articles, {activity.hearings} hearings"])
    lines += _field("newest article", [local_when(activity.last_article_at, tz)])
    lines += ["", "next hearings" + ("" if hearings else ": none ahead")]
    for h in hearings:
        where = " · ".join(p for p in (h.court, h.courtroom, h.case_number) if p)
        lines.append(f"  {hearing_when(h, tz)}  {h.status}  {where}")
        lines.append(f"    {h.article_url or h.source_url}")
    lines += ["", "latest articles" + ("" if articles else ": none yet")]
    for a in articles:
        lines.append(
            f"  {local_when(a.published_at or a.first_seen_at, tz)}  {a.source}  {a.title}"
        )
        lines.append(f"    {a.url}")
    return lines


def _field(label: str, values: list[str]) -> list[str]:
    """``label`` then the first value on its line, the others below it; '—' for none."""
    values = values or ["—"]
    pad = " " * _LABEL
    return [f"{label:<{_LABEL}}{values[0]}", *(pad + v for v in values[1:])]


def _by_language(terms: dict[str, tuple[str, ...]]) -> list[str]:
    return [f"{lang}: {', '.join(words)}" for lang, words in terms.items() if words]


def _person(person: Person) -> str:
    how = "named alone identifies the case" if person.alone else "context"
    also = f" — also {', '.join(person.variants)}" if person.variants else ""
    return f"{person.name} ({person.role}; {how}){also}"
