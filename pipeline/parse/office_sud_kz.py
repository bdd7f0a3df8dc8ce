"""office.sud.kz public hearing schedule («График судебных заседаний»): the walk's state and
what its answers hold (``spiders/office_sud_kz.py`` walks it).

The page (``/new/scheduleOfCases/index.xhtml``) is a JSF/RichFaces form driven by partial-ajax
POSTs (SOURCES.md §1.2): region → court (its options are re-rendered) → case type → date →
search → result pages, for every court, case type and date of the window. Each answer carries
the next ViewState. Element ids are found by suffix (``j_idtNN`` prefixes drift between
deploys; the generic JSF/RichFaces pieces are in :mod:`pipeline.parse.jsf`), result columns by
their header text (:mod:`pipeline.parse.tables`): the row layout of the real site is not known.

The whole state of one source's walk (:class:`Scan`) travels in request meta as plain data, so a
saved answer replays through any callback (fixtures) and sources crawl side by side, each in its
own cookie jar (JSESSIONID). The source's one :class:`~pipeline.items.FetchReport`
(:func:`report`) names in ``window`` the dates scanned when every page of them was read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import parsel
from scrapy.http import Response

from pipeline.items import FetchReport, RawHearing, RawResponse, ScanWindow
from pipeline.parse.jsf import Form, Pager, from_plain, script_trigger, text_of
from pipeline.parse.tables import Table, extract_tables, map_headers, rows_to_hearings

KIND = "office_sud_kz"
DEFAULT_TIMEZONE = "Asia/Almaty"
FORM_SUFFIX = "schedule-of-case-filter-form"
ROLE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "region": ("district-field",),
    "court": ("court-field",),
    "case_type": ("caseType-field",),
    "date": ("date-field", "date-fieldInputDate"),
    "search": (":search",),
}
"""Form controls by the end of their client id; the first suffix that matches wins."""
REQUIRED_ROLES = ("region", "date", "search")
"""On the page itself; the court list comes with the region, a case type is optional."""
LANGUAGE_FORM = "f_l_temp"
LANGUAGE_SCRIPTS = {"ru": "selectLanguageRu", "kk": "selectLanguageKk"}
LANGUAGE_FALLBACK = {"ru": "f_l_temp:js_temp_1"}
"""Seen in scrapers as the Russian switch; the Kazakh one is read from the page's script."""
EMPTY_MARKERS = ("ничего не найдено", "табылмады")
"""«По указанным данным ничего не найдено» / «Көрсетілген деректер бойынша ештеңе табылмады»."""
DROPPED = ("ConnectionDone", "ConnectionLost", "ResponseNeverReceived", "ResponseDataLoss")
DATE_FORMAT = "%d.%m.%Y"
MAX_RESTARTS = 1
PASSED_STATUSES = (*range(300, 309), *range(400, 600))
PAGER = Pager()
ALL_REGIONS = "all"


# ---------------------------------------------------------------- the walk's state (plain data)


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What to scan for one source; fixed for the crawl."""

    source_id: str
    url: str
    region: str
    """A region id; ``all``: every region the page offers."""
    court_ids: tuple[str, ...] = ()
    """Empty: every court the region offers."""
    case_types: tuple[str, ...] = ()
    """Empty: every case type the court offers."""
    dates: tuple[str, ...] = ()
    """ISO dates of the window, first to last."""
    language: str = "ru"
    timezone: str = DEFAULT_TIMEZONE
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    regions: tuple[str, ...] = ()
    """More regions to visit after ``region``, in order."""


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    """Where the walk is, and what it has done so far."""

    court: int = 0
    case_type: int = 0
    date: int = 0
    page: int = 1
    pages_read: int = 0
    """Pages of the current date already yielded (skipped again after a restart)."""
    courts: tuple[tuple[str, str], ...] = ()
    """(value, name) of the courts to visit."""
    case_types: tuple[str, ...] = ()
    items: int = 0
    pages: int = 0
    restarts: int = 0
    language_done: bool = False
    gaps: tuple[str, ...] = ()
    """What could not be read in full; a scan with gaps is not complete."""
    regions: tuple[str, ...] = ()
    """The region ids to visit (from the plan, or every one the page offers)."""
    region: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Scan:
    plan: Plan
    form: Form = dataclasses.field(default_factory=Form)
    cursor: Cursor = Cursor()

    @property
    def region(self) -> str:
        """The region being read."""
        c = self.cursor
        return c.regions[c.region] if c.region < len(c.regions) else self.plan.region

    def step(self, label: str) -> str:
        c = self.cursor
        if c.court >= len(c.courts) or c.date >= len(self.plan.dates):
            return label
        where = f"region {self.region}, " if len(c.regions) > 1 else ""
        return f"{label} ({where}court {c.courts[c.court][0]}, date {self.plan.dates[c.date]}, page {c.page})"


def scan_of(meta: Mapping[str, Any]) -> Scan:
    """The request's Scan (a mapping is accepted too: meta may come from a JSON fixture)."""
    scan = meta[KIND]
    if isinstance(scan, Scan):
        return scan
    plan, form, cursor = scan["plan"], scan["form"], scan["cursor"]
    return Scan(from_plain(Plan, plan), from_plain(Form, form), from_plain(Cursor, cursor))


