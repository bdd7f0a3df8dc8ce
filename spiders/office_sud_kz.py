"""office.sud.kz public hearing schedule («График судебных заседаний») → RawHearing items.

The page (``/new/scheduleOfCases/index.xhtml``) is a JSF/RichFaces form driven by partial-ajax
POSTs (SOURCES.md §1.2): region → court (its options are re-rendered) → case type → date →
search → result pages, for every court, case type and date of the window. Each answer carries
the next ViewState. Element ids are found by suffix (``j_idtNN`` prefixes drift between
deploys; the generic JSF/RichFaces pieces are in :mod:`pipeline.parse.jsf`), result columns by their
header text (:mod:`pipeline.parse.tables`): the row layout of the real site is not known.

The whole state of one source's walk travels in request meta as plain data, so a saved answer
replays through any callback (fixtures) and sources crawl side by side, each in its own
cookie jar (JSESSIONID). For every source the spider yields the hearings it read and then
exactly one :class:`~pipeline.items.FetchReport`, whose ``window`` names the dates scanned
when every page of them was read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import parsel
import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.load import load_config
from pipeline.config.sources import Source
from pipeline.items import FetchReport, FetchSpec, RawHearing, ScanWindow
from pipeline.parse.jsf import (
    Form,
    Pager,
    ajax_headers,
    ajax_pairs,
    from_plain,
    is_view_state,
    merge_updates,
    pick,
    read_form,
    read_partial,
    script_trigger,
    text_of,
)
from pipeline.parse.tables import Table, extract_tables, map_headers, rows_to_hearings
from spiders.base import describe_failure

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


# ---------------------------------------------------------------- the walk's state (plain data)


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What to scan for one source; fixed for the crawl."""

    source_id: str
    url: str
    region: str
    court_ids: tuple[str, ...] = ()
    """Empty: every court the region offers."""
    case_types: tuple[str, ...] = ()
    """Empty: every case type the court offers."""
    dates: tuple[str, ...] = ()
    """ISO dates of the window, first to last."""
    language: str = "ru"
    timezone: str = DEFAULT_TIMEZONE
    columns: dict[str, str] = dataclasses.field(default_factory=dict)


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


@dataclasses.dataclass(frozen=True, slots=True)
class Scan:
    plan: Plan
    form: Form = dataclasses.field(default_factory=Form)
    cursor: Cursor = Cursor()

    def step(self, label: str) -> str:
        c = self.cursor
        if c.court >= len(c.courts) or c.date >= len(self.plan.dates):
            return label
        return (
            f"{label} (court {c.courts[c.court][0]}, date {self.plan.dates[c.date]}, page {c.page})"
        )


def scan_of(meta: Mapping[str, Any]) -> Scan:
    """The request's Scan (a mapping is accepted too: meta may come from a JSON fixture)."""
    scan = meta[KIND]
    if isinstance(scan, Scan):
        return scan
    plan, form, cursor = scan["plan"], scan["form"], scan["cursor"]
    return Scan(from_plain(Plan, plan), from_plain(Form, form), from_plain(Cursor, cursor))


def plan_for(spec: FetchSpec, source: Source | None, today: date) -> Plan:
    """The scan plan: the source's office parameters and the window today … today+days_ahead."""
    days = source.days_ahead if source else 14
    return Plan(
        source_id=spec.source_id,
        url=spec.url,
        region=(source.region or "") if source else "",
        court_ids=source.court_ids if source else (),
        case_types=source.case_types if source else (),
        dates=tuple((today + timedelta(days=n)).isoformat() for n in range(days + 1)),
        language=source.interface_language if source else "ru",
        timezone=(source.timezone if source else None) or DEFAULT_TIMEZONE,
        columns=dict(source.columns) if source else {},
    )


# ---------------------------------------------------------------- the spider

Callback = Callable[..., Iterator[Any]]


