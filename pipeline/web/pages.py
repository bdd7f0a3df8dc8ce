"""Server-rendered pages: overview, case dashboard, search, article, sources, deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from pipeline.service.status import health
from pipeline.store.health import database_ok
from pipeline.store.read.articles import (
    WeekCount,
    find_articles,
    get_article,
    matches_version,
    weekly_coverage,
)
from pipeline.store.read.captures import captures_for
from pipeline.store.read.cases import all_matches_version, case_counts, get_case, list_cases
from pipeline.store.read.deliveries import list_deliveries
from pipeline.store.read.events import list_events
from pipeline.store.read.hearings import (
    HearingListing,
    case_hearing_times,
    hearing_histories,
    list_hearings,
)
from pipeline.store.read.sources import list_sources
from pipeline.web.chart import bar_chart
from pipeline.web.deps import MAX_ROW_ID, deps_of
from pipeline.web.searching import SearchForm, run_search
from pipeline.web.timeline import history_lines, is_off, starts_at

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
TIMELINE_LIMIT = 40
"""Hearings shown on a dashboard: the latest (upcoming ones first of all); ``?all=1`` for all."""


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        upcoming = list_hearings(session, upcoming_from=deps.clock(), limit=50, matched_only=True)
        cases = list_cases(session)
    titles = {c.slug: c.title for c in cases}
    return deps.renderer.page(request, "home.html", upcoming=upcoming, cases=cases, titles=titles)


@router.get("/cases/{slug}", response_class=HTMLResponse)
def case_page(
    request: Request, slug: str, all_hearings: bool = Query(False, alias="all")
) -> Response:
    deps = deps_of(request)
    now = deps.clock()
    with deps.session() as session:
        case = get_case(session, slug, _counts(request, session, slug))
        if case is None:
            raise HTTPException(404, f"no case {slug!r}")
        next_hearing, shown, hidden = _timeline(session, slug, now, all_hearings)
        history = hearing_histories(session, [h.identity for h in shown])
        weeks = _coverage(request, session, slug, now)
        articles = find_articles(session, case=slug, limit=PAGE_SIZE)
        events = list_events(session, case=slug, limit=PAGE_SIZE)
        zone = deps.zones(session).of([slug])
    return deps.renderer.page(
        request,
        "case.html",
        case=case,
        zone=zone,
        next_hearing=next_hearing,
        hearings=[
            (
                h,
                history_lines(history.get(h.identity, ()), h.timezone),
                is_off(h),
                starts_at(h) < now,
            )
            for h in shown
        ],
        hidden=hidden,
        chart=bar_chart(weeks),
        articles=articles,
        events=events,
    )


def _timeline(
    session: Session, slug: str, now: datetime, all_hearings: bool
) -> tuple[HearingListing | None, list[HearingListing], int]:
    """(next hearing, hearings shown oldest first, how many older ones are hidden): only
    those two are loaded in full, the order comes from the times of all of them."""
    times = case_hearing_times(session, slug, now)
    hidden = 0 if all_hearings else max(0, len(times) - TIMELINE_LIMIT)
    ahead = min((t for t in times if t.ahead), key=lambda t: (t.starts_at, t.id), default=None)
    wanted = [t.id for t in times[hidden:]] + ([ahead.id] if ahead is not None else [])
    loaded = {h.identity: h for h in list_hearings(session, ids=wanted)}
    shown = [loaded[t.identity] for t in times[hidden:]]
    return (loaded[ahead.identity] if ahead is not None else None), shown, hidden


def _counts(request: Request, session: Session, slug: str) -> dict[str, tuple[int, int]]:
    """A busy case's match counts cost a scan of its matches: kept until a match is added."""
    cache: dict[tuple[str, int], dict[str, tuple[int, int]]] = request.app.state.counts_cache
    key = (slug, all_matches_version(session))
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = case_counts(session, slug)
    return cache[key]


def _coverage(request: Request, session: Session, slug: str, now: datetime) -> list[WeekCount]:
    """Counting a busy case's articles per week costs a scan of them: kept until a new match
    arrives or the week turns."""
    cache: dict[tuple[object, ...], list[WeekCount]] = request.app.state.coverage_cache
    key = (slug, matches_version(session), now.date().isocalendar()[:2])
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = weekly_coverage(session, slug, now)
    return cache[key]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    case: str = "",
    source: str = "",
    language: str = "",
    since: str = "",
    until: str = "",
    page: int = Query(1, ge=1, le=1000),
) -> Response:
    deps = deps_of(request)
    form = SearchForm(q=q, case=case, source=source, language=language, since=since, until=until)
    with deps.session() as session:
        outcome = run_search(session, form, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        cases = list_cases(session)
        zones = deps.zones(session)
    return deps.renderer.page(
        request,
        "search.html",
        form=form,
        zone_of=lambda hit: zones.of([form.case] if form.case else hit.cases),
        outcome=outcome,
        page=page,
        page_size=PAGE_SIZE,
        cases=cases,
        sources=sorted(s.id for s in deps.sources),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int) -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        article = get_article(session, article_id) if 0 < article_id <= MAX_ROW_ID else None
        if article is None:
            raise HTTPException(404, f"no article {article_id}")
        captures = captures_for(session, article_id)
        zone = deps.zones(session).of(article.brief.cases)
    return deps.renderer.page(
        request, "article.html", article=article, captures=captures, zone=zone
    )


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        sources = list_sources(session, deps.sources)
    return deps.renderer.page(request, "sources.html", sources=sources, zone=deps.timezone)


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(request: Request) -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        deliveries = list_deliveries(session)
        zones = deps.zones(session)
    return deps.renderer.page(
        request, "deliveries.html", deliveries=deliveries, zone_of=lambda d: zones.of([d.case])
    )


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 while casewatch can do its job (``ok`` or ``degraded``), 503 when it cannot."""
    deps = deps_of(request)
    if deps.config is not None:
        report = health(deps.sessions, deps.config, deps.clock())
        return JSONResponse(report, status_code=200 if report["ok"] else 503)
    try:
        with deps.session() as session:
            ok = database_ok(session)
    except Exception as exc:
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": ok, "time": _iso(deps.clock())})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def wants_json(request: Request) -> bool:
    """JSON for the API, the feeds and ``/healthz``, and for a client that asks for JSON and
    not HTML; a page for everything else — a browser, ``curl`` (``*/*``), a link checker."""
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.endswith((".ics", ".atom")):
        return True
    if path in ("/healthz", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "").lower()
    return "json" in accept and "html" not in accept


async def http_error(request: Request, exc: HTTPException) -> Response:
    """JSON for the API and feeds (:func:`wants_json`), a page for people."""
    if wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    deps = deps_of(request)
    detail: Any = exc.detail
    return deps.renderer.page(
        request,
        "error.html",
        status_code=exc.status_code,
        status=exc.status_code,
        detail=str(detail),
    )
