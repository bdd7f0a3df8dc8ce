"""``casewatch export-evidence``: a case's captured article pages as WARC plus a manifest."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.context import AppContext
from pipeline.store.captures import case_captures


@click.command("export-evidence")
@click.option("--case", "case", required=True, metavar="SLUG", help="The case to export.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: ./evidence-<case>-<UTC time>).",
)
@click.pass_obj
def command(app: AppContext, case: str, out: Path | None) -> None:
    """Write every capture of the articles matched to a case: a WARC file (request and
    response records, as fetched) and manifest.json / manifest.csv (URL, fetch time, sha256,
    WARC record id), for handing over."""
    from pipeline.evidence.warc import export_evidence

    config = app.config()
    if case not in {c.slug for c in config.cases}:
        click.echo(f"warning: {case!r} is not a configured case", err=True)
    now = app.clock()
    with app.sessions(write=False).begin() as session:
        rows = case_captures(session, case)
        if not rows:
            raise click.ClickException(f"no captured articles for case {case!r}")
        folder = out or Path(f"evidence-{case}-{now:%Y%m%dT%H%M%SZ}")
        result = export_evidence(rows, folder, case, now)
    click.echo(f"{len(result.entries)} capture(s) of case {case}")
    click.echo(f"warc      {result.warc}")
    click.echo(f"manifest  {result.manifest_json}")
    click.echo(f"manifest  {result.manifest_csv}")
