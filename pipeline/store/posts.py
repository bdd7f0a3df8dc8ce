"""A channel's posts in the article table (``kind: telegram``): the newest one stored (where
the next read stops going back), the ones a read may find deleted, and the last capture of
those that are evidence. Each function takes a session and never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.chunks import chunks
from pipeline.store.models import ArticleRow, CaptureRow


def newest_urls(session: Session, source_ids: Iterable[str]) -> dict[str, str]:
    """Source id → the canonical URL of its newest stored article (by publication time, then
    by when it was stored); sources with none are left out."""
    out: dict[str, str] = {}
    for source_id in dict.fromkeys(source_ids):
        url = session.scalar(
            select(ArticleRow.canonical_url)
            .where(ArticleRow.source_id == source_id)
            .order_by(
                ArticleRow.published_at.is_(None),
                ArticleRow.published_at.desc(),
                ArticleRow.id.desc(),
            )
            .limit(1)
        )
        if url:
            out[source_id] = url
    return out


def present(session: Session, source_id: str) -> list[tuple[int, str]]:
    """(article id, canonical URL) of the source's articles not marked removed."""
    rows = session.execute(
        select(ArticleRow.id, ArticleRow.canonical_url).where(
            ArticleRow.source_id == source_id, ArticleRow.removed_at.is_(None)
        )
    )
    return [(article_id, url) for article_id, url in rows]


def captured(session: Session, urls: Sequence[str]) -> list[tuple[ArticleRow, CaptureRow]]:
    """The articles at ``urls`` that have a capture (the matched ones), not marked removed,
    each with its latest capture."""
    out: list[tuple[ArticleRow, CaptureRow]] = []
    for chunk in chunks(list(urls)):
        latest = (
            select(func.max(CaptureRow.id))
            .join(ArticleRow, ArticleRow.id == CaptureRow.article_id)
            .where(ArticleRow.canonical_url.in_(chunk), ArticleRow.removed_at.is_(None))
            .group_by(CaptureRow.article_id)
        )
        rows = session.execute(
            select(ArticleRow, CaptureRow)
            .join(CaptureRow, CaptureRow.article_id == ArticleRow.id)
            .where(CaptureRow.id.in_(latest))
        )
        out.extend((article, capture) for article, capture in rows)
    return out
