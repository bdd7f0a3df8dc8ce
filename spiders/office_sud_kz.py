"""office.sud.kz public hearing schedule («График судебных заседаний») → RawHearing items.

The spider walks the JSF form: region → court → case type → date → search → result pages, for
every court, case type and date of the window, each answer carrying the next ViewState. The
walk's state, what the answers hold and the report: :mod:`pipeline.parse.office_sud_kz`. For
every source it yields the hearings it read and then exactly one FetchReport.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator, Mapping
from datetime import date
from typing import Any, ClassVar, Literal

import parsel
import scrapy
from pydantic import Field
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.sources import SourceOptions
from pipeline.items import CheckStep, FetchReport, FetchSpec, Pairs
from pipeline.parse.jsf import (
    ajax_headers,
    ajax_pairs,
    is_view_state,
    merge_updates,
    pick,
    read_form,
    read_partial,
)
from pipeline.parse.office_sud_kz import (
    DATE_FORMAT,
    DEFAULT_TIMEZONE,
    DROPPED,
    FORM_SUFFIX,
    KIND,
    LANGUAGE_FORM,
    MAX_RESTARTS,
    PAGER,
    ROLE_SUFFIXES,
    Plan,
    Scan,
    language_trigger,
    local_today,
    moved,
    page_hearings,
    plan_problem,
    regions_to_visit,
    report,
    restarted,
    results_table,
    scan_meta,
    scan_of,
    window_dates,
)  # fmt: skip
from pipeline.parse.office_sud_kz_steps import (
    asked,
    case_types_found,
    court_choice,
    courts_found,
    page_found,
    page_problem,
    raw_of,
    rendered,
    results_found,
    results_problem,
    step_name,
    step_of,
    view_state_found,
)
from spiders.base import Callback, SourceRun, SourceSpider, source_callback


class OfficeSudKzSpider(SourceSpider):
    """``scrapy crawl office_sud_kz [-a source=ID] [-a today=YYYY-MM-DD]``, or
    ``crawl(OfficeSudKzSpider, specs=[…], sources={id: Source})``."""

    name = KIND
    kinds = (KIND,)
    checks = True
    custom_settings: ClassVar[dict[str, Any]] = {
        "RETRY_TIMES": 3,
        "OFFICE_SUD_KZ_RETRY_BACKOFF": 10.0,
        "DOWNLOADER_MIDDLEWARES": {"spiders.middlewares.RetryBackoff": 560},
    }
    """The site drops connections now and then; others retry after 10, 20, 40 s (§1.6)."""

    class Options(SourceOptions):
        region: str | None = None
        """office.sud.kz region id (the value of the district-field option); ``all``: every
        region (a country-wide scan; pair it with ``keep_rows: matched``)."""
        regions: tuple[str, ...] = ()
        """More region ids, read after ``region``."""
        court_ids: tuple[str, ...] = ()
        case_types: tuple[str, ...] = ()
        days_ahead: int = Field(default=14, ge=0, le=90)
        interface_language: Literal["ru", "kk"] = "ru"
        columns: dict[str, str] = Field(default_factory=dict)
        """Header text → field, for result columns the built-in synonyms do not know."""

    def __init__(
        self, *args: Any, today: str | None = None, check: bool | str = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = date.fromisoformat(today) if today else None
        """The window's first day; default: today in the source's zone."""
        self.pager = PAGER
        self.check = check in (True, "1", "true", "yes")
        """Check mode (``casewatch crawl SOURCE --check``): say what each step found (a
        CheckStep item per answer) and walk only as far as the cascade needs proving: the
        first court and case type, the days until one lists hearings, its second page."""

    def begin(self, run: SourceRun) -> Iterator[scrapy.Request | FetchReport]:
        plan = self.plan_of(run)
        problem = plan_problem(plan)
        yield self.fail_scan(Scan(plan), problem) if problem else self.page_request(Scan(plan))

    def plan_of(self, run: SourceRun) -> Plan:
        """The scan plan: the source's office parameters and the window today … today+days_ahead."""
        options, timezone = run.options, run.entry.timezone if run.entry else None
        return Plan(
            source_id=run.spec.source_id,
            url=run.spec.url,
            region=options.region or "",
            regions=options.regions,
            court_ids=options.court_ids,
            case_types=options.case_types,
            dates=window_dates(self.today or local_today(timezone), options.days_ahead),
            language=options.interface_language,
            timezone=timezone or DEFAULT_TIMEZONE,
            columns=dict(options.columns),
        )

    def spec_of(self, meta: Mapping[str, Any]) -> FetchSpec:
        """The walk's state names the source (a saved answer carries only that)."""
        plan = scan_of(meta).plan
        return FetchSpec(source_id=plan.source_id, url=plan.url, kind=KIND)

    # -- callbacks: each checks its answer, folds it into the state and asks for the next step

    @source_callback
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The schedule page (GET): the form, its ids and ViewState; then language or region."""
        scan = scan_of(response.meta)
        form = read_form(response, FORM_SUFFIX, ROLE_SUFFIXES)
        offered = form.options.get(form.ids.get("region", ""), ()) if form else ()
        regions = scan.cursor.regions or regions_to_visit(scan.plan, offered)
        problem = page_problem(response, form, regions)
        if problem or form is None:
            yield self.fail_scan(scan, problem, response)
            return
        scan = moved(dataclasses.replace(scan, form=form), regions=regions)
        trigger = language_trigger(response, scan.plan.language)
        if trigger is None:
            self.logger.warning(
                "%s: no %s language switch on the page", scan.plan.source_id, scan.plan.language
            )
        yield from self.note(response, page_found(form, scan.region, scan.plan.language, trigger))
        if trigger and not scan.cursor.language_done:
            yield self.language_request(scan, trigger)
        else:
            yield self.change(scan, "region", scan.region, self.parse_region)

    @source_callback
    def parse_language(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The language switch: the server keeps it per session; reload for a fresh ViewState."""
        scan = scan_of(response.meta)
        if response.status >= 300:
            yield self.fail_scan(scan, f"HTTP {response.status} from {response.url}", response)
            return
        yield from self.note(response, (("switched to", scan.plan.language),))
        yield self.page_request(moved(scan, language_done=True))

    @source_callback
    def parse_region(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Region chosen: the court options are re-rendered; pick the courts to visit."""
        scan, updates = yield from self.answer(response)
        if scan is None:
            return
        problem, courts, gaps = court_choice(scan, rendered(updates, scan.form), response.url)
        if problem:
            yield self.fail_scan(scan, problem, response)
            return
        courts = courts[:1] if self.check else courts
        yield from self.note(response, courts_found(scan, courts, gaps), updates)
        yield self.choose_court(moved(scan, courts=courts, gaps=scan.cursor.gaps + gaps))

    @source_callback
    def parse_court(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Court chosen: the case types it offers (or the configured ones)."""
        scan, updates = yield from self.answer(response)
        if scan is None:
            return
        offered = scan.form.options.get(scan.form.ids.get("case_type", ""), ())
        chosen, gaps = pick(offered, scan.plan.case_types, "case type")
        chosen = chosen[:1] if self.check else chosen
        yield from self.note(response, case_types_found(scan, chosen, gaps), updates)
        court = scan.cursor.courts[scan.cursor.court][0]
        scan = moved(scan, gaps=(*scan.cursor.gaps, *(f"court {court}: {gap}" for gap in gaps)))
        if scan.plan.case_types and not chosen:  # nothing to read here: on to the next court
            last = len(scan.plan.dates) - 1
            yield self.advance(moved(scan, case_types=("",), case_type=0, date=last), response)
            return
        types = tuple(value for value, _ in chosen) or ("",)
        yield self.choose_case_type(moved(scan, case_types=types))

    @source_callback
    def parse_case_type(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        scan, updates = yield from self.answer(response)
        if scan is not None:
            yield from self.note(response, (), updates)
            yield self.choose_date(scan)

    @source_callback
    def parse_date(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        scan, updates = yield from self.answer(response)
        if scan is not None:
            yield from self.note(response, (), updates)
            yield self.click(moved(scan, page=1), scan.form.ids.get("search", ""))

    @source_callback
    def parse_results(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """One page of results: its rows, then the next page, date, case type or court."""
        scan, updates = yield from self.answer(response)
        if scan is None:
            return
        html = parsel.Selector(text="".join(u for k, u in updates.items() if not is_view_state(k))
                               or "<div></div>")  # fmt: skip
        c = scan.cursor
        table, pager = results_table(html, scan.plan.columns), self.pager.view(html, c.page)
        problem = results_problem(html, table, pager, c.page, response.url)
        if problem:
            yield self.fail_scan(scan, problem, response)
            return
        yield from self.note(response, results_found(table, pager, scan.plan.columns,
                                                      scan.plan.dates[c.date]), updates)  # fmt: skip
        hearings = page_hearings(scan, table) if table and c.page > c.pages_read else []
        yield from hearings
        scan = moved(scan, items=c.items + len(hearings), pages=c.pages + 1,
                     pages_read=max(c.pages_read, c.page))  # fmt: skip
        control = pager.next if table and table.rows else ""
        if control and c.page < (2 if self.check else self.pager.max_pages):
            yield self.click(moved(scan, page=c.page + 1), control)
            return
        if control and not self.check:
            scan = moved(
                scan, gaps=(*c.gaps, scan.step(f"stopped at {self.pager.max_pages} pages"))
            )
        if self.check and table and table.rows:  # the cascade is proven: no more days
            yield report(scan, status=response.status)
            return
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
            return self.choose_date(moved(scan, date=c.date + 1, **fresh))
        if c.case_type < len(c.case_types) - 1:
            return self.choose_case_type(moved(scan, case_type=c.case_type + 1, date=0, **fresh))
        if c.court < len(c.courts) - 1:
            return self.choose_court(moved(scan, court=c.court + 1, case_type=0, date=0, **fresh))
        if c.region < len(c.regions) - 1:
            scan = moved(
                scan, region=c.region + 1, court=0, courts=(), case_type=0, date=0, **fresh
            )
            return self.change(scan, "region", scan.region, self.parse_region)
        return report(scan, status=response.status)

    # -- answers and failures

    def answer(
        self, response: Response
    ) -> Generator[Any, None, tuple[Scan | None, dict[str, str]]]:
        """A generator returning ``(scan, updates)`` of a good partial response, the form
        updated; for a bad one it yields the restart or the failure and returns ``(None, {})``."""
        scan = scan_of(response.meta)
        problem, updates = read_partial(response)
        if problem.startswith("view expired") and scan.cursor.restarts < MAX_RESTARTS:
            self.logger.info("%s: %s; starting over", scan.plan.source_id, scan.step(problem))
            yield from self.note(response, (("view expired", f"{problem}; starting over"),))
            yield self.page_request(restarted(scan))
            return None, {}
        if problem:
            problem = problem.replace(
                "view expired", f"view expired again after {MAX_RESTARTS} restart", 1
            )
            yield self.fail_scan(scan, f"{problem} in the answer from {response.url}", response)
            return None, {}
        form = merge_updates(scan.form, updates, ROLE_SUFFIXES)
        return dataclasses.replace(scan, form=form), updates

    def fail_scan(
        self, scan: Scan, problem: str, response: Response | None = None, label: str | None = None
    ) -> FetchReport:
        """The source's failed report, the step named, with what the walk did so far and the
        response that lacked what was expected (kept by ingest under the data folder)."""
        if label is None and response is not None:
            label = response.meta.get("step", "")
        if label:
            problem = scan.step(f"{step_name(label)}: {problem}")
        self.logger.warning("%s: %s", scan.plan.source_id, problem)
        status = response.status if response is not None else None
        raw = raw_of(response) if response is not None else None
        return report(scan, status=status, error=problem, response=raw)

    def callback_failed(self, run: SourceRun, response: Response, exc: Exception) -> Iterator[Any]:
        scan = scan_of(response.meta)
        yield self.fail_scan(scan, f"cannot read the answer: {exc!r}", response)

    def request_failed(
        self, run: SourceRun, request: scrapy.Request, problem: str, failure: Failure
    ) -> Iterator[Any]:
        """No answer at all (dropped connection, timeout, …), after Scrapy's retries."""
        if any(name in repr(failure.value) for name in DROPPED):
            problem = "the server dropped the connection"
        tries = request.meta.get("retry_times", 0)
        if tries:
            problem += f"; gave up after {tries} retries"
        scan = scan_of(request.meta)
        yield self.fail_scan(scan, problem, label=request.meta.get("step", "request"))

    def note(
        self, response: Response, found: Pairs, updates: Mapping[str, str] | None = None
    ) -> Iterator[CheckStep]:
        """In check mode, what this answer showed (nothing otherwise)."""
        if not self.check:
            return
        number, title = step_of(response.meta.get("step", ""))
        found = (*found, *(view_state_found(updates) if updates is not None else ()))
        yield CheckStep(source_id=scan_of(response.meta).plan.source_id, step=number, title=title,
                        request=asked(response), url=response.url, status=response.status,
                        found=found)  # fmt: skip

    # -- requests

    def _request(self, scan: Scan, callback: Callback, meta: dict[str, Any], **kw: Any) -> Any:
        run = self.run_of({KIND: scan})
        return self.request(run, scan.plan.url, callback, meta=meta, **kw)

    def page_request(self, scan: Scan) -> scrapy.Request:
        meta = {**scan_meta(scan, "page"), "handle_httpstatus_list": list(range(400, 600))}
        del meta["dont_redirect"]  # http → https and the like; a login page is not the form
        return self._request(scan, self.parse, meta)

    def ajax(
        self, scan: Scan, pairs: list[tuple[str, str]], step: str, callback: Callback
    ) -> scrapy.Request:
        headers = ajax_headers(scan.plan.url)
        return self._request(scan, callback, scan_meta(scan, step), factory=scrapy.FormRequest,
                             formdata=pairs, headers=headers)  # fmt: skip

    def change(self, scan: Scan, role: str, value: str, callback: Callback) -> scrapy.Request:
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
