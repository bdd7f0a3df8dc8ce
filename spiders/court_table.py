"""Any court page that lists hearings in an HTML table → RawHearing rows, then one FetchReport.

Config-driven: the source entry gives the URL, the court's name and time zone, optionally a
CSS ``selector`` for the table (else the table whose headers map best) and ``columns`` hints
for headers the built-in synonyms do not know (:mod:`pipeline.parse.tables`). A ``rel=next`` link is
followed, up to :data:`MAX_PAGES` pages; the report comes after the last page.

A page that should hold a schedule and does not is a source error, never silence: the
selector matches nothing, no table's headers make a schedule, an HTTP error, a body that is
not HTML. A schedule table with headers and no rows is a valid empty schedule.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import scrapy
from cssselect import SelectorError
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from pipeline.config.sources import Source
from pipeline.items import FetchReport, FetchSpec, RawHearing, ScanWindow
from pipeline.parse.tables import Table, best_table, extract_tables, map_headers, rows_to_hearings
from spiders.base import ConfiguredSpider, describe_failure, entry_of, failed, spec_of

KINDS = ("court_table",)
MAX_PAGES = 20
PASSED_STATUSES = tuple(range(400, 600))
"""HTTP errors reach the callback, which reports them (redirects are still followed)."""
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
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

    def window(self) -> ScanWindow | None:
        """The dates the pages printed, first to last; None when one did not read."""
        if self.odd_date or not self.low:
            return None
        return ScanWindow(date.fromisoformat(self.low), date.fromisoformat(self.high))


@dataclass(frozen=True, slots=True)
class Page:
    hearings: tuple[RawHearing, ...] = ()
    next_url: str = ""
    problem: str = ""


class CourtTableSpider(ConfiguredSpider):
    """``scrapy crawl court_table [-a source=ID]``, or
    ``crawl(CourtTableSpider, specs=[FetchSpec…], sources={id: Source})``."""

    name = "court_table"
    kinds = KINDS

    async def start(self) -> AsyncIterator[scrapy.Request | FetchReport]:
        specs, sources = self.plan()
        for spec in specs:
            entry = sources.get(spec.source_id)
            if entry is None:
                self.logger.error("%s: no court_table entry in the config", spec.source_id)
                yield failed(spec, "no court_table entry with this id in the config")
            else:
                yield self.page_request(spec, entry, Scan(), spec.url)

    def page_request(self, spec: FetchSpec, entry: Source, scan: Scan, url: str) -> scrapy.Request:
        headers = {"Accept": ACCEPT}
        if entry.language:
            headers["Accept-Language"] = entry.language
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            headers=headers,
            dont_filter=True,  # a repeated page is caught by ``scan.seen``, never dropped unreported
            meta={"spec": spec, "source": entry, "scan": scan,
                  "handle_httpstatus_list": PASSED_STATUSES},
        )  # fmt: skip

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        spec, entry, scan = spec_of(response.meta), entry_of(response.meta), scan_of(response.meta)
        try:
            page = read_page(spec, entry, response)
        except Exception as exc:  # the contract is one report per source, whatever happens
            self.logger.exception("%s: cannot parse %s", spec.source_id, response.url)
            page = Page(problem=f"parse failed: {exc!r}")
        if page.problem:
            report = failed(spec, on_page(scan, response.url, page.problem), response.status)
            self.logger.warning("%s", report.error)
            yield report
            return
        yield from page.hearings
        scan = scan.add(response.url, page.hearings)
        more = bool(page.next_url) and page.next_url not in scan.seen
        if more and scan.pages < MAX_PAGES:
            yield self.page_request(spec, entry, scan, page.next_url)
        else:
            yield finished(spec, response.status, scan, truncated=more)

    def on_error(self, failure: Failure) -> Iterator[FetchReport]:
        request = failure.request  # type: ignore[attr-defined]
        spec, scan = spec_of(request.meta), scan_of(request.meta)
        max_body = self.settings.getint("DOWNLOAD_MAXSIZE")
        problem = on_page(scan, request.url, describe_failure(failure, request.meta, max_body))
        status = getattr(getattr(failure.value, "response", None), "status", None)
        self.logger.warning("%s: %s (%s)", spec.source_id, problem, request.url)
        yield failed(spec, problem, status)


# ---------------------------------------------------------------- meta


def scan_of(meta: Mapping[str, Any]) -> Scan:
    scan = meta.get("scan")
    return scan if isinstance(scan, Scan) else Scan(**(scan or {}))


# ---------------------------------------------------------------- reading a page


def read_page(spec: FetchSpec, entry: Source, response: Response) -> Page:
    """The hearings and the next page's URL of one response, or the problem with it."""
    problem = response_problem(response)
    if problem or not isinstance(response, HtmlResponse):
        return Page(problem=problem)
    try:
        map_headers((), entry.columns)
    except ValueError as exc:
        return Page(problem=f"config {exc}")
    table, problem = find_table(response, entry)
    if table is None:
        return Page(problem=problem)
    hearings = rows_to_hearings(
        table,
        source_id=spec.source_id,
        url=response.url,
        court=entry.court or "",
        timezone=entry.timezone or "",
        hints=entry.columns,
    )
    return Page(tuple(hearings), next_link(response))


def response_problem(response: Response) -> str:
    if not 200 <= response.status < 300:
        return f"HTTP {response.status}"
    if not response.body.strip():
        return "empty body"
    if not isinstance(response, HtmlResponse):
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no Content-Type"
        return f"not an HTML page ({kind})"
    return ""


def find_table(response: HtmlResponse, entry: Source) -> tuple[Table | None, str]:
    """The schedule table, chosen by header mapping among the selector's (or the page's)."""
    scope: Any = response.selector
    if entry.selector:
        try:
            scope = response.css(entry.selector)
        except (SelectorError, ValueError) as exc:
            return None, f"selector {entry.selector!r} is not valid CSS: {exc}"
        if not scope:
            return None, f"selector {entry.selector!r} matched nothing"
    tables = extract_tables(scope)
    if not tables:
        where = f"selector {entry.selector!r} matched no table" if entry.selector else ""
        return None, where or "no table on the page"
    table = best_table(tables, entry.columns)
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


def finished(spec: FetchSpec, status: int, scan: Scan, truncated: bool) -> FetchReport:
    extra = {"pages": str(scan.pages)}
    if truncated:
        extra["note"] = f"stopped after {MAX_PAGES} pages; more follow"
    return FetchReport(
        source_id=spec.source_id,
        url=spec.url,
        status=status,
        items=scan.items,
        window=None if truncated else scan.window(),
        extra=extra,
    )
