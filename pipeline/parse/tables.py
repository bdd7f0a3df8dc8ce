"""Hearing tables in HTML: cells as printed, columns mapped to fields by their header text.

Shared by the schedule spiders (``court_table``, ``office_sud_kz``); not a spider itself.
Columns are found by what their header says (ru/kk/en synonyms, :mod:`pipeline.parse.table_words`,
plus per-source ``columns`` hints), never by position, so a reordered or extended table still
parses and an unknown column is kept in :attr:`RawHearing.cells`.

Cell text: whitespace collapsed within a line; line breaks inside a cell (``<br>``, ``<p>``,
``<div>``, ``<li>``) are kept as ``"\\n"`` so a list of parties stays a list. Header text is
one line (its breaks become spaces). A ``colspan``/``rowspan`` cell repeats its text in every
slot it covers, like pandas' ``read_html``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import parsel

from pipeline.items import RawHearing
from pipeline.parse.table_words import EXCLUDE, SYNONYMS

FIELDS = ("date", "time", "datetime", "case_number", "judge", "parties", "category",
          "courtroom", "status", "stage")  # fmt: skip
IGNORE = "ignore"
"""A ``columns`` hint value that keeps a column out of every field (it stays in ``cells``)."""
EXACT, HINTED = 1.0, 2.0
MAX_SPAN = 200
MAX_WIDTH = 100
"""Columns kept per table; court schedules print ten or so."""
MAX_SLOTS = 200_000
"""Cells a table may fill once its spans are expanded (a 2,000-row schedule of 100 columns)."""
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "tr", "table", "dl", "dt", "dd", "blockquote", "section",
     "article", "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_WORD_RE = re.compile(r"[^\w]+")
_NUMBER_SIGN_RE = re.compile(r"\bn[o°º]\b\.?|\bnr\b\.?|#", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


class TableTooLarge(ValueError):
    """A table whose spans would expand past :data:`MAX_SLOTS`: a broken or hostile page."""


@dataclass(frozen=True, slots=True)
class Table:
    """One HTML table: header texts and data rows of cell texts, as printed."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# ---------------------------------------------------------------- header mapping