def guarded(callback: Callback) -> Callback:
    """Whatever a callback meets, the source still gets its one report."""

    @functools.wraps(callback)
    def run(spider: OfficeSudKzSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from callback(spider, response, **kwargs)
        except Exception as exc:
            spider.logger.exception("%s: cannot read %s", spider.name, response.url)
            scan = scan_of(response.meta)
            step = response.meta.get("step", "answer")
            yield spider.fail(scan, scan.step(f"{step}: cannot read the answer: {exc!r}"), response)

    return run


class OfficeSudKzSpider(scrapy.Spider):
    """``scrapy crawl office_sud_kz [-a source=ID] [-a today=YYYY-MM-DD]``, or
    ``crawl(OfficeSudKzSpider, specs=[…], sources={id: Source})``."""

    name = KIND
    kinds = (KIND,)
    custom_settings: ClassVar[dict[str, Any]] = {
        "RETRY_TIMES": 3,
        "OFFICE_SUD_KZ_RETRY_BACKOFF": 10.0,
        "DOWNLOADER_MIDDLEWARES": {f"{__name__}.RetryBackoff": 560},
    }
    """The site drops connections now and then; others retry after 10, 20, 40 s (§1.6)."""

    def __init__(
        self,
        specs: Iterable[FetchSpec] | None = None,
        sources: Mapping[str, Source] | None = None,
        source: str | None = None,
        today: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.specs = None if specs is None else tuple(specs)
        self.sources = dict(sources or {})
        self.source = source
        self.today = date.fromisoformat(today) if today else None
        """The window's first day; default: today in the source's zone."""
        self.pager = PAGER

    async def start(self) -> AsyncIterator[scrapy.Request | FetchReport]:
        for spec, source in self.wanted():
            plan = plan_for(spec, source, self.today or _local_today(source))
            problem = plan_problem(plan, source)
            if problem:
                yield self.fail(Scan(plan), problem)
            else:
                yield self.page_request(Scan(plan))

    def wanted(self) -> list[tuple[FetchSpec, Source | None]]:
        """The specs to fetch with their sources (from ``sources``, else the config folder)."""
        specs, sources = self.specs, dict[str, Source | None](self.sources)
        if specs is None or any(s.source_id not in sources for s in specs):
            config = load_config(self.settings.get("CASEWATCH_CONFIG"))
            if specs is None:
                specs = tuple(
                    FetchSpec(source_id=s.id, url=s.url, kind=s.kind, language=s.language or "")
                    for s in config.enabled_sources()
                    if s.kind == KIND
                )
            sources = {
                s.source_id: sources.get(s.source_id) or config.source(s.source_id) for s in specs
            }
        if self.source:
            specs = tuple(s for s in specs if s.source_id == self.source)
            if not specs:
                self.logger.error("source %r: no enabled %s source with that id", self.source, KIND)
        return [(spec, sources.get(spec.source_id)) for spec in specs]

    # -- callbacks: each checks its answer, folds it into the state and asks for the next step

    @guarded
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The schedule page (GET): the form, its ids and ViewState; then language or region."""
        scan = scan_of(response.meta)
        form = read_form(response, FORM_SUFFIX, ROLE_SUFFIXES)
        if form is None:
            why = (
                f"HTTP {response.status}"
                if response.status >= 300
                else "no filter form or ViewState"
            )
            yield self.fail(scan, f"not the schedule form at {response.url} ({why})", response)
            return
        missing = [role for role in REQUIRED_ROLES if role not in form.ids]
        if missing:
            names = ", ".join(f"…{ROLE_SUFFIXES[role][0]}" for role in missing)
            yield self.fail(scan, f"the schedule form at {response.url} has no {names}", response)
            return
        scan = dataclasses.replace(scan, form=form)
        trigger = language_trigger(response, scan.plan.language)
        if trigger is None:
            self.logger.warning(
                "%s: no %s language switch on the page", scan.plan.source_id, scan.plan.language
            )
        if trigger and not scan.cursor.language_done:
            yield self.language_request(scan, trigger)
        else:
            yield self.change(scan, "region", scan.plan.region, self.parse_region)

    @guarded
    def parse_language(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The language switch: the server keeps it per session; reload for a fresh ViewState."""
        scan = scan_of(response.meta)
        if response.status >= 300:
            yield self.fail(scan, f"language switch answered HTTP {response.status}", response)
            return
        yield self.page_request(_moved(scan, language_done=True))

    @guarded
    def parse_region(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Region chosen: the court options are re-rendered; pick the courts to visit."""
        scan, _ = yield from self.answer(response)
        if scan is None:
            return
        offered = scan.form.options.get(scan.form.ids.get("court", ""), ())
        courts, gaps = pick(offered, scan.plan.court_ids, "court")
        if not courts:
            problem = f"region {scan.plan.region}: {'; '.join(gaps) or 'no court offered'}"
            yield self.fail(scan, problem, response)
            return
        yield self.choose_court(_moved(scan, courts=courts, gaps=scan.cursor.gaps + gaps))

    @guarded
    def parse_court(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Court chosen: the case types it offers (or the configured ones)."""
        scan, _ = yield from self.answer(response)
        if scan is None:
            return
        offered = scan.form.options.get(scan.form.ids.get("case_type", ""), ())
        chosen, gaps = pick(offered, scan.plan.case_types, "case type")
        court = scan.cursor.courts[scan.cursor.court][0]
        scan = _moved(scan, gaps=(*scan.cursor.gaps, *(f"court {court}: {gap}" for gap in gaps)))
        if scan.plan.case_types and not chosen:  # nothing to read here: on to the next court
            last = len(scan.plan.dates) - 1
            yield self.advance(_moved(scan, case_types=("",), case_type=0, date=last), response)
            return
        types = tuple(value for value, _ in chosen) or ("",)
        yield self.choose_case_type(_moved(scan, case_types=types))

    @guarded
    def parse_case_type(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        scan, _ = yield from self.answer(response)
        if scan is not None:
            yield self.choose_date(scan)

    @guarded
    def parse_date(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        scan, _ = yield from self.answer(response)
        if scan is not None:
            yield self.click(_moved(scan, page=1), scan.form.ids.get("search", ""))

    @guarded
    def parse_results(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """One page of results: its rows, then the next page, date, case type or court."""
        scan, updates = yield from self.answer(response)
        if scan is None:
            return
        html = parsel.Selector(text="".join(updates) or "<div></div>")
        table = results_table(html, scan.plan.columns)
        if table is None and not is_empty_result(html):
            problem = "search answered neither a results table nor the empty-result message"
            yield self.fail(scan, scan.step(problem), response)
            return
        c = scan.cursor
        hearings = page_hearings(scan, table) if table and c.page > c.pages_read else []
        yield from hearings
        scan = _moved(scan, items=c.items + len(hearings), pages=c.pages + 1,
                      pages_read=max(c.pages_read, c.page))  # fmt: skip
        control = self.pager.next_control(html, c.page) if table and table.rows else ""
        if control and c.page < self.pager.max_pages:
            yield self.click(_moved(scan, page=c.page + 1), control)
            return
        if control:
            scan = _moved(
                scan, gaps=(*c.gaps, scan.step(f"stopped at {self.pager.max_pages} pages"))
            )
        yield self.advance(scan, response)

    # -- moving on

    def choose_court(self, scan: Scan) -> scrapy.Request:
        value = scan.cursor.courts[scan.cursor.court][0]
        return self.change(scan, "court", value, self.parse_court)

    def choose_case_type(self, scan: Scan) -> scrapy.Request:
        value = scan.cursor.case_types[scan.cursor.case_type]
        if not value or not scan.form.ids.get("case_type"):
            return self.choose_date(scan)
        return self.change(scan, "case_type", value, self.parse_case_type)

    def choose_date(self, scan: Scan) -> scrapy.Request:
        day = date.fromisoformat(scan.plan.dates[scan.cursor.date]).strftime(DATE_FORMAT)
        return self.change(scan, "date", day, self.parse_date)

    def advance(self, scan: Scan, response: Response) -> scrapy.Request | FetchReport:
        c, fresh = scan.cursor, {"page": 1, "pages_read": 0}
        if c.date < len(scan.plan.dates) - 1:
            return self.choose_date(_moved(scan, date=c.date + 1, **fresh))
        if c.case_type < len(c.case_types) - 1:
            return self.choose_case_type(_moved(scan, case_type=c.case_type + 1, date=0, **fresh))
        if c.court < len(c.courts) - 1:
            return self.choose_court(_moved(scan, court=c.court + 1, case_type=0, date=0, **fresh))
        return report(scan, status=response.status)

    # -- answers and failures

    def answer(self, response: Response) -> Generator[Any, None, tuple[Scan | None, list[str]]]:
        """A generator returning ``(scan, update htmls)`` of a good partial response, the form
        updated; for a bad one it yields the restart or the failure and returns ``(None, [])``."""
        scan = scan_of(response.meta)
        problem, updates = read_partial(response)
        if problem.startswith("view expired") and scan.cursor.restarts < MAX_RESTARTS:
            self.logger.info("%s: %s; starting over", scan.plan.source_id, scan.step(problem))
            yield self.page_request(restarted(scan))
            return None, []
        if problem:
            problem = problem.replace(
                "view expired", f"view expired again after {MAX_RESTARTS} restart", 1
            )
            yield self.fail(scan, scan.step(f"{response.meta.get('step')}: {problem}"), response)
            return None, []
        form = merge_updates(scan.form, updates, ROLE_SUFFIXES)
        return dataclasses.replace(scan, form=form), [
            h for k, h in updates.items() if not is_view_state(k)
        ]

    def fail(self, scan: Scan, problem: str, response: Response | None = None) -> FetchReport:
        self.logger.warning("%s: %s", scan.plan.source_id, problem)
        status = response.status if response is not None else None
        return report(scan, status=status, error=problem)

    def on_error(self, failure: Failure) -> Iterator[FetchReport]:
        """No answer at all (dropped connection, timeout, …), after Scrapy's retries."""
        request = failure.request  # type: ignore[attr-defined]
        dropped = any(name in repr(failure.value) for name in DROPPED)
        problem = (
            "the server dropped the connection"
            if dropped
            else describe_failure(failure, request.meta, 0)
        )
        tries = request.meta.get("retry_times", 0)
        step = f"{request.meta.get('step', 'request')}: {problem}"
        if tries:
            step += f"; gave up after {tries} retries"
        yield self.fail(scan_of(request.meta), scan_of(request.meta).step(step))

    # -- requests

    def page_request(self, scan: Scan) -> scrapy.Request:
        meta = {**_meta(scan, "page"), "handle_httpstatus_list": list(range(400, 600))}
        del meta["dont_redirect"]  # http → https and the like; a login page is not the form
        return scrapy.Request(scan.plan.url, callback=self.parse, errback=self.on_error, meta=meta,
                              dont_filter=True)  # fmt: skip

    def ajax(
        self, scan: Scan, pairs: list[tuple[str, str]], step: str, callback: Any
    ) -> scrapy.Request:
        headers = ajax_headers(scan.plan.url)
        return scrapy.FormRequest(scan.plan.url, formdata=pairs, headers=headers, meta=_meta(scan, step),
                                  callback=callback, errback=self.on_error, dont_filter=True)  # fmt: skip

    def change(self, scan: Scan, role: str, value: str, callback: Any) -> scrapy.Request:
        field = scan.form.ids.get(role, "")
        form = dataclasses.replace(scan.form, fields={**scan.form.fields, field: value})
        scan = dataclasses.replace(scan, form=form)
        return self.ajax(scan, ajax_pairs(form, field, "change"), f"{role}={value}", callback)

    def click(self, scan: Scan, control: str) -> scrapy.Request:
        pairs = ajax_pairs(scan.form, control, "click", [(control, control)])
        step = "search" if control == scan.form.ids.get("search") else f"page {scan.cursor.page}"
        return self.ajax(scan, pairs, step, self.parse_results)

    def language_request(self, scan: Scan, trigger: str) -> scrapy.Request:
        extra = [("param1", scan.plan.url), (trigger, trigger)]
        form = dataclasses.replace(scan.form, form_id=LANGUAGE_FORM, fields={})
        pairs = ajax_pairs(form, trigger, None, extra)
        return self.ajax(scan, pairs, f"language={scan.plan.language}", self.parse_language)


class RetryBackoff:
    """Downloader middleware: waits before a retried request — base, 2×base, 4×base seconds
    (``OFFICE_SUD_KZ_RETRY_BACKOFF``; Scrapy's own retries come back at once)."""

    def __init__(self, base: float) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoff:
        return cls(crawler.settings.getfloat("OFFICE_SUD_KZ_RETRY_BACKOFF", 10.0))

    async def process_request(self, request: scrapy.Request) -> None:
        tries = int(request.meta.get("retry_times", 0))
        if tries and self.base > 0:
            await asyncio.sleep(self.base * 2 ** (tries - 1))


# ---------------------------------------------------------------- pure helpers


def _meta(scan: Scan, step: str) -> dict[str, Any]:
    """Each source (and each restart) gets its own cookie jar, so its own JSESSIONID."""
    jar = f"{scan.plan.source_id}#{scan.cursor.restarts}"
    return {KIND: scan, "step": step, "cookiejar": jar, "dont_redirect": True,
            "handle_httpstatus_list": list(PASSED_STATUSES)}  # fmt: skip


def _moved(scan: Scan, **changes: Any) -> Scan:
    return dataclasses.replace(scan, cursor=dataclasses.replace(scan.cursor, **changes))


def restarted(scan: Scan) -> Scan:
    """Back to the page in a fresh session; the cursor keeps its place."""
    return Scan(scan.plan, Form(), dataclasses.replace(scan.cursor, restarts=scan.cursor.restarts + 1,
                                                       language_done=False))  # fmt: skip


def _local_today(source: Source | None) -> date:
    return datetime.now(ZoneInfo((source and source.timezone) or DEFAULT_TIMEZONE)).date()


def plan_problem(plan: Plan, source: Source | None) -> str:
    if source is None:
        return f"no enabled {KIND} source {plan.source_id!r} in the config"
    if not plan.region:
        return "no region set (the office.sud.kz region id, e.g. '22' for Zhetysu)"
    try:
        map_headers((), plan.columns)
    except ValueError as exc:
        return f"columns: {exc}"
    return ""


def report(scan: Scan, status: int | None = None, error: str = "") -> FetchReport:
    c, plan = scan.cursor, scan.plan
    window = None
    if not error and not c.gaps and plan.dates:
        window = ScanWindow(date.fromisoformat(plan.dates[0]), date.fromisoformat(plan.dates[-1]))
    extra = {"pages": str(c.pages), "restarts": str(c.restarts)}
    if c.gaps:
        extra["gaps"] = "; ".join(c.gaps)
    return FetchReport(source_id=plan.source_id, url=plan.url, status=status, ok=not error,
                       error=f"{plan.source_id}: {error}" if error else "", items=c.items,
                       window=window, extra=extra)  # fmt: skip


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
