"""Write-side repository functions. Each takes a session and never commits.

The hot path (``upsert_articles``) works in batches: one query for what is already known, one
multi-row insert for what is new, so a feed of a hundred items costs a handful of statements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pipeline.config.load import Case, Source
from pipeline.items import FetchReport
from pipeline.normalize.urls import is_google_news
from pipeline.records import Article, Change, Event, Match
from pipeline.search.index import index_articles
from pipeline.store.chunks import chunks
from pipeline.store.models import (
    ArticleRow,
    CaseRow,
    DeliveryRow,
    EventRow,
    MatchRow,
    SourceRow,
    SourceRunRow,
)

ChannelsFor = Callable[[str, str | None], Sequence[str]]
"""Routing: (event kind, case slug) → channel ids."""

TITLE_DEDUPE_WINDOW = timedelta(days=30)
TITLE_DEDUPE_MIN_WORDS = 4
"""Shorter titles ("Новости дня") are too common to prove two links are one story."""


@dataclass(frozen=True, slots=True)
class Upserted:
    """What the store did with one article: NEW, CHANGED (content differs) or SAME."""

    change: Change
    article_id: int
    article: Article


def sync_sources(session: Session, sources: Iterable[Source]) -> None:
    """Make a row for every configured source; refresh kind/url/name of known ones."""
    known = {row.id: row for row in session.scalars(select(SourceRow))}
    for source in sources:
        row = known.get(source.id)
        if row is None:
            session.add(
                SourceRow(
                    id=source.id,
                    kind=source.kind,
                    url=source.url,
                    name=source.name,
                    language=source.language,
                    consecutive_failures=0,
                )
            )
        elif (row.kind, row.url, row.name, row.language) != (
            source.kind,
            source.url,
            source.name,
            source.language,
        ):
            url_changed = row.url != source.url
            row.kind, row.url, row.name, row.language = (
                source.kind,
                source.url,
                source.name,
                source.language,
            )
            if url_changed:  # validators of the old URL mean nothing for the new one
                row.etag = row.last_modified = row.body_sha256 = None


def sync_cases(session: Session, cases: Iterable[Case], now: datetime) -> None:
    known = {row.slug: row for row in session.scalars(select(CaseRow))}
    for case in cases:
        definition = case.model_dump(mode="json")
        row = known.get(case.slug)
        if row is None:
            session.add(
                CaseRow(slug=case.slug, title=case.title, definition=definition, updated_at=now)
            )
        elif row.definition != definition or row.title != case.title:
            row.title, row.definition, row.updated_at = case.title, definition, now


def source_states(session: Session) -> dict[str, SourceRow]:
    return {row.id: row for row in session.scalars(select(SourceRow))}


def failures_of(session: Session, source_id: str) -> int:
    """The source's consecutive failures before this run (0 for a new source)."""
    row = session.get(SourceRow, source_id)
    return row.consecutive_failures if row else 0


def _article_values(article: Article, now: datetime) -> dict[str, object]:
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "summary": article.summary,
        "text": article.text,
        "language": article.language,
        "author": article.author,
        "publisher": article.publisher,
        "published_at": article.published_at,
        "first_seen_at": now,
        "last_seen_at": now,
        "source_id": article.source_id,
        "content_hash": article.content_hash,
        "title_key": article.title_key,
    }


def _title_dedupable(article: Article) -> bool:
    return bool(article.title_key) and len(article.title.split()) >= TITLE_DEDUPE_MIN_WORDS


