"""Any court page that lists hearings in an HTML table → RawHearing rows, then one FetchReport
(``spiders/court_table.py`` fetches the pages).

The source entry gives the URL, the court's name and time zone, optionally a CSS ``selector``
for the table (else the table whose headers map best) and ``columns`` hints for headers the
built-in synonyms do not know (:mod:`pipeline.parse.tables`). A ``rel=next`` link is followed,
up to :data:`MAX_PAGES` pages; the report comes after the last page.

A page that should hold a schedule and does not is a source error, never silence: the
selector matches nothing, no table's headers make a schedule, an HTTP error, a body that is
not HTML. A schedule table with headers and no rows is a valid empty schedule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from cssselect import SelectorError
from scrapy.http import HtmlResponse, Response

from pipeline.items import FetchReport, FetchSpec, RawHearing, ScanWindow
from pipeline.parse.responses import html_problem
from pipeline.parse.tables import Table, best_table, extract_tables, map_headers, rows_to_hearings

MAX_PAGES = 20
Coverage = Literal["upcoming", "printed"]
"""What a complete scan of a schedule page covers (``coverage:`` of a court_table row)."""
_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_NEXT_CSS = 'a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)'


@dataclass(frozen=True, slots=True)
class Scan:
    """What the pages of one source read so far add up to (carried from page to page)."""

    pages: int = 0
    items: int = 0
    low: str = ""
    high: str = ""
    """Earliest and latest hearing date printed (ISO), when they read as dd.mm.yyyy."""
    odd_date: bool = False
    """A printed date did not read as dd.mm.yyyy: the window is then not stated."""
    seen: tuple[str, ...] = ()

    def add(self, url: str, hearings: Iterable[RawHearing]) -> Scan:
        low, high, odd, count = self.low, self.high, self.odd_date, 0
        for hearing in hearings:
            count += 1
            day = printed_date(hearing.date)
            if day is None:
                odd = odd or bool(hearing.date.strip())
                continue
            low, high = min(low or day, day), max(high, day)
        return Scan(self.pages + 1, self.items + count, low, high, odd, (*self.seen, url))

    def window(self, coverage: Coverage = "upcoming") -> ScanWindow | None:
        """What the scan read completely: with ``upcoming`` coverage (the page lists every
        hearing from today on) every date; with ``printed``, the dates the pages printed, first
        to last. None when a printed date did not read or no row had a date: nothing can be
        said to have left the schedule then."""
        if self.odd_date or not self.low:
            return None
        if coverage == "upcoming":
            return ScanWindow(date.min, date.max)
        return ScanWindow(date.fromisoformat(self.low), date.fromisoformat(self.high))


@dataclass(frozen=True, slots=True)
class Page:
    hearings: tuple[RawHearing, ...] = ()
    next_url: str = ""
    problem: str = ""


def scan_of(meta: Mapping[str, Any]) -> Scan:
    scan = meta.get("scan")
    return scan if isinstance(scan, Scan) else Scan(**(scan or {}))


# ---------------------------------------------------------------- reading a page


def read_page(
    spec: FetchSpec,
    response: Response,
    *,
    court: str,
    timezone: str,
    selector: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Page:
    """The hearings and the next page's URL of one response, or the problem with it."""
    problem = html_problem(response)
    if problem or not isinstance(response, HtmlResponse):
        return Page(problem=problem)
    try:
        map_headers((), columns)
    except ValueError as exc:
        return Page(problem=f"config {exc}")
    table, problem = find_table(response, selector, columns)
    if table is None:
        return Page(problem=problem)
    hearings = rows_to_hearings(
        table,
        source_id=spec.source_id,
        url=response.url,
        court=court,
        timezone=timezone,
        hints=columns,
    )
    return Page(tuple(hearings), next_link(response))


def find_table(
    response: HtmlResponse, selector: str | None, columns: Mapping[str, str] | None
) -> tuple[Table | None, str]:
    """The schedule table, chosen by header mapping among the selector's (or the page's)."""
    scope: Any = response.selector
    if selector:
        try:
            scope = response.css(selector)
        except (SelectorError, ValueError) as exc:
            return None, f"selector {selector!r} is not valid CSS: {exc}"
        if not scope:
            return None, f"selector {selector!r} matched nothing"
    tables = extract_tables(scope)
    if not tables:
        where = f"selector {selector!r} matched no table" if selector else ""
        return None, where or "no table on the page"
    table = best_table(tables, columns)
    if table is None:
        return None, no_schedule(tables)
    return table, ""


def no_schedule(tables: list[Table]) -> str:
    """Name the likeliest table's headers, so whoever fixes ``columns`` sees what is printed."""
    biggest = max(tables, key=lambda t: len(t.rows))
    shown = ", ".join(repr(h) for h in biggest.headers[:8])
    return (
        f"no schedule table: none of {len(tables)} table(s) has headers naming a date and a "
        f"case number or parties (headers of the largest: {shown}); add `columns` hints"
    )


def next_link(response: Response) -> str:
    href = response.css(_NEXT_CSS).get()
    return response.urljoin(href.strip()) if href and href.strip() else ""


def printed_date(text: str) -> str | None:
    """The ISO date of the first dd.mm.yyyy in ``text``; None without one (or a bad one)."""
    match = _DATE_RE.search(text)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- reports


def on_page(scan: Scan, url: str, problem: str) -> str:
    """The problem, naming the page when it is not the first."""
    return problem if scan.pages == 0 else f"page {scan.pages + 1} ({url}): {problem}"


def finished(
    spec: FetchSpec, status: int, scan: Scan, truncated: bool, coverage: Coverage = "upcoming"
) -> FetchReport:
    """The source's report after its last page (``truncated``: more pages followed, so the
    scan covers nothing completely)."""
    extra = {"pages": str(scan.pages)}
    if truncated:
        extra["note"] = f"stopped after {MAX_PAGES} pages; more follow"
    return FetchReport(
        source_id=spec.source_id,
        url=spec.url,
        status=status,
        items=scan.items,
        window=None if truncated else scan.window(coverage),
        extra=extra,
    )
