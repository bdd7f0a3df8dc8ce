"""``casewatch report``: a case's chronology for a statement, as Markdown or printable HTML."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from pipeline.cli.context import AppContext, case_zone, configured_case
from pipeline.errors import UnknownCaseError


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


@click.command("report")
@click.argument("slug")
@click.option("--from", "start", callback=_day, metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--to", "end", callback=_day, metavar="DATE", help="Last day (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(("md", "html")), default="md", show_default=True)
@click.option(
    "--lang",
    type=click.Choice(("en", "ru")),
    help="Language (default: the case's `language:`, else English).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout.",
)
@click.pass_obj
def command(
    app: AppContext,
    slug: str,
    start: date | None,
    end: date | None,
    fmt: str,
    lang: str | None,
    out: Path | None,
) -> None:
    """Write a case's chronology for a statement.

    A summary (hearings held, postponed, cancelled, the next hearing), the hearings with
    their history and what the news said of each, the postponements with the reasons the
    news gave, the articles by outlet and the evidence behind each (capture time, sha256,
    WARC record id). --from/--to are days in the case's time zone. Markdown, or HTML that
    prints one page a section."""
    from pipeline.report.collect import case_report, stored_case_info
    from pipeline.report.labels import report_language
    from pipeline.report.model import CaseInfo, Period
    from pipeline.report.render import render_report

    if start is not None and end is not None and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
    with app.sessions(write=False)() as session:
        try:
            case = configured_case(app, slug)
            info = CaseInfo(case.slug, case.title, case_zone(app, case), case.language)
        except UnknownCaseError:
            stored = stored_case_info(session, slug, app.config().settings.timezone)
            if stored is None:
                raise
            info = stored
        language = report_language(lang, info.language)
        report = case_report(
            session, info, now=app.clock(), period=Period(start, end), lang=language
        )
    text = render_report(report, fmt)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"{out}: {fmt} report of {slug}", err=True)
