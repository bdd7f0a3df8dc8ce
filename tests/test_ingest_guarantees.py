"""Regressions for the alert guarantees: nothing collected is dropped, nothing alerted twice."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.sources import Source
from pipeline.items import RawArticle
from pipeline.normalize.article import normalize_article
from pipeline.normalize.text import strip_html
from pipeline.records import Event
from pipeline.store.articles import upsert_articles
from pipeline.store.events import MAX_KEY, add_events
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow
from pipeline.store.sources import sync_sources

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TITLE = "Суд по делу о пытках в Талдыкоргане"


def _article(source: str, url: str, summary: str):
    raw = RawArticle(source_id=source, url=url, title=TITLE, summary=summary, language="ru")
    article = normalize_article(raw, fetched_at=NOW, default_tz="Asia/Almaty")
    assert article is not None
    return article


def _sources(sessions: sessionmaker[Session], *ids: str) -> None:
    with sessions.begin() as session:
        sync_sources(session, [Source(id=i, kind="feed", url=f"https://{i}.kz/feed") for i in ids])


def test_one_outlet_repeating_a_headline_is_two_articles(sessions: sessionmaker[Session]) -> None:
    _sources(sessions, "vlast-ru")
    first = _article("vlast-ru", "https://vlast.kz/1.html", "Потерпевших допросили.")
    second = _article("vlast-ru", "https://vlast.kz/2.html", "Приговор: шесть лет.")
    with sessions.begin() as session:
        upsert_articles(session, [first], NOW)
    with sessions.begin() as session:
        (result,) = upsert_articles(session, [second], NOW)
        assert result.change.value == "new"
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 2


def test_an_aggregator_copy_of_a_stored_story_is_the_same_story(
    sessions: sessionmaker[Session],
) -> None:
    _sources(sessions, "vlast-ru", "gnews-ru")
    own = _article("vlast-ru", "https://vlast.kz/1.html", "Потерпевших допросили.")
    google = _article("gnews-ru", "https://news.google.com/rss/articles/CBMiVkFVX3lxTE4z?oc=5", "")
    with sessions.begin() as session:
        upsert_articles(session, [own], NOW)
    with sessions.begin() as session:
        (result,) = upsert_articles(session, [google], NOW)
        assert result.change.value == "same"


def test_a_dedupe_key_longer_than_the_column_is_stored(sessions: sessionmaker[Session]) -> None:
    key = "article.new:case:https://example.kz/" + "%D0%BF" * 200
    with sessions.begin() as session:
        ids = add_events(
            session, [Event("article.new", "case", key)], lambda k, c: ("console",), NOW
        )
    with sessions.begin() as session:
        again = add_events(
            session, [Event("article.new", "case", key)], lambda k, c: ("console",), NOW
        )
        assert len(ids) == 1 and again == []
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 1
        stored = session.scalar(select(EventRow.dedupe_key))
        assert stored is not None and len(stored) <= MAX_KEY + 80


def test_nul_and_control_characters_never_reach_the_store() -> None:
    assert strip_html("Суд\x00 отложил\x07 заседание") == "Суд отложил заседание"
    assert "\x00" not in _article("vlast-ru", "https://vlast.kz/3.html", "<p>a\x00b</p>").summary
