"""Subscriptions: the hearings calendar (.ics) per case and for all cases, and a case's Atom feed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy.orm import Session

from pipeline.store.read.cases import get_case, list_cases
from pipeline.store.read.events import list_events
from pipeline.store.read.hearings import (
    HearingListing,
    calendar_version,
    hearing_meta,
    list_hearings,
)
from pipeline.web.atom import entry_of, render_atom, tag_uri
from pipeline.web.deps import deps_of
from pipeline.web.ics import CalendarHearing, build_calendar

router = APIRouter(include_in_schema=False)
FEED_ENTRIES = 100
CACHE_SIZE = 64


def _calendar_items(session: Session, hearings: Sequence[HearingListing]) -> list[CalendarHearing]:
    meta = hearing_meta(session, [h.identity for h in hearings])
    return [CalendarHearing(h, meta[h.identity]) for h in hearings if h.identity in meta]


def _ics(request: Request, body: bytes, name: str) -> Response:
    """The calendar with an ETag; a subscriber's ``If-None-Match`` gets a 304."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"Content-Disposition": f'inline; filename="{name}"', "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _calendar(request: Request, slug: str | None) -> bytes:
    """Built once per store version: serialising hundreds of events is slow in icalendar."""
    deps = deps_of(request)
    cache: dict[tuple[Any, ...], bytes] = request.app.state.calendar_cache
    with deps.session() as session:
        key = (slug, *calendar_version(session))
        if key in cache:
            return cache[key]
        case = get_case(session, slug) if slug is not None else None
        if slug is not None and case is None:
            raise HTTPException(404, f"no case {slug!r}")
        titles = {c.slug: c.title for c in list_cases(session)}
        items = _calendar_items(session, list_hearings(session, case=slug, matched_only=True))
    name = f"{case.title}: hearings" if case else "casewatch: hearings"
    body = build_calendar(items, name=name, domain=deps.domain, case_titles=titles)
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = body
    return body


@router.get("/hearings.ics")
def all_hearings_ics(request: Request) -> Response:
    return _ics(request, _calendar(request, None), "hearings.ics")


@router.get("/cases/{slug}/hearings.ics")
def case_hearings_ics(request: Request, slug: str) -> Response:
    return _ics(request, _calendar(request, slug), f"{slug}.ics")


@router.get("/cases/{slug}/feed.atom")
def case_feed(request: Request, slug: str) -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        case = get_case(session, slug)
        if case is None:
            raise HTTPException(404, f"no case {slug!r}")
        events = list_events(session, case=slug, limit=FEED_ENTRIES)
    base = deps.base_url.rstrip("/")  # never the request's Host: a client may send any
    body = render_atom(
        feed_id=tag_uri(deps.domain, f"case/{slug}"),
        title=f"{case.title} — casewatch",
        self_url=f"{base}/cases/{slug}/feed.atom",
        page_url=f"{base}/cases/{slug}",
        entries=[entry_of(e, deps.domain) for e in events],
        now=deps.clock(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
