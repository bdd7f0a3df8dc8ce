"""Render listing rows as a table (rich), one JSON array, or CSV (RFC 4180, formula-safe).

rich is imported when a table is written, not with this module: every command's context
imports it, ``casewatch run`` included, and the service never prints a table (≈ 2 MB and 45
modules it would keep resident; ``bench/service.py``).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

Format = Literal["table", "json", "csv"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv")
Row = Mapping[str, Any]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
"""What never reaches a terminal or a file we print: controls (an ESC starts a terminal escape
sequence), bidi controls and zero-width characters (they make a line read as other text).
Ingest drops the same set (``pipeline.normalize.text``); rows stored before it did, and error
texts, may still hold some."""
_PIPE_WIDTH = 1000
_TABLE_MAX_WIDTH = {
    "title": 60,
    "url": 50,
    "last_error": 40,
    "last_warning": 40,
    "payload": 40,
    "name": 40,
    "cases": 30,
}


def iso_instant(value: datetime) -> str:
    """A moment as JSON shows it everywhere (CLI, API, exports): ISO 8601 with a numeric UTC
    offset — ``2026-12-01T05:00:00+00:00``, a hearing ``2026-12-01T10:00:00+05:00`` — never
    ``Z``, so it reads like the times stored in alert payloads. A naive value is taken as UTC."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()


def to_row(record: Any) -> dict[str, Any]:
    """A dataclass instance as a JSON-ready dict: ISO 8601 datetimes, lists for tuples."""
    return {k: jsonable(v) for k, v in dataclasses.asdict(record).items()}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_instant(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def printable(value: Any) -> Any:
    """``value`` with every string in it (nested in lists and dicts too) stripped of control
    and invisible characters; newlines and tabs kept."""
    if isinstance(value, str):
        return _UNSAFE_RE.sub("", value)
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    if isinstance(value, Mapping):
        return {printable(k): printable(v) for k, v in value.items()}
    return value


def render(rows: Sequence[Row], fmt: Format, out: TextIO, columns: Sequence[str] = ()) -> None:
    """Write ``rows`` to ``out``. ``columns`` picks the table's columns (CSV and JSON keep all).
    Text is :func:`printable` in every format."""
    rows = [printable(row) for row in rows]
    if fmt == "json":
        out.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        write_csv(rows, out)
    else:
        write_table(rows, out, columns or (list(rows[0]) if rows else []))


def csv_cell(value: Any) -> str:
    """A cell as text; text a spreadsheet would run as a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif not isinstance(value, str):
        return str(value)
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def write_csv(rows: Sequence[Row], out: TextIO) -> None:
    if not rows:
        return
    header = list(rows[0])
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(printable(row.get(name))) for name in header])


def _table_text(value: Any) -> str:
    """One line of plain text."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


def column_widths(cells: Mapping[str, Sequence[str]], total: int) -> dict[str, int]:
    """Short columns get their full width; capped (long-text) columns share what is left,
    each at most its cap, shrunk in proportion when the table would not fit ``total``."""
    from rich.cells import cell_len

    natural = {name: max([len(name), *(cell_len(c) for c in col)]) for name, col in cells.items()}
    capped = {n: min(w, _TABLE_MAX_WIDTH[n]) for n, w in natural.items() if n in _TABLE_MAX_WIDTH}
    fixed = sum(w for n, w in natural.items() if n not in capped)
    room = total - fixed - 3 * len(cells) - 1
    wanted = sum(capped.values())
    if wanted > room > 0:
        capped = {n: max(len(n), w * room // wanted) for n, w in capped.items()}
    return {**natural, **capped}


def write_table(rows: Sequence[Row], out: TextIO, columns: Sequence[str]) -> None:
    """Long text is cut with an ellipsis to fit a terminal; in a pipe or a file each
    long-text column keeps up to its cap. Cells are plain text: markup shows as typed."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, width=None if out.isatty() else _PIPE_WIDTH, highlight=False)
    cells = {name: [_table_text(row.get(name)) for row in rows] for name in columns}
    widths = column_widths(cells, console.width)
    table = Table(header_style="bold")
    for name in columns:
        table.add_column(name, width=widths[name], no_wrap=True, overflow="ellipsis")
    for index in range(len(rows)):
        table.add_row(*(Text(cells[name][index]) for name in columns))
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
