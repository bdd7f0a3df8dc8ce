"""Cases the store knows, with how many articles and hearings each matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.models import ArticleRow, CaseRow, MatchRow
from pipeline.store.read.articles import sort_time
from pipeline.store.read.hearings import HearingListing, list_hearings


@dataclass(frozen=True, slots=True)
class CaseSummary:
    slug: str
    title: str
    description: str
    timezone: str | None
    articles: int
    hearings: int


def _case_summary(row: CaseRow, counts: dict[str, tuple[int, int]]) -> CaseSummary:
    definition = row.definition or {}
    articles, hearings = counts.get(row.slug, (0, 0))
    return CaseSummary(
        slug=row.slug,
        title=row.title,
        description=str(definition.get("description") or ""),
        timezone=definition.get("timezone"),
        articles=articles,
        hearings=hearings,
    )


def _match_counts(session: Session, slug: str | None = None) -> dict[str, tuple[int, int]]:
    query = select(
        MatchRow.case_slug, func.count(MatchRow.article_id), func.count(MatchRow.hearing_id)
    ).group_by(MatchRow.case_slug)
    if slug is not None:
        query = query.where(MatchRow.case_slug == slug)
    return {s: (a, h) for s, a, h in session.execute(query)}


def list_cases(session: Session) -> list[CaseSummary]:
    """Every case the store knows (synced from config), by slug, with match counts."""
    counts = _match_counts(session)
    rows = session.scalars(select(CaseRow).order_by(CaseRow.slug))
    return [_case_summary(row, counts) for row in rows]


def get_case(
    session: Session, slug: str, counts: dict[str, tuple[int, int]] | None = None
) -> CaseSummary | None:
    """``counts``: the case's match counts when the caller has them (see ``case_counts``)."""
    row = session.get(CaseRow, slug)
    if row is None:
        return None
    return _case_summary(row, _match_counts(session, slug) if counts is None else counts)


def case_counts(session: Session, slug: str) -> dict[str, tuple[int, int]]:
    """Article and hearing match counts of one case (a scan of its matches: cache it, keyed
    by ``all_matches_version``)."""
    return _match_counts(session, slug)


def all_matches_version(session: Session) -> int:
    """The newest match of any kind (matches are only ever added): one index read."""
    return int(session.scalar(select(func.max(MatchRow.id))) or 0)


@dataclass(frozen=True, slots=True)
class CaseActivity:
    """What the store holds for one case: match counts, its newest article, next hearing."""

    articles: int = 0
    hearings: int = 0
    last_article_at: datetime | None = None
    """Publication time of its newest article (the first sighting when undated)."""
    next_hearing: HearingListing | None = None


def case_activity(session: Session, now: datetime) -> dict[str, CaseActivity]:
    """Slug → activity, for every case with any match (a case with none has none here).

    Four queries whatever the number of cases; hearings still ahead are few."""
    counts = _match_counts(session)
    when = sort_time()
    newest = dict(
        session.execute(  # type: ignore[arg-type]  # rows of (slug, datetime)
            select(MatchRow.case_slug, func.max(when))
            .join(ArticleRow, ArticleRow.id == MatchRow.article_id)
            .group_by(MatchRow.case_slug)
        ).all()
    )
    upcoming: dict[str, HearingListing] = {}
    for hearing in list_hearings(session, upcoming_from=now, matched_only=True):
        for slug in hearing.cases:
            upcoming.setdefault(slug, hearing)
    return {
        slug: CaseActivity(
            articles=counts.get(slug, (0, 0))[0],
            hearings=counts.get(slug, (0, 0))[1],
            last_article_at=newest.get(slug),
            next_hearing=upcoming.get(slug),
        )
        for slug in {*counts, *newest, *upcoming}
    }


def case_zones(session: Session) -> dict[str, str]:
    """Case slug → the case's time zone (from its synced definition), for showing times."""
    rows = session.execute(select(CaseRow.slug, CaseRow.definition))
    return {slug: str(d["timezone"]) for slug, d in rows if (d or {}).get("timezone")}
