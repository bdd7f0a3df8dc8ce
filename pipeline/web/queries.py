"""Read queries the web pages and the API need beyond :mod:`pipeline.store.read`.

Each takes a ``session`` and only reads. Results are frozen dataclasses carrying row ids, so
pages can link to them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, select, text
from sqlalchemy.orm import Session

from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import upcoming
from pipeline.store.chunks import chunks
from pipeline.store.models import (
    ArticleRow,
    CaseRow,
    DeliveryRow,
    EventRow,
    HearingChangeRow,
    HearingRow,
    MatchRow,
    SourceRow,
)
from pipeline.store.read import ON_SCHEDULE


def sort_time() -> Any:
    """An article's time as lists order it: ``ix_article_sort_at`` indexes this expression."""
    return func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    slug: str
    title: str
    description: str
    timezone: str | None
    articles: int
    hearings: int


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


@dataclass(frozen=True, slots=True)
class HearingMeta:
    """What the calendar needs beyond a :class:`HearingListing`: id and change moments."""

    id: int
    sequence: int
    """How many scans changed the hearing: iCalendar's SEQUENCE."""
    last_change_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryListing:
    id: int
    event_id: int
    kind: str
    case: str | None
    channel: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None


# ---------------------------------------------------------------- cases


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


# ---------------------------------------------------------------- articles


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
        url=row.url,
        title=row.title,
        published_at=row.published_at,
        first_seen_at=row.first_seen_at,
        language=row.language,
        source=row.source_id,
        cases=cases.get(row.id, ()),
    )


_BRIEF_COLUMNS = (
    ArticleRow.id,
    ArticleRow.url,
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
        MatchInfo(case=m.case_slug, score=m.score, why=tuple(_why_text(hit) for hit in m.why))
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


def _why_text(hit: Any) -> str:
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


# ---------------------------------------------------------------- hearings


def hearing_meta(session: Session, identities: Sequence[str]) -> dict[str, HearingMeta]:
    """Hearing identity → id, SEQUENCE (distinct change moments) and the last change."""
    out: dict[str, HearingMeta] = {}
    for chunk in chunks(identities):
        moments = (
            select(
                HearingChangeRow.hearing_id,
                func.count(func.distinct(HearingChangeRow.seen_at)).label("n"),
                func.max(HearingChangeRow.seen_at).label("last"),
            )
            .group_by(HearingChangeRow.hearing_id)
            .subquery()
        )
        query = (
            select(HearingRow.identity, HearingRow.id, moments.c.n, moments.c.last)
            .outerjoin(moments, moments.c.hearing_id == HearingRow.id)
            .where(HearingRow.identity.in_(chunk))
        )
        for identity, hearing_id, count, last in session.execute(query):
            last_at = (
                last.replace(tzinfo=UTC) if isinstance(last, datetime) and not last.tzinfo else last
            )
            out[identity] = HearingMeta(hearing_id, int(count or 0), last_at)
    return out


@dataclass(frozen=True, slots=True)
class HearingTime:
    id: int
    identity: str
    starts_at: datetime
    """The instant, or the start of the local day when only a date was printed."""
    ahead: bool
    """On the schedule and still ahead at the time asked about."""


def case_hearing_times(session: Session, case: str, now: datetime) -> list[HearingTime]:
    """Every hearing of ``case`` in timeline order (oldest first; ties as ``list_hearings``
    orders them), from a few columns: the dashboard then loads in full only those it shows."""
    matched = select(MatchRow.hearing_id).where(
        MatchRow.case_slug == case, MatchRow.hearing_id.is_not(None)
    )
    query = (
        select(
            HearingRow.id,
            HearingRow.identity,
            HearingRow.scheduled_at,
            HearingRow.local_time,
            HearingRow.timezone,
            HearingRow.status,
            HearingRow.cancelled_at,
        )
        .where(HearingRow.id.in_(matched))
        .order_by(HearingRow.local_time.desc(), HearingRow.id.desc())
    )
    times = [
        HearingTime(
            id=hearing_id,
            identity=identity,
            starts_at=at
            if at is not None
            else datetime.fromisoformat(local[:10]).replace(tzinfo=zone(tz)),
            ahead=cancelled is None and status in ON_SCHEDULE and upcoming(at, local, tz, now),
        )
        for hearing_id, identity, at, local, tz, status, cancelled in session.execute(query)
    ]
    times.sort(key=lambda t: t.starts_at)
    return times


# ---------------------------------------------------------------- deliveries, health


def list_deliveries(session: Session, *, limit: int = 200) -> list[DeliveryListing]:
    """Newest first, with the event each delivery carries."""
    query = (
        select(DeliveryRow, EventRow.kind, EventRow.case_slug)
        .join(EventRow, EventRow.id == DeliveryRow.event_id)
        .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc())
        .limit(limit)
    )
    return [
        DeliveryListing(
            id=d.id,
            event_id=d.event_id,
            kind=kind,
            case=case,
            channel=d.channel,
            status=d.status,
            attempts=d.attempts,
            created_at=d.created_at,
            sent_at=d.sent_at,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
        )
        for d, kind, case in session.execute(query)
    ]


def database_ok(session: Session) -> bool:
    session.execute(text("SELECT 1"))
    return True


def calendar_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever anything a calendar shows could have: a hearing added, changed
    (every change writes a history row) or matched, a case retitled. One cheap query."""
    return tuple(
        session.execute(
            select(
                select(func.max(HearingRow.id)).scalar_subquery(),
                select(func.max(HearingChangeRow.id)).scalar_subquery(),
                select(func.max(MatchRow.id))
                .where(MatchRow.hearing_id.is_not(None))
                .scalar_subquery(),
                select(func.max(CaseRow.updated_at)).scalar_subquery(),
            )
        ).one()
    )


def matches_version(session: Session) -> int:
    """The newest article match: coverage counts change only when it does (one index read)."""
    newest = session.scalar(select(func.max(MatchRow.id)).where(MatchRow.article_id.is_not(None)))
    return int(newest or 0)
