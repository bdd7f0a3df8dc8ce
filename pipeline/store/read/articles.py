"""Articles as lists show them: newest first, with the cases each matched.

``ArticleListing`` is what ``casewatch articles`` prints (its fields are the CSV/JSON
columns); ``ArticleBrief`` carries the row id the web links by; ``ArticleDetail`` one page.
The ``url`` a person reads is the article's canonical URL (tracking parameters such as
``utm_source`` removed), as alerts show it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from pipeline.store.chunks import chunks
from pipeline.store.models import ArticleRow, MatchRow, SourceRow
from pipeline.store.read.common import limited


def sort_time() -> Any:
    """An article's time as lists order it: ``ix_article_sort_at`` indexes this expression."""
    return func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)


@dataclass(frozen=True, slots=True)
class ArticleListing:
    url: str
    title: str
    published_at: datetime | None
    language: str
    source: str
    cases: tuple[str, ...]
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleBrief:
    id: int
    url: str
    title: str
    published_at: datetime | None
    first_seen_at: datetime
    language: str
    source: str
    cases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchInfo:
    case: str
    score: float
    why: tuple[str, ...]
    """'keyword «пытки» in title (as «пыток»)', one per hit."""


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    brief: ArticleBrief
    summary: str
    text: str
    author: str
    publisher: str
    source_name: str | None
    raw_sha256: str | None
    matches: tuple[MatchInfo, ...]


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: date
    """The Monday (UTC) the week starts on."""
    count: int


def list_articles(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[ArticleListing]:
    """Newest first by publication date (first sighting when undated)."""
    when = sort_time()
    query = select(ArticleRow).order_by(when.desc(), ArticleRow.id.desc())
    if case is not None:
        matched = select(MatchRow.article_id).where(MatchRow.case_slug == case)
        query = query.where(ArticleRow.id.in_(matched))
    if since is not None:
        query = query.where(when >= since)
    rows = session.scalars(limited(query, limit)).all()
    cases = article_cases(session, [row.id for row in rows])
    return [
        ArticleListing(
            url=row.canonical_url,
            title=row.title,
            published_at=row.published_at,
            language=row.language,
            source=row.source_id,
            cases=cases.get(row.id, ()),
            first_seen_at=row.first_seen_at,
        )
        for row in rows
    ]


def article_cases(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(ids):
        query = select(MatchRow.article_id, MatchRow.case_slug).where(
            MatchRow.article_id.in_(chunk)
        )
        for article_id, slug in session.execute(query):
            out[article_id].append(slug)
    return {key: tuple(sorted(value)) for key, value in out.items()}


def _brief(row: Any, cases: dict[int, tuple[str, ...]]) -> ArticleBrief:
    return ArticleBrief(
        id=row.id,
        url=row.canonical_url,
        title=row.title,
        published_at=row.published_at,
        first_seen_at=row.first_seen_at,
        language=row.language,
        source=row.source_id,
        cases=cases.get(row.id, ()),
    )


_BRIEF_COLUMNS = (
    ArticleRow.id,
    ArticleRow.canonical_url,
    ArticleRow.title,
    ArticleRow.published_at,
    ArticleRow.first_seen_at,
    ArticleRow.language,
    ArticleRow.source_id,
)


def find_articles(
    session: Session,
    *,
    case: str | None = None,
    source: str | None = None,
    language: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ArticleBrief]:
    """Newest first (publication date, else first sighting); filters combine with AND.

    The order walks the ``ix_article_sort_at`` index; the case is an EXISTS per article (a
    join on the case would make the planner sort all of a busy case's articles)."""
    when = sort_time()
    query = select(*_BRIEF_COLUMNS)
    if case is not None:
        matched = select(MatchRow.id).where(
            MatchRow.article_id == ArticleRow.id, MatchRow.case_slug == case
        )
        query = query.where(matched.exists())
    if source is not None:
        query = query.where(ArticleRow.source_id == source)
    if language is not None:
        query = query.where(ArticleRow.language == language)
    if since is not None:
        query = query.where(when >= since)
    if until is not None:
        query = query.where(when < until)
    query = query.order_by(when.desc(), ArticleRow.id.desc()).limit(limit).offset(offset)
    rows = session.execute(query).all()
    cases = article_cases(session, [row.id for row in rows])
    return [_brief(row, cases) for row in rows]


def get_article(session: Session, article_id: int) -> ArticleDetail | None:
    row = session.get(ArticleRow, article_id)
    if row is None:
        return None
    matches = session.scalars(
        select(MatchRow).where(MatchRow.article_id == article_id).order_by(MatchRow.case_slug)
    )
    infos = tuple(
        MatchInfo(case=m.case_slug, score=m.score, why=tuple(why_text(hit) for hit in m.why))
        for m in matches
    )
    source = session.get(SourceRow, row.source_id)
    return ArticleDetail(
        brief=_brief(row, {row.id: tuple(m.case for m in infos)}),
        summary=row.summary,
        text=row.text,
        author=row.author,
        publisher=row.publisher,
        source_name=source.name if source else None,
        raw_sha256=row.raw_sha256,
        matches=infos,
    )


def why_text(hit: Any) -> str:
    """A stored hit ``[kind, term, field, found]`` as one readable line."""
    if not isinstance(hit, list | tuple) or len(hit) != 4:
        return str(hit)
    kind, term, field, found = (str(part) for part in hit)
    shown = f"«{term}»" if found.casefold() == term.casefold() else f"«{term}» (as «{found}»)"
    return f"{kind} {shown} in {field}"


def weekly_coverage(session: Session, case: str, now: datetime, weeks: int = 26) -> list[WeekCount]:
    """Articles of ``case`` per week (UTC, Monday first) over the last ``weeks`` weeks, oldest
    first, empty weeks included. SQL counts per day; the weeks are summed here."""
    first = _monday(now.astimezone(UTC).date()) - timedelta(weeks=weeks - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    when = sort_time()
    dialect = session.get_bind().dialect.name
    day = func.date(when) if dialect == "sqlite" else cast(func.timezone("UTC", when), Date)
    query = (
        select(day, func.count())
        .select_from(MatchRow)
        .join(ArticleRow, ArticleRow.id == MatchRow.article_id)
        .where(MatchRow.case_slug == case, when >= start)
        .group_by(day)
    )
    counts = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for value, count in session.execute(query):
        monday = _monday(value if isinstance(value, date) else date.fromisoformat(str(value)))
        if monday in counts:
            counts[monday] += count
    return [WeekCount(week, count) for week, count in counts.items()]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def matches_version(session: Session) -> int:
    """The newest article match: coverage counts change only when it does (one index read)."""
    newest = session.scalar(select(func.max(MatchRow.id)).where(MatchRow.article_id.is_not(None)))
    return int(newest or 0)
