"""Candidates as ``casewatch candidates``, the Candidates page and ``follow`` read them: the
summary, and the hearings and articles behind each one with why the watch matched them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.normalize.hearing_time import local_iso
from pipeline.output import jsonable
from pipeline.records import Hit
from pipeline.store.candidate_models import MERGED, CandidateEvidenceRow, CandidateRow
from pipeline.store.chunks import chunks
from pipeline.store.models import ArticleRow, HearingRow
from pipeline.store.read.common import limited

STATUSES = ("open", "dismissed", "followed")


@dataclass(frozen=True, slots=True)
class EvidenceListing:
    """One hearing or article behind a candidate."""

    kind: str
    """hearing | article"""
    id: int
    title: str
    """An article's title; a hearing's parties (else its case number)."""
    url: str
    """The article's canonical URL; the schedule page of a hearing."""
    court: str
    case_number: str
    category: str
    scheduled_at: datetime | None
    local_time: str
    timezone: str
    published_at: datetime | None
    source: str
    why: str
    """Why the watch matched it."""
    grouped: str
    """Why it was grouped into this candidate ('' for the first evidence)."""
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class CandidateListing:
    id: int
    watch: str
    status: str
    title: str
    courts: tuple[str, ...]
    case_numbers: tuple[str, ...]
    people: tuple[str, ...]
    code_articles: tuple[str, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    followed_as: str | None
    hearings: tuple[EvidenceListing, ...] = field(default=())
    articles: tuple[EvidenceListing, ...] = field(default=())


def list_candidates(
    session: Session,
    *,
    watch: str | None = None,
    statuses: Sequence[str] = ("open",),
    since: datetime | None = None,
    limit: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[CandidateListing]:
    """Newest news first (by last seen); merged candidates never (their evidence moved)."""
    query = (
        select(CandidateRow)
        .where(CandidateRow.status != MERGED, CandidateRow.status.in_(list(statuses)))
        .order_by(CandidateRow.last_seen_at.desc(), CandidateRow.id.desc())
    )
    if watch is not None:
        query = query.where(CandidateRow.watch == watch)
    if since is not None:
        query = query.where(CandidateRow.last_seen_at >= since)
    if ids is not None:
        query = query.where(CandidateRow.id.in_(list(ids)))
    rows = list(session.scalars(limited(query, limit)))
    evidence = evidence_of(session, [r.id for r in rows])
    return [_listing(row, evidence.get(row.id, [])) for row in rows]


def evidence_of(session: Session, candidate_ids: Sequence[int]) -> dict[int, list[EvidenceListing]]:
    """Each candidate's evidence: hearings by date, articles by publication, oldest first."""
    out: dict[int, list[EvidenceListing]] = {}
    for chunk in chunks(list(candidate_ids)):
        query = (
            select(CandidateEvidenceRow, ArticleRow, HearingRow)
            .outerjoin(ArticleRow, ArticleRow.id == CandidateEvidenceRow.article_id)
            .outerjoin(HearingRow, HearingRow.id == CandidateEvidenceRow.hearing_id)
            .where(CandidateEvidenceRow.candidate_id.in_(chunk))
            .order_by(CandidateEvidenceRow.id)
        )
        for ev, article, hearing in session.execute(query):
            item = _hearing(ev, hearing) if hearing is not None else _article(ev, article)
            if item is not None:
                out.setdefault(ev.candidate_id, []).append(item)
    return out


def _listing(row: CandidateRow, evidence: list[EvidenceListing]) -> CandidateListing:
    hearings = sorted(
        (e for e in evidence if e.kind == "hearing"), key=lambda e: (e.local_time, e.id)
    )
    articles = sorted(
        (e for e in evidence if e.kind == "article"),
        key=lambda e: (e.published_at or e.seen_at, e.id),
    )
    return CandidateListing(
        id=row.id, watch=row.watch, status=row.status, title=row.title,
        courts=tuple(row.courts), case_numbers=tuple(row.case_numbers),
        people=tuple(str(p[1]) for p in row.people), code_articles=tuple(row.code_articles),
        first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        followed_as=row.followed_as, hearings=tuple(hearings), articles=tuple(articles),
    )  # fmt: skip


def candidate_object(candidate: CandidateListing) -> dict[str, Any]:
    """The JSON object: the summary, then ``hearings`` and ``articles`` with ``why``."""
    obj: dict[str, Any] = jsonable(
        {
            "id": candidate.id,
            "watch": candidate.watch,
            "status": candidate.status,
            "title": candidate.title,
            "courts": candidate.courts,
            "case_numbers": candidate.case_numbers,
            "people": candidate.people,
            "code_articles": candidate.code_articles,
            "first_seen_at": candidate.first_seen_at,
            "last_seen_at": candidate.last_seen_at,
            "followed_as": candidate.followed_as,
            "hearings": [_hearing_object(h) for h in candidate.hearings],
            "articles": [_article_object(a) for a in candidate.articles],
        }
    )
    return obj


def _hearing_object(h: EvidenceListing) -> dict[str, Any]:
    return {
        "court": h.court, "case_number": h.case_number, "category": h.category,
        "parties": h.title, "scheduled_at": local_iso(h.scheduled_at, h.timezone),
        "local_time": h.local_time, "source": h.source, "source_url": h.url, "why": h.why,
        "grouped": h.grouped, "seen_at": h.seen_at,
    }  # fmt: skip


def _article_object(a: EvidenceListing) -> dict[str, Any]:
    return {
        "title": a.title, "url": a.url, "source": a.source, "published_at": a.published_at,
        "why": a.why, "grouped": a.grouped, "seen_at": a.seen_at,
    }  # fmt: skip


def why_text(why: list[Any]) -> str:
    """The stored hits as the alerts word them: "article '146' (as 'ст. 146') in category"."""
    hits = [Hit(str(h[1]), str(h[0]), str(h[2]), str(h[3]), str(h[4]) if len(h) > 4 else "")
            for h in why if isinstance(h, list) and len(h) >= 4]  # fmt: skip
    return "; ".join(str(h) for h in hits)


def _hearing(ev: CandidateEvidenceRow, row: HearingRow) -> EvidenceListing:
    return EvidenceListing(
        kind="hearing", id=row.id, title=row.parties or row.case_number, url=row.source_url,
        court=row.court, case_number=row.case_number, category=row.category,
        scheduled_at=row.scheduled_at, local_time=row.local_time, timezone=row.timezone,
        published_at=None, source=row.source_id, why=why_text(ev.why), grouped=ev.grouped,
        seen_at=ev.seen_at,
    )  # fmt: skip


def _article(ev: CandidateEvidenceRow, row: ArticleRow | None) -> EvidenceListing | None:
    if row is None:
        return None
    return EvidenceListing(
        kind="article", id=row.id, title=row.title, url=row.canonical_url, court="",
        case_number="", category="", scheduled_at=None, local_time="", timezone="",
        published_at=row.published_at, source=row.source_id, why=why_text(ev.why),
        grouped=ev.grouped, seen_at=ev.seen_at,
    )  # fmt: skip