def upsert_articles(session: Session, articles: Sequence[Article], now: datetime) -> list[Upserted]:
    """Insert new articles, refresh known ones; dedupe by canonical URL, then by title key.

    Only the source that stored an article can change it: another outlet's or an aggregator's
    copy of it (with its own summary) is a sighting, not an edit.

    An aggregator link to a story already stored under the publisher's own URL (same title
    key, recent, another source) counts as SAME, so it never alerts twice.
    """
    unique = list({a.canonical_url: a for a in articles}.values())
    by_url = _known_by_url(session, [a.canonical_url for a in unique])
    by_title = _known_by_title(
        session,
        [a.title_key for a in unique if a.canonical_url not in by_url and _title_dedupable(a)],
        now,
    )
    results: list[Upserted] = []
    fresh: list[Article] = []
    touched: list[int] = []
    for article in unique:
        known = by_url.get(article.canonical_url) or _same_story(article, by_title)
        if known is None:
            fresh.append(article)
            continue
        article_id, content_hash, source_id, _url = known
        same_content = content_hash == article.content_hash
        if same_content or source_id != article.source_id or article.canonical_url not in by_url:
            touched.append(article_id)
            results.append(Upserted(Change.SAME, article_id, article))
        else:
            _refresh(session, article_id, article, now)
            results.append(Upserted(Change.CHANGED, article_id, article))
    if touched:
        session.execute(
            update(ArticleRow).where(ArticleRow.id.in_(touched)).values(last_seen_at=now)
        )
    results.extend(_insert(session, fresh, now))
    index_articles(session, [r.article_id for r in results if r.change is not Change.SAME])
    return results


Known = tuple[int, str, str, str]
"""(article id, content hash, source id, canonical URL) of a stored article."""


def _same_story(article: Article, by_title: dict[str, Known]) -> Known | None:
    """The stored article this one repeats by title: only an aggregator link (Google News,
    undecodable) and a publisher's own link, from two sources — one outlet printing the same
    headline twice ("Суд по делу о пытках…") is two articles."""
    known = by_title.get(article.title_key) if _title_dedupable(article) else None
    if known is None or known[2] == article.source_id:
        return None
    if not (is_google_news(article.canonical_url) or is_google_news(known[3])):
        return None
    return known


def _known_by_url(session: Session, urls: Sequence[str]) -> dict[str, Known]:
    out: dict[str, Known] = {}
    for chunk in chunks(urls):
        rows = session.execute(
            select(
                ArticleRow.canonical_url,
                ArticleRow.id,
                ArticleRow.content_hash,
                ArticleRow.source_id,
            ).where(ArticleRow.canonical_url.in_(chunk))
        )
        out.update({url: (article_id, digest, src, url) for url, article_id, digest, src in rows})
    return out


def _known_by_title(session: Session, keys: Sequence[str], now: datetime) -> dict[str, Known]:
    out: dict[str, Known] = {}
    for chunk in chunks(keys):
        rows = session.execute(
            select(
                ArticleRow.title_key,
                ArticleRow.id,
                ArticleRow.content_hash,
                ArticleRow.source_id,
                ArticleRow.canonical_url,
            ).where(
                ArticleRow.title_key.in_(chunk),
                ArticleRow.first_seen_at >= now - TITLE_DEDUPE_WINDOW,
            )
        )
        out.update(
            {key: (article_id, digest, src, url) for key, article_id, digest, src, url in rows}
        )
    return out


def _refresh(session: Session, article_id: int, article: Article, now: datetime) -> None:
    session.execute(
        update(ArticleRow)
        .where(ArticleRow.id == article_id)
        .values(
            title=article.title,
            summary=article.summary,
            text=article.text or ArticleRow.text,
            content_hash=article.content_hash,
            last_seen_at=now,
        )
    )


def _insert(session: Session, fresh: Sequence[Article], now: datetime) -> list[Upserted]:
    if not fresh:
        return []
    rows = session.execute(
        insert(ArticleRow).returning(
            ArticleRow.id, ArticleRow.canonical_url, sort_by_parameter_order=True
        ),
        [_article_values(a, now) for a in fresh],
    ).all()
    return [
        Upserted(Change.NEW, article_id, a) for (article_id, _), a in zip(rows, fresh, strict=True)
    ]


def save_matches(
    session: Session,
    article_id: int,
    matches: Sequence[Match],
    now: datetime,
    *,
    check_existing: bool = True,
) -> list[Match]:
    """Record matches not recorded before for this article; return only the new ones.

    A just-inserted article has no matches yet, so the caller may skip the look-up.
    """
    return record_matches(session, MatchRow.article_id, article_id, matches, now, check_existing)


def record_matches(
    session: Session,
    subject: Any,
    subject_id: int,
    matches: Sequence[Match],
    now: datetime,
    check_existing: bool,
) -> list[Match]:
    """Matches of one record (``subject``: ``MatchRow.article_id`` or ``.hearing_id``)."""
    if not matches:
        return []
    known = (
        set(session.scalars(select(MatchRow.case_slug).where(subject == subject_id)))
        if check_existing
        else set()
    )
    new = [m for m in matches if m.case not in known]
    if new:
        session.execute(
            insert(MatchRow),
            [
                {
                    subject.key: subject_id,
                    "case_slug": m.case,
                    "score": m.score,
                    "why": [[h.kind, h.term, h.field, h.found] for h in m.why],
                    "created_at": now,
                }
                for m in new
            ],
        )
    return new


