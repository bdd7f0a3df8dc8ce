"""The search fixture corpus (tests/fixtures/search/corpus.yaml) stored through the real
write path (``upsert_articles``, so the search index is kept as in production)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from pipeline.records import Article
from pipeline.store.articles import upsert_articles
from pipeline.store.models import MatchRow, SourceRow

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "search" / "corpus.yaml"
STORED_AT = datetime(2025, 6, 1, tzinfo=UTC)


def corpus() -> list[dict[str, Any]]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["articles"]


def article(entry: dict[str, Any], **changes: Any) -> Article:
    values = {**entry, **changes}
    url = f"http://127.0.0.1:9/{values['source']}/{values['key']}"
    published = values["published"]
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    digest = hashlib.sha256(f"{values['title']}\n{values['text']}".encode()).hexdigest()
    return Article(
        source_id=values["source"],
        url=url,
        canonical_url=url,
        title=values["title"],
        summary=values.get("summary", ""),
        text=values["text"],
        language=values["language"],
        published_at=published.astimezone(UTC),
        author="",
        content_hash=digest,
        title_key=values["key"],
    )


def store_corpus(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Store every article and its case matches; returns article id by key."""
    entries = corpus()
    with sessions.begin() as session:
        for source in sorted({e["source"] for e in entries}):
            session.add(SourceRow(id=source, kind="feed", url=f"http://127.0.0.1:9/{source}"))
        session.flush()
        stored = upsert_articles(session, [article(e) for e in entries], STORED_AT)
        ids = {e["key"]: s.article_id for e, s in zip(entries, stored, strict=True)}
        matches = [
            {"article_id": ids[e["key"]], "case_slug": case, "score": 0.5, "why": [],
             "created_at": STORED_AT}
            for e in entries
            for case in e["cases"]
        ]  # fmt: skip
        session.execute(insert(MatchRow), matches)
    return ids