def normalize_header(text: str) -> str:
    """Lower case, ё→е, «№»/No./# → ``no``, punctuation → spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text.replace("№", " no ")).casefold().replace("ё", "е")
    text = _NUMBER_SIGN_RE.sub(" no ", text)
    return " ".join(_WORD_RE.sub(" ", text).replace("_", " ").split())


_NORMALIZED = {f: tuple(normalize_header(s) for s in syns) for f, syns in SYNONYMS.items()}


def field_scores(header: str) -> dict[str, float]:
    """How well one header names each field: 1.0 for a synonym; less for a header that only
    contains one as whole words (the larger its share of the header, the higher). A header
    that is a synonym of some field gets no partial scores for the others."""
    norm = normalize_header(header)
    if not norm:
        return {}
    padded = f" {norm} "
    exact: dict[str, float] = {}
    partial: dict[str, float] = {}
    for name, synonyms in _NORMALIZED.items():
        excluded = EXCLUDE.get(name)
        if excluded is not None and excluded.search(norm):
            continue
        if norm in synonyms:
            exact[name] = EXACT
            continue
        shares = [len(syn) / len(norm) for syn in synonyms if f" {syn} " in padded]
        if shares:
            partial[name] = 0.5 + 0.4 * max(shares)
    return exact or partial


def _checked_hints(hints: Mapping[str, str] | None) -> dict[str, str]:
    """Hints by normalised header text; an unknown field name is a config error."""
    checked = {}
    for header, name in (hints or {}).items():
        if name not in FIELDS and name != IGNORE:
            wanted = ", ".join((*FIELDS, IGNORE))
            raise ValueError(
                f"columns[{header!r}]: unknown field {name!r} (expected one of {wanted})"
            )
        checked[normalize_header(header)] = name
    return checked


def scored_mapping(
    headers: Sequence[str], hints: Mapping[str, str] | None = None
) -> dict[int, tuple[str, float]]:
    """Column index → (field, score). Hints first; then each column bids for its best field
    and the highest bid gets it (the leftmost column wins a tie); a column whose best field
    went to another column stays unmapped rather than take a field it names less well."""
    wanted = _checked_hints(hints)
    chosen: dict[int, tuple[str, float]] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = wanted.get(normalize_header(header))
        if name and name not in taken:
            taken.add(name)
            chosen[index] = (name, HINTED)
    hinted = {i for i, h in enumerate(headers) if normalize_header(h) in wanted}
    candidates = sorted(
        ((score, -index, name) for index, header in enumerate(headers) if index not in hinted
         for name, score in _best(field_scores(header))),
        reverse=True,
    )  # fmt: skip
    for score, negative_index, name in candidates:
        index = -negative_index
        if index not in chosen and name not in taken:
            taken.add(name)
            chosen[index] = (name, score)
    return {i: v for i, v in sorted(chosen.items()) if v[0] != IGNORE}


def _best(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """The field a header names best (the first in FIELDS order on a tie)."""
    if not scores:
        return []
    name = max(scores, key=lambda n: (scores[n], -FIELDS.index(n)))
    return [(name, scores[name])]


def map_headers(headers: Sequence[str], hints: Mapping[str, str] | None = None) -> dict[int, str]:
    """Column index → field name, by header text; unknown headers are left out."""
    return {index: name for index, (name, _) in scored_mapping(headers, hints).items()}


def is_schedule(fields: Iterable[str]) -> bool:
    """Enough to be a hearing list: a date (alone or with the time) and a case number or parties."""
    found = set(fields)
    return bool(found & {"date", "datetime"}) and bool(found & {"case_number", "parties"})


def score_headers(headers: Sequence[str], hints: Mapping[str, str] | None = None) -> float:
    """The sum of the column scores (0.0 when the headers do not make a schedule)."""
    mapping = scored_mapping(headers, hints)
    if not is_schedule(name for name, _ in mapping.values()):
        return 0.0
    return sum(score for _, score in mapping.values())


def best_table(tables: Iterable[Table], hints: Mapping[str, str] | None = None) -> Table | None:
    """The table whose headers map best (more rows break a tie); None if none is a schedule."""
    scored = [(score_headers(t.headers, hints), len(t.rows), -i, t) for i, t in enumerate(tables)]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: s[:3])[3] if scored else None


# ---------------------------------------------------------------- HTML → Table


def extract_tables(selector: parsel.Selector | parsel.SelectorList[Any]) -> list[Table]:
    """Every ``<table>`` in (or being) the selection, nested ones included, in document order.

    Header rows: the ``<thead>`` rows; without a ``<thead>``, the leading rows made only of
    ``<th>``; without those, the first row. Several header rows are joined per column with
    " / " (a grouped header). A table with no rows is left out."""
    nodes = selector if isinstance(selector, parsel.SelectorList) else [selector]
    tables = []
    for node in nodes:
        for element in node.root.xpath("descendant-or-self::table"):
            table = _table(element)
            if table is not None:
                tables.append(table)
    return tables


def _table(element: Any) -> Table | None:
    rows = element.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    if not rows:
        return None
    grid = _grid(rows)
    width = max(len(r) for r in grid)
    grid = [r + [("", False)] * (width - len(r)) for r in grid]
    head_count = _header_row_count(rows)
    headers = tuple(_joined_header(grid[:head_count], column) for column in range(width))
    body = tuple(tuple(text for text, _ in row) for row in grid[head_count:])
    return Table(headers, body)


def _header_row_count(rows: Sequence[Any]) -> int:
    in_head = sum(1 for r in rows if r.getparent().tag == "thead")
    if in_head:
        return in_head
    count = 0
    for row in rows:
        cells = row.xpath("./th | ./td")
        if not cells or any(c.tag != "th" for c in cells):
            break
        count += 1
    return count or 1


def _joined_header(rows: Sequence[list[tuple[str, bool]]], column: int) -> str:
    parts: list[str] = []
    for row in rows:
        text = _SPACE_RE.sub(" ", row[column][0]).strip()
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return " / ".join(parts)


def _grid(rows: Sequence[Any]) -> list[list[tuple[str, bool]]]:
    """Rows of (text, is_th) with every span expanded into the slots it covers.

    Linear in the slots filled, and bounded: columns past :data:`MAX_WIDTH` are dropped (no
    court prints a hundred columns; a hostile page printed 120,000), and a table that would
    fill more than :data:`MAX_SLOTS` slots is refused with :class:`TableTooLarge`."""
    grid: list[list[tuple[str, bool]]] = [[] for _ in rows]
    pending: dict[int, dict[int, tuple[str, bool]]] = {}
    budget = MAX_SLOTS
    for r, row in enumerate(rows):
        below = pending.pop(r, {})
        column = 0
        for cell in row.xpath("./th | ./td"):
            column = _fill_pending(grid[r], below, column)
            if column >= MAX_WIDTH:
                break
            value = (cell_text(cell), cell.tag == "th")
            colspan = min(_span(cell.get("colspan")), MAX_WIDTH - column)
            rowspan = min(_span(cell.get("rowspan"), zero_means=len(rows) - r), len(rows) - r)
            budget -= colspan * rowspan
            if budget < 0:
                raise TableTooLarge(f"table over {MAX_SLOTS} cells once its spans are expanded")
            grid[r].extend([value] * colspan)
            for dr in range(1, rowspan):
                later = pending.setdefault(r + dr, {})
                for dc in range(colspan):
                    later[column + dc] = value
            column += colspan
        _fill_pending(grid[r], below, column, to_end=True)
    return grid


def _fill_pending(
    row: list[tuple[str, bool]],
    below: dict[int, tuple[str, bool]],
    column: int,
    to_end: bool = False,
) -> int:
    """Put cells spanning down from rows above (``below``: column → cell) into this row at
    ``column`` and on; ``to_end``: every one left, blanks between."""
    end = max(below, default=-1) + 1 if to_end else 0
    while column in below or column < end:
        row.append(below.pop(column, ("", False)))
        column += 1
    return column


def _span(value: str | None, zero_means: int = 1) -> int:
    """A ``colspan``/``rowspan`` value, clamped to 1..MAX_SPAN; ``rowspan="0"`` runs to the end."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return 1
    return max(1, min(zero_means if number == 0 else number, MAX_SPAN))


