"""The article table, written in batches. Each function takes a session and never commits.

The hot path (``upsert_articles``) works in batches: one query for what is already known, one
multi-row insert for what is new, so a feed of a hundred items costs a handful of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pipeline.normalize.urls import is_google_news
from pipeline.records import Article, Change
from pipeline.store.chunks import chunks
from pipeline.store.models import ArticleRow
from pipeline.store.search_index import Indexed, index_articles, write_rows

TITLE_DEDUPE_WINDOW = timedelta(days=30)
TITLE_DEDUPE_MIN_WORDS = 4
"""Shorter titles ("Новости дня") are too common to prove two links are one story."""


@dataclass(frozen=True, slots=True)
class Upserted:
    """What the store did with one article: NEW, CHANGED (content differs) or SAME."""

    change: Change
    article_id: int
    article: Article
    replaced: str = ""
    """The aggregator link (an undecodable Google News one) this publisher's own copy took
    the place of on the stored article: CHANGED, and its unsent alerts move to this copy
    (``pipeline.ingest.takeover``)."""


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
    key, recent, another source) counts as SAME, so it never alerts twice. The other way
    round — the publisher's own copy of an article stored under an aggregator link — the
    stored article becomes the publisher's copy (its URL, text and source; CHANGED with
    ``replaced``), so which of the two sources a run stores first makes no difference.
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
        article_id, content_hash, source_id, url = known
        if _takes_over(article, url, article.canonical_url not in by_url):
            _promote(session, article_id, article, now)
            by_title[article.title_key] = (article_id, article.content_hash, article.source_id,
                                           article.canonical_url)  # fmt: skip
            results.append(Upserted(Change.CHANGED, article_id, article, replaced=url))
            continue
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
    inserted = _insert(session, fresh, now)
    results.extend(inserted)
    # New rows are indexed from what was just written; an edited one as stored (its text may
    # be the stored one: ``_refresh`` keeps it when the feed's is empty).
    write_rows(session, [_indexed(u.article_id, u.article, now) for u in inserted])
    index_articles(session, [r.article_id for r in results if r.change is Change.CHANGED])
    return results


def _indexed(article_id: int, article: Article, now: datetime) -> Indexed:
    a = article
    return (article_id, a.title, a.summary, a.text, a.source_id, a.language, a.published_at or now)


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


def _takes_over(article: Article, stored_url: str, by_title: bool) -> bool:
    """The publisher's own copy of an article stored under an aggregator link (found by its
    title, :func:`_same_story`)."""
    return by_title and is_google_news(stored_url) and not is_google_news(article.canonical_url)


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


def _promote(session: Session, article_id: int, article: Article, now: datetime) -> None:
    """The stored aggregator copy becomes the publisher's own: everything but its first
    sighting (and story, grouped again by the caller)."""
    values = _article_values(article, now)
    del values["first_seen_at"]
    session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(**values))


def _insert(session: Session, fresh: Sequence[Article], now: datetime) -> list[Upserted]:
    """One multi-row insert (Core: the ORM's bulk path adds nothing here but time). Each new
    id comes back with its canonical URL (unique): asking for the rows in parameter order
    instead costs SQLAlchemy as much again as the insert."""
    if not fresh:
        return []
    table = ArticleRow.__table__
    rows = session.execute(
        insert(table).returning(table.c.id, table.c.canonical_url),
        [_article_values(a, now) for a in fresh],
    )
    ids = {url: article_id for article_id, url in rows}
    return [Upserted(Change.NEW, ids[a.canonical_url], a) for a in fresh]


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ArticleRow)) or 0
