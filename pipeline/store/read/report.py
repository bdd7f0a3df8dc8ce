"""What a case chronology (``casewatch report``) reads beyond the listings: the case's
articles with their text and why they matched, the evidence captures of those articles (no
bytes), and what the news said of the hearings it announced (the stored sentence)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.chunks import chunks
from pipeline.store.models import ArticleRow, CaptureRow, CaseRow, HearingRow, MatchRow
from pipeline.store.read.articles import sort_time, why_text


@dataclass(frozen=True, slots=True)
class ReportArticle:
    id: int
    url: str
    title: str
    published_at: datetime | None
    first_seen_at: datetime
    source: str
    publisher: str
    language: str
    text: str
    """Title, summary and text joined: what the news said is read from it."""
    why: tuple[str, ...]
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReportCapture:
    article_id: int
    fetched_at: datetime
    kind: str
    """first | changed | removed"""
    status: int | None
    final_url: str
    sha256: str
    body_size: int
    record_id: str
    """The WARC-Record-ID ``export-evidence`` writes for it."""


def report_articles(session: Session, case: str) -> list[ReportArticle]:
    """The articles matched to ``case``, oldest first (publication, else first sighting);
    the columns a report reads (no raw body)."""
    query = (
        select(
            ArticleRow.id,
            ArticleRow.canonical_url,
            ArticleRow.title,
            ArticleRow.summary,
            ArticleRow.text,
            ArticleRow.published_at,
            ArticleRow.first_seen_at,
            ArticleRow.source_id,
            ArticleRow.publisher,
            ArticleRow.language,
            ArticleRow.removed_at,
            MatchRow.why,
        )
        .join(MatchRow, MatchRow.article_id == ArticleRow.id)
        .where(MatchRow.case_slug == case)
        .order_by(sort_time(), ArticleRow.id)
    )
    return [
        ReportArticle(
            id=row.id,
            url=row.canonical_url,
            title=row.title,
            published_at=row.published_at,
            first_seen_at=row.first_seen_at,
            source=row.source_id,
            publisher=row.publisher,
            language=row.language,
            text="\n\n".join(p for p in (row.title, row.summary, row.text) if p),
            why=tuple(why_text(hit) for hit in row.why or ()),
            removed_at=row.removed_at,
        )
        for row in session.execute(query)
    ]


def report_captures(session: Session, article_ids: Sequence[int]) -> dict[int, list[ReportCapture]]:
    """Article id → its captures, oldest first (the columns a citation needs, no bytes)."""
    out: dict[int, list[ReportCapture]] = defaultdict(list)
    columns = (
        CaptureRow.article_id,
        CaptureRow.fetched_at,
        CaptureRow.kind,
        CaptureRow.status,
        CaptureRow.final_url,
        CaptureRow.sha256,
        CaptureRow.body_size,
        CaptureRow.record_id,
    )
    for chunk in chunks(article_ids):
        query = (
            select(*columns)
            .where(CaptureRow.article_id.in_(chunk))
            .order_by(CaptureRow.fetched_at, CaptureRow.id)
        )
        for row in session.execute(query):
            out[row.article_id].append(ReportCapture(*row))
    return dict(out)


def announced_sentences(session: Session, identities: Sequence[str]) -> dict[str, str]:
    """Hearing identity → the sentence of the article that announced it (hearings the news
    announced; a court listing has none)."""
    out: dict[str, str] = {}
    for chunk in chunks(identities):
        query = select(HearingRow.identity, HearingRow.cells).where(
            HearingRow.identity.in_(chunk), HearingRow.article_url != ""
        )
        for identity, cells in session.execute(query):
            sentence = (cells or {}).get("announced")
            if isinstance(sentence, str) and sentence:
                out[identity] = sentence
    return out


def stored_case(session: Session, slug: str) -> dict[str, object] | None:
    """The case's definition as last synced from the config (title included), or None."""
    row = session.get(CaseRow, slug)
    if row is None:
        return None
    return {**(row.definition or {}), "slug": row.slug, "title": row.title}