def cell_text(element: Any) -> str:
    """A cell's text: lines kept (``<br>`` and block elements), whitespace collapsed in each."""
    parts: list[str] = []
    _collect_text(element, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect_text(element: Any, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else None
    if tag is None or tag in _SKIP_TAGS:
        return
    block = tag in _BLOCK_TAGS
    if tag == "br" or block:
        parts.append("\n")
    if element.text:
        parts.append(_SPACE_RE.sub(" ", element.text))
    for child in element:
        _collect_text(child, parts)
        if child.tail:
            parts.append(_SPACE_RE.sub(" ", child.tail))
    if block:
        parts.append("\n")
    elif tag in ("td", "th"):
        parts.append(" ")


# ---------------------------------------------------------------- Table → RawHearing


def cell_keys(headers: Sequence[str], width: int) -> list[str]:
    """Unique keys for ``cells``: the header text, " (2)" on a repeat, ``column N`` if blank."""
    keys: list[str] = []
    counts: dict[str, int] = {}
    for index in range(width):
        text = headers[index] if index < len(headers) else ""
        base = _SPACE_RE.sub(" ", text).strip() or f"column {index + 1}"
        counts[base] = counts.get(base, 0) + 1
        keys.append(base if counts[base] == 1 else f"{base} ({counts[base]})")
    return keys


def rows_to_hearings(
    table: Table,
    *,
    source_id: str,
    url: str,
    court: str,
    timezone: str,
    hints: Mapping[str, str] | None = None,
    start_row: int = 1,
) -> list[RawHearing]:
    """One RawHearing per data row (``row`` counts from ``start_row``). Skipped: a row whose
    cells are all empty, and a group heading (one text spanning every column). A combined
    date-and-time column fills ``date`` (``time`` stays empty unless a time column exists)."""
    mapping = map_headers(table.headers, hints)
    width = max([len(table.headers), *(len(r) for r in table.rows)])
    keys = cell_keys(table.headers, width)
    hearings = []
    for offset, row in enumerate(table.rows):
        if _not_a_hearing(row):
            continue
        cells = tuple(row) + ("",) * (width - len(row))
        hearing = RawHearing(
            source_id=source_id,
            url=url,
            court=court,
            timezone=timezone,
            cells=dict(zip(keys, cells, strict=True)),
            row=start_row + offset,
            **_fields(mapping, cells),
        )
        hearings.append(hearing)
    return hearings


def _not_a_hearing(cells: Sequence[str]) -> bool:
    """All cells empty, or one text repeated in every cell (a spanning group heading)."""
    texts = {c.strip() for c in cells}
    return not texts - {""} or (len(cells) > 1 and len(texts) == 1)


def _fields(mapping: Mapping[int, str], cells: Sequence[str]) -> dict[str, str]:
    values = {name: cells[index] for index, name in mapping.items()}
    combined = values.pop("datetime", "")
    if not values.get("date"):
        values["date"] = combined
    return values
