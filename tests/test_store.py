"""The store on SQLite and PostgreSQL: migrations, aware datetimes, unique constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.engine import head_revision, open_store
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow, SourceRow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HEAD = head_revision()
TABLES = {
    "source",
    "source_run",
    "article",
    "case",
    "match",
    "event",
    "delivery",
    "hearing",
    "hearing_change",
}


def test_head_revision_is_alembics() -> None:
    """The head read from the migration files (no Alembic on a run whose schema is current)
    is the one Alembic's script directory names."""
    from alembic.script import ScriptDirectory

    from pipeline.store.engine import alembic_config

    assert ScriptDirectory.from_config(alembic_config(None)).get_current_head() == HEAD


def _source(session: Session, source_id: str = "azattyq-ru") -> SourceRow:
    row = SourceRow(
        id=source_id, kind="feed", url="https://example.org/feed", consecutive_failures=0
    )
    session.add(row)
    return row


def _article(canonical_url: str, **extra: object) -> ArticleRow:
    values: dict[str, object] = {
        "url": canonical_url,
        "canonical_url": canonical_url,
        "first_seen_at": NOW,
        "last_seen_at": NOW,
        "source_id": "azattyq-ru",
        "content_hash": "0" * 64,
        "title_key": "t",
        **extra,
    }
    return ArticleRow(**values)


def _event(dedupe_key: str) -> EventRow:
    return EventRow(
        kind="article.new", case_slug="c", payload={}, dedupe_key=dedupe_key, created_at=NOW
    )


def test_migrations_apply_twice(db_url: str) -> None:
    for _ in range(2):
        factory = open_store(db_url)
        engine = factory.kw["bind"]
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = set(inspect(conn).get_table_names())
        engine.dispose()
        assert version == [HEAD]
        assert tables >= TABLES


@pytest.mark.parametrize(
    "written",
    [
        datetime(2026, 3, 1, 17, 30, tzinfo=timezone(timedelta(hours=5))),
        datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-8))),
    ],
)
def test_aware_datetimes_round_trip_as_utc(
    sessions: sessionmaker[Session], written: datetime
) -> None:
    with sessions.begin() as session:
        _source(session).last_success_at = written
    with sessions() as session:
        read = session.scalars(select(SourceRow.last_success_at)).one()
    assert read == written
    assert read is not None and read.utcoffset() == timedelta(0)


def test_naive_datetime_is_rejected(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as session:
        _source(session).last_run_at = datetime(2026, 3, 1, 12, 0)
        session.flush()
    with sessions() as session:
        assert session.scalars(select(SourceRow)).all() == []


def test_canonical_url_is_unique(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _source(session)
        session.flush()
        session.add(_article("https://example.org/a"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(_article("https://example.org/a", url="https://example.org/a?utm=x"))
    with sessions() as session:
        assert session.scalars(select(ArticleRow.url)).all() == ["https://example.org/a"]


def test_event_dedupe_key_is_unique(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(_event("article.new:c:1"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(_event("article.new:c:1"))
    with sessions.begin() as session:
        session.add(_event("article.new:c:2"))
    with sessions() as session:
        assert sorted(session.scalars(select(EventRow.dedupe_key))) == [
            "article.new:c:1",
            "article.new:c:2",
        ]


def _delivery(event_id: int, channel: str) -> DeliveryRow:
    return DeliveryRow(event_id=event_id, channel=channel, next_attempt_at=NOW, created_at=NOW)


def test_delivery_is_unique_per_event_and_channel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        event = _event("k")
        session.add(event)
        session.flush()
        event_id = event.id
        session.add_all([_delivery(event_id, "team-email"), _delivery(event_id, "ops-slack")])
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(_delivery(event_id, "team-email"))
    with sessions() as session:
        rows = session.scalars(select(DeliveryRow)).all()
    assert sorted(r.channel for r in rows) == ["ops-slack", "team-email"]
    assert {r.status for r in rows} == {"pending"}
    assert {r.attempts for r in rows} == {0}
