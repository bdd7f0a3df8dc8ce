"""``casewatch export``: a case's articles, hearings and events as CSV or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli.context import AppContext
from pipeline.output import write_csv
from pipeline.store.read.export import KINDS, export_rows


def _kinds(value: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise click.BadParameter(
            f"expected a comma-separated list of {', '.join(KINDS)}, got {value!r}",
            param_hint="--what",
        )
    return kinds


@click.command("export")
@click.option("--case", required=True, metavar="SLUG", help="The case to export.")
@click.option("--what", default=",".join(KINDS), show_default=True, help="What to export.")
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per kind into DIR (<case>-<kind>.<format>) instead of stdout.",
)
@click.pass_obj
def command(app: AppContext, case: str, what: str, fmt: str, out: Path | None) -> None:
    """A case's articles (with why they matched), hearings (with history) and events, as CSV
    (cells a spreadsheet would run as formulas are quoted) or JSON."""
    kinds = _kinds(what)
    if out is None and fmt == "csv" and len(kinds) > 1:
        raise click.UsageError("CSV of several kinds needs --out DIR (or pick one with --what)")
    if case not in {c.slug for c in app.config().cases}:
        click.echo(f"casewatch: warning: case {case!r} is not in the config", err=True)
    with app.sessions(write=False)() as session:
        tables = export_rows(session, case, kinds)
    if out is None:
        _write(tables, fmt, sys.stdout, case)
        return
    out.mkdir(parents=True, exist_ok=True)
    for kind, rows in tables.items():
        path = out / f"{case}-{kind}.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as handle:
            _write({kind: rows}, fmt, handle, case)
        click.echo(f"{path}: {len(rows)} {kind}")


def _write(tables: dict[str, list[dict[str, Any]]], fmt: str, handle: Any, case: str) -> None:
    if fmt == "json":
        document = {"case": case, **tables}
        handle.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    (rows,) = tables.values()
    write_csv([_flat(row) for row in rows], handle)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """CSV cells: nested history and payloads as JSON text."""
    return {
        k: json.dumps(v, ensure_ascii=False)
        if isinstance(v, list) and v and isinstance(v[0], dict)
        else v
        for k, v in row.items()
    }
