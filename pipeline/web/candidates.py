"""The Candidates page and ``/api/candidates``: what the watches found that no case follows.

Read-only like every page: following or dismissing a candidate is ``casewatch follow`` /
``casewatch dismiss`` (the page shows the command).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from pipeline.store.read.candidates import STATUSES, candidate_object, list_candidates
from pipeline.web.deps import MAX_ROW_ID, deps_of

router = APIRouter()
SHOWN = 100
"""Candidates a page lists (newest news first)."""
CHOICES = (*STATUSES, "all")


def _statuses(status: str) -> tuple[str, ...]:
    if status not in CHOICES:
        raise HTTPException(422, f"status: one of {', '.join(CHOICES)}")
    return STATUSES if status == "all" else (status,)


@router.get("/candidates", response_class=HTMLResponse, include_in_schema=False)
def candidates_page(request: Request, watch: str = "", status: str = "open") -> Response:
    deps = deps_of(request)
    with deps.session() as session:
        found = list_candidates(
            session, watch=watch or None, statuses=_statuses(status), limit=SHOWN
        )
    watches = [w.id for w in deps.config.watches] if deps.config is not None else []
    return deps.renderer.page(
        request, "candidates.html", candidates=found, watch=watch, status=status,
        statuses=CHOICES, watches=watches, zone=deps.timezone, one=False,
    )  # fmt: skip


@router.get("/candidates/{candidate_id}", response_class=HTMLResponse, include_in_schema=False)
def candidate_page(request: Request, candidate_id: int) -> Response:
    deps = deps_of(request)
    found = []
    if 0 < candidate_id <= MAX_ROW_ID:
        with deps.session() as session:
            found = list_candidates(session, statuses=STATUSES, ids=[candidate_id])
    if not found:
        raise HTTPException(404, f"no candidate {candidate_id}")
    return deps.renderer.page(
        request, "candidates.html", candidates=found, watch="", status="all",
        statuses=CHOICES, watches=[], zone=deps.timezone, one=True,
    )  # fmt: skip


@router.get("/api/candidates", tags=["api"])
def candidates_api(
    request: Request,
    watch: str | None = None,
    status: str = "open",
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Candidates as ``casewatch candidates --format json`` prints them (with their hearings
    and articles and why each matched); ``status``: open, dismissed, followed or all."""
    deps = deps_of(request)
    with deps.session() as session:
        found = list_candidates(session, watch=watch, statuses=_statuses(status), limit=limit)
    return [candidate_object(c) for c in found]
