"""The JSON API under ``/api/`` (described at ``/openapi.json``). Read-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from pipeline.normalize.hearing_time import local_iso
from pipeline.output import iso_instant
from pipeline.store.read.articles import find_articles
from pipeline.store.read.cases import get_case, list_cases
from pipeline.store.read.events import list_events
from pipeline.store.read.hearings import HearingListing, list_hearings
from pipeline.web.deps import MAX_ROWS, deps_of
from pipeline.web.searching import SearchForm, hit_json, run_search

router = APIRouter(prefix="/api", tags=["api"])
MAX_LIMIT = 500

Instant = Annotated[
    datetime,
    PlainSerializer(iso_instant, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A moment in the API's JSON: ISO 8601 with a numeric offset (``+00:00``), as the CLI and
exports write it (:func:`pipeline.output.iso_instant`)."""


class CaseOut(BaseModel):
    slug: str
    title: str
    description: str
    timezone: str | None
    articles: int
    hearings: int


class ChangeOut(BaseModel):
    field: str
    old: str | None
    new: str | None
    seen_at: Instant


class HearingOut(BaseModel):
    case_number: str
    court: str
    scheduled_at: str | None
    """ISO 8601 with the court's UTC offset; None when only a date was printed."""
    local_time: str
    timezone: str
    status: str
    courtroom: str
    judge: str
    parties: str
    category: str
    stage: str
    cases: list[str]
    source: str
    source_url: str
    article_url: str
    first_seen_at: Instant
    history: list[ChangeOut]


class ArticleOut(BaseModel):
    id: int
    url: str
    title: str
    published_at: Instant | None
    first_seen_at: Instant
    language: str
    source: str
    cases: list[str]


class EventOut(BaseModel):
    id: int
    kind: str
    case: str | None
    url: str | None
    created_at: Instant
    payload: dict[str, Any]


class SearchHitOut(BaseModel):
    article_id: int
    url: str
    title: str
    source: str
    language: str
    published_at: Instant | None
    cases: list[str]
    snippet: str
    score: float


class SearchOut(BaseModel):
    query: str
    total: int
    hits: list[SearchHitOut]
    messages: list[str]


@router.get("/cases", response_model=list[CaseOut])
def api_cases(request: Request) -> list[Any]:
    with deps_of(request).session() as session:
        return [CaseOut.model_validate(c, from_attributes=True) for c in list_cases(session)]


@router.get("/cases/{slug}", response_model=CaseOut)
def api_case(request: Request, slug: str) -> Any:
    with deps_of(request).session() as session:
        case = get_case(session, slug)
    if case is None:
        raise HTTPException(404, f"no case {slug!r}")
    return CaseOut.model_validate(case, from_attributes=True)


@router.get("/cases/{slug}/hearings", response_model=list[HearingOut])
def api_case_hearings(
    request: Request,
    slug: str,
    upcoming: bool = False,
    limit: int | None = Query(None, ge=1, le=MAX_ROWS),
) -> list[Any]:
    deps = deps_of(request)
    with deps.session() as session:
        if get_case(session, slug) is None:
            raise HTTPException(404, f"no case {slug!r}")
        rows = list_hearings(
            session,
            case=slug,
            upcoming_from=deps.clock() if upcoming else None,
            limit=limit,
            history=True,
        )
    return [_hearing_out(h) for h in rows]


def _hearing_out(h: HearingListing) -> HearingOut:
    return HearingOut(
        case_number=h.case_number,
        court=h.court,
        scheduled_at=local_iso(h.scheduled_at, h.timezone),
        local_time=h.local_time,
        timezone=h.timezone,
        status=h.status,
        courtroom=h.courtroom,
        judge=h.judge,
        parties=h.parties,
        category=h.category,
        stage=h.stage,
        cases=list(h.cases),
        source=h.source,
        source_url=h.source_url,
        article_url=h.article_url,
        first_seen_at=h.first_seen_at,
        history=[ChangeOut.model_validate(c, from_attributes=True) for c in h.history or ()],
    )


@router.get("/articles", response_model=list[ArticleOut])
def api_articles(
    request: Request,
    case: str | None = None,
    source: str | None = None,
    language: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_ROWS),
) -> list[Any]:
    """Newest first; ``since``/``until`` are ISO 8601 instants (with an offset)."""
    since, until = _instant("since", since), _instant("until", until)
    with deps_of(request).session() as session:
        rows = find_articles(
            session, case=case, source=source, language=language, since=since, until=until,
            limit=limit, offset=offset,
        )  # fmt: skip
    return [ArticleOut.model_validate(a, from_attributes=True) for a in rows]


@router.get("/events", response_model=list[EventOut])
def api_events(
    request: Request,
    case: str | None = None,
    since: datetime | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> list[Any]:
    since = _instant("since", since)
    with deps_of(request).session() as session:
        rows = list_events(session, case=case, since=since, limit=limit)
    return [EventOut.model_validate(e, from_attributes=True) for e in rows]


def _instant(name: str, value: datetime | None) -> datetime | None:
    """``value`` in UTC; a 422 without an offset, or when it is no instant in UTC (year 1 or
    9999 at an offset): the database could not compare it."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise HTTPException(422, f"{name}: give a UTC offset, e.g. 2026-11-28T00:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise HTTPException(422, f"{name}: out of range") from None


@router.get("/search", response_model=SearchOut)
def api_search(
    request: Request,
    q: str,
    case: str = "",
    source: str = "",
    language: str = "",
    since: str = Query("", description="YYYY-MM-DD"),
    until: str = Query("", description="YYYY-MM-DD, inclusive"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_ROWS),
) -> Any:
    form = SearchForm(q=q, case=case, source=source, language=language, since=since, until=until)
    with deps_of(request).session() as session:
        outcome = run_search(session, form, limit=limit, offset=offset)
    return SearchOut(
        query=q,
        total=outcome.total,
        hits=[SearchHitOut.model_validate(hit_json(h)) for h in outcome.hits],
        messages=list(outcome.messages),
    )
