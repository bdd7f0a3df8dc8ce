"""``casewatch export``: a case's articles, hearings and events as CSV or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.context import AppContext
from pipeline.output import write_csv
from pipeline.store.read.cases import list_cases
from pipeline.store.read.export import KINDS, export_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
    "--format",
    "fmt",
    type=click.Choice(("csv", "json")),
    help="Default: json on stdout, csv with --out.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per kind into DIR (<case>-<kind>.<format>) instead of stdout.",
)
@click.pass_obj
def command(app: AppContext, case: str, what: str, fmt: str | None, out: Path | None) -> None:
    """A case's articles (with why they matched), hearings (with history) and events, as one
    JSON document on stdout, or CSV (cells a spreadsheet would run as formulas are quoted),
    one file per kind with --out DIR. Field names and times are those of `articles`,
    `hearings`, `events` and the API."""
    kinds = _kinds(what)
    fmt = fmt or ("csv" if out is not None else "json")
    if out is None and fmt == "csv" and len(kinds) > 1:
        raise click.UsageError("CSV of several kinds needs --out DIR (or pick one with --what)")
    with app.sessions(write=False)() as session:
        _known(app, session, case)
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


def _known(app: AppContext, session: Session, case: str) -> None:
    """A usage error (exit 2) naming the known cases when ``case`` is neither in the config
    nor in the store (a case removed from the config keeps what was collected for it)."""
    known = {c.slug for c in app.config().cases} | {c.slug for c in list_cases(session)}
    if case not in known:
        names = ", ".join(sorted(known)) or "none: add one to cases.yaml"
        raise click.BadParameter(f"unknown case {case!r} (known: {names})", param_hint="--case")


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
