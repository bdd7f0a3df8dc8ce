"""SQLAlchemy 2 models for the data model of DESIGN.md. Schema changes go through Alembic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} reached the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class SourceRow(Base):
    __tablename__ = "source"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_warning: Mapped[str | None] = mapped_column(Text)
    """The last run's warning (``SourceRunRow.warning``); cleared by a run without one."""


class SourceRunRow(Base):
    __tablename__ = "source_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    """ok | not_modified | unchanged | error"""
    http_status: Mapped[int | None]
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_changed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    bozo: Mapped[str | None] = mapped_column(Text)
    items_unreadable: Mapped[int] = mapped_column(Integer, default=0)
    """Schedule rows that did not become hearings (an impossible date, no case number)."""
    warning: Mapped[str | None] = mapped_column(Text)
    """What the run could not read, e.g. a row of a tracked case with a date like 31.02."""


class ArticleRow(Base):
    __tablename__ = "article"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(10), default="")
    author: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title_key: Mapped[str] = mapped_column(String(64), index=True)
    raw_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    """zlib-compressed response body kept as evidence."""
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    story_id: Mapped[int | None] = mapped_column(index=True)
    """The first article of its story (``pipeline.match.stories``); itself when alone."""
    story_sig: Mapped[bytes | None] = mapped_column(LargeBinary)
    """MinHash signature of the normalised text (uint32 values), for story grouping."""
    modified_at: Mapped[datetime | None]
    full_text_at: Mapped[datetime | None]
    """When the article page was fetched and its text extracted."""
    checked_at: Mapped[datetime | None] = mapped_column(index=True)
    """Last evidence fetch or re-check of the page."""
    removed_at: Mapped[datetime | None]


Index(
    "ix_article_sort_at",
    func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at),
    ArticleRow.id,
)
"""Lists of articles go newest first by this expression (publication, else first sighting):
the index serves that order, a case's latest articles included (migration 0005)."""


class CaseRow(Base):
    __tablename__ = "case"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class HearingRow(Base):
    """A hearing; ``identity`` stays the same when the court moves it (DESIGN.md)."""

    __tablename__ = "hearing"
    __table_args__ = (Index("ix_hearing_source_local", "source_id", "local_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = Column(  # type: ignore[assignment]  # mapped_column has no sentinel flag
        String(64), unique=True, nullable=False, insert_sentinel=True
    )
    """Client-made and unique: also the sentinel that lets a multi-row INSERT … RETURNING
    come back in order on SQLite."""
    slot: Mapped[str] = mapped_column(String(64), index=True)
    """Court + case + local time, hashed: how the hearing is printed now (moves change it)."""
    fingerprint: Mapped[str] = mapped_column(String(32))
    """Hash of the tracked fields: an unchanged re-scan compares this, not every column."""
    raw_hash: Mapped[str] = mapped_column(String(32), default="")
    """Hash of the row as last printed (kept when a reprint reads the same): a row printed
    the same is not re-read."""
    court: Mapped[str] = mapped_column(Text, default="")
    case_number: Mapped[str] = mapped_column(Text, default="")
    case_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(index=True)
    local_time: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    courtroom: Mapped[str] = mapped_column(Text, default="")
    judge: Mapped[str] = mapped_column(Text, default="")
    parties: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    source_url: Mapped[str] = mapped_column(Text, default="")
    article_url: Mapped[str] = mapped_column(Text, default="")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="SET NULL"))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cells: Mapped[dict[str, Any]]


class HearingSeenRow(Base):
    """The last time a scan printed a hearing exactly as stored (migration 0008).

    Kept apart from the wide ``hearing`` row, so confirming the unchanged hearings of a
    re-scanned schedule writes one narrow row each, not every page of ``hearing``. A hearing's
    last sighting is the later of this and ``HearingRow.last_seen_at`` (set when the row is
    written); a hearing never re-scanned unchanged has no row here."""

    __tablename__ = "hearing_seen"

    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[datetime]


class HearingChangeRow(Base):
    """One field of a hearing that changed, as seen at ``seen_at`` (the history)."""

    __tablename__ = "hearing_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime]


class MatchRow(Base):
    """A record matched to a case: an article or a hearing (exactly one of them)."""

    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("article_id", "case_slug"),
        UniqueConstraint("hearing_id", "case_slug", name="uq_match_hearing_id_case_slug"),
        CheckConstraint(
            "(article_id IS NULL) <> (hearing_id IS NULL)", name="ck_match_one_subject"
        ),
        # A case's hearings and its match counts from the index alone (migration 0005).
        Index("ix_match_case_subject", "case_slug", "hearing_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    hearing_id: Mapped[int | None] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    case_slug: Mapped[str] = mapped_column(String(200), index=True)
    score: Mapped[float] = mapped_column(Float)
    why: Mapped[list[Any]]
    created_at: Mapped[datetime]


class EventRow(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    case_slug: Mapped[str | None] = mapped_column(String(200), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="SET NULL"))
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearing.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class DeliveryRow(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "channel"),
        Index("ix_delivery_pending", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    """pending | sent | failed | suppressed"""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    """Why a pending delivery waits (quiet hours, digest time), for the delivery log."""


class ChannelStateRow(Base):
    """Health of one alert channel: failed attempts in a row and whether it was reported."""

    __tablename__ = "channel_state"

    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing: Mapped[bool] = mapped_column(Boolean, default=False)
    """``channel.failing`` was raised and ``channel.recovered`` not yet."""
    last_error: Mapped[str | None] = mapped_column(Text)
    last_failure_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]


class InstallationRow(Base):
    """This database's random identity (one row), e.g. in email Message-IDs, so that two
    installations never give two different alerts the same Message-ID."""

    __tablename__ = "installation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime]


class CaptureRow(Base):
    """One version of a matched article's page as fetched: the evidence (see ``evidence``).

    ``body`` is the zlib-compressed response body; ``sha256`` is of the uncompressed bytes.
    ``kind``: first | changed | removed. ``record_id`` is the WARC-Record-ID of its response
    record, fixed at capture time so every export names it the same.
    """

    __tablename__ = "capture"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None]
    request_headers: Mapped[list[Any]]
    headers: Mapped[list[Any]]
    """[[name, value], …] as received, in order."""
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_sha256: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(80), unique=True)


class StoryBandRow(Base):
    """One LSH band key of an article's MinHash signature (``pipeline.match.stories``)."""

    __tablename__ = "story_band"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, index=True
    )