def window_dates(today: date, days_ahead: int) -> tuple[str, ...]:
    """ISO dates of the window today … today + days_ahead."""
    return tuple((today + timedelta(days=n)).isoformat() for n in range(days_ahead + 1))


def local_today(timezone: str | None) -> date:
    return datetime.now(ZoneInfo(timezone or DEFAULT_TIMEZONE)).date()


# ---------------------------------------------------------------- pure helpers


def scan_meta(scan: Scan, step: str) -> dict[str, Any]:
    """A request's meta. Each source (and each restart) gets its own cookie jar, so its own
    JSESSIONID."""
    jar = f"{scan.plan.source_id}#{scan.cursor.restarts}"
    return {KIND: scan, "step": step, "cookiejar": jar, "dont_redirect": True,
            "handle_httpstatus_list": list(PASSED_STATUSES)}  # fmt: skip


def moved(scan: Scan, **changes: Any) -> Scan:
    """The scan with its cursor moved (``changes`` of :class:`Cursor`)."""
    return dataclasses.replace(scan, cursor=dataclasses.replace(scan.cursor, **changes))


def restarted(scan: Scan) -> Scan:
    """Back to the page in a fresh session; the cursor keeps its place."""
    return Scan(scan.plan, Form(), dataclasses.replace(scan.cursor, restarts=scan.cursor.restarts + 1,
                                                       language_done=False))  # fmt: skip


def regions_to_visit(plan: Plan, offered: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """``all``: every region the page offers, in its order; else the configured ones."""
    if plan.region == ALL_REGIONS:
        return tuple(value for value, _ in offered if value)
    return tuple(dict.fromkeys((plan.region, *plan.regions)))


def plan_problem(plan: Plan) -> str:
    if not plan.region:
        return "no region set (the office.sud.kz region id, e.g. '22' for Zhetysu, or 'all')"
    if plan.court_ids and (plan.region == ALL_REGIONS or plan.regions):
        return "court_ids name courts of one region: leave them out to read several regions"
    try:
        map_headers((), plan.columns)
    except ValueError as exc:
        return f"columns: {exc}"
    return ""


def report(
    scan: Scan, status: int | None = None, error: str = "", response: RawResponse | None = None
) -> FetchReport:
    c, plan = scan.cursor, scan.plan
    window = None
    if not error and not c.gaps and plan.dates:
        window = ScanWindow(date.fromisoformat(plan.dates[0]), date.fromisoformat(plan.dates[-1]))
    extra = {"pages": str(c.pages), "restarts": str(c.restarts)}
    if c.gaps:
        extra["gaps"] = "; ".join(c.gaps)
    return FetchReport(source_id=plan.source_id, url=plan.url, status=status, ok=not error,
                       error=f"{plan.source_id}: {error}" if error else "", items=c.items,
                       window=window, extra=extra, response=response)  # fmt: skip


# ---------------------------------------------------------------- reading answers


def language_trigger(response: Response, language: str) -> str | None:
    """The id of the language switch to press; "" when the page already speaks the language,
    None when the page has no switch for it."""
    current = (response.xpath("/html/@lang").get() or "").split("-")[0].lower()
    if current == language:
        return ""
    return script_trigger(response, LANGUAGE_SCRIPTS[language]) or LANGUAGE_FALLBACK.get(language)


def is_empty_result(html: parsel.Selector) -> bool:
    text = text_of(html).casefold()
    return any(marker in text for marker in EMPTY_MARKERS)


def results_table(html: parsel.Selector, hints: Mapping[str, str]) -> Table | None:
    """The result table: the one whose headers name the most fields (a hearing list needs at
    least a case number, parties or judge column); None when there is none."""
    scored = []
    for index, table in enumerate(extract_tables(html)):
        fields = set(map_headers(table.headers, hints).values())
        if fields & {"case_number", "parties", "judge"}:
            scored.append((len(fields), len(table.rows), -index, table))
    return max(scored, key=lambda s: s[:3])[3] if scored else None


def page_hearings(scan: Scan, table: Table) -> list[RawHearing]:
    """The rows of one page; without a date column each row gets the searched date."""
    c, plan = scan.cursor, scan.plan
    rows = rows_to_hearings(table, source_id=plan.source_id, url=plan.url, court=c.courts[c.court][1],
                            timezone=plan.timezone, hints=plan.columns)  # fmt: skip
    if set(map_headers(table.headers, plan.columns).values()) & {"date", "datetime"}:
        return rows
    searched = date.fromisoformat(plan.dates[c.date]).strftime(DATE_FORMAT)
    return [dataclasses.replace(h, date=searched) for h in rows]