def add_events(
    session: Session,
    events: Sequence[Event],
    channels_for: ChannelsFor,
    now: datetime,
    repeat_channels_for: ChannelsFor | None = None,
) -> list[int]:
    """Insert events whose dedupe key is new, with one pending delivery per routed channel.

    ``repeat_channels_for`` routes events marked ``story_repeat`` (another outlet's copy of
    a story already alerted); without it they are routed like the others."""
    if not events:
        return []
    events = [replace(e, dedupe_key=storable_key(e.dedupe_key)) for e in events]
    keys = [e.dedupe_key for e in events]
    known = set(session.scalars(select(EventRow.dedupe_key).where(EventRow.dedupe_key.in_(keys))))
    fresh = list({e.dedupe_key: e for e in events if e.dedupe_key not in known}.values())
    if not fresh:
        return []
    ids = session.scalars(
        insert(EventRow).returning(EventRow.id, sort_by_parameter_order=True),
        [
            {
                "kind": e.kind,
                "case_slug": e.case,
                "article_id": e.article_id,
                "hearing_id": e.hearing_id,
                "payload": e.payload,
                "dedupe_key": e.dedupe_key,
                "created_at": now,
            }
            for e in fresh
        ],
    ).all()
    deliveries = [
        {
            "event_id": event_id,
            "channel": channel,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event_id, e in zip(ids, fresh, strict=True)
        for channel, status in _routed(
            e,
            repeat_channels_for
            if repeat_channels_for and e.payload.get("story_repeat")
            else channels_for,
            _same_subject(fresh, e),
        )
    ]
    if deliveries:
        session.execute(insert(DeliveryRow), deliveries)
    return list(ids)


def _same_subject(events: Sequence[Event], event: Event) -> set[str | None]:
    """Cases of the events in ``events`` about the same article or hearing as ``event``."""
    subject = (event.article_id, event.hearing_id)
    return {e.case for e in events if (e.article_id, e.hearing_id) == subject}


def _routed(
    event: Event, channels_for: ChannelsFor, fresh_cases: set[str | None]
) -> list[tuple[str, str]]:
    """(channel, status): ``suppressed`` where the event's lead goes to that channel in this
    same insert (a lead that was deduplicated away suppresses nothing)."""
    lead = event.payload.get("alerted_with")
    shared = set(channels_for(event.kind, lead)) if lead and lead in fresh_cases else set()
    return [
        (channel, "suppressed" if channel in shared else "pending")
        for channel in channels_for(event.kind, event.case)
    ]


MAX_KEY = 400


def storable_key(key: str) -> str:
    """Dedupe keys fit the column: a long one (a long URL) keeps its head and a hash of all."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:300]}#{hashlib.sha256(key.encode()).hexdigest()}"


def record_run(
    session: Session,
    report: FetchReport,
    *,
    started_at: datetime,
    finished_at: datetime,
    items_new: int,
    items_changed: int,
) -> SourceRow:
    """Record one fetch on ``source_run`` and the source's health; returns the updated row."""
    status = "error" if not report.ok else "not_modified" if report.not_modified else "ok"
    session.add(
        SourceRunRow(
            source_id=report.source_id,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            http_status=report.status,
            items_seen=report.items,
            items_new=items_new,
            items_changed=items_changed,
            error=report.error or None,
            bozo=report.bozo or None,
        )
    )
    row = session.get(SourceRow, report.source_id)
    if row is None:
        raise LookupError(f"{report.source_id}: unknown source (not in config)")
    row.last_run_at = finished_at
    if report.ok:
        row.last_success_at = finished_at
        row.consecutive_failures = 0
        row.etag = report.etag or row.etag
        row.last_modified = report.last_modified or row.last_modified
        row.body_sha256 = report.body_sha256 or row.body_sha256
    else:
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
        row.last_error = report.error
        row.last_error_at = finished_at
    return row


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ArticleRow)) or 0
