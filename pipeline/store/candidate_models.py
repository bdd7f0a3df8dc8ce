"""Models of the candidates (migration 0008): what watches found that no case claims.

A ``candidate`` is one prosecution a watch found, with a summary kept up to date as evidence
arrives (courts, case numbers, people, articles of the code, first and last seen). Its
``candidate_evidence`` rows are the articles and hearings behind it, each with why the watch
matched it and why it was grouped here; its ``candidate_key`` rows are the marks new evidence is
grouped by (case numbers, people, stories), indexed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.store.models import Base

OPEN, DISMISSED, FOLLOWED, MERGED = "open", "dismissed", "followed", "merged"


class CandidateRow(Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    """open | dismissed | followed | merged"""
    title: Mapped[str] = mapped_column(Text, default="")
    """What the first evidence said: a row's court and parties, or an article's title."""
    case_numbers: Mapped[list[Any]]
    courts: Mapped[list[Any]]
    people: Mapped[list[Any]]
    """[[key, name as printed], …]: one entry per person, the fullest form printed."""
    code_articles: Mapped[list[Any]]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"))
    followed_as: Mapped[str | None] = mapped_column(String(200))
    """The case slug ``casewatch follow`` made of it."""
    decided_at: Mapped[datetime | None]
    """When it was followed, dismissed or merged."""


class CandidateKeyRow(Base):
    """A mark evidence is grouped by: ``number`` (case number), ``person``, ``story``."""

    __tablename__ = "candidate_key"
    __table_args__ = (Index("ix_candidate_key_value", "kind", "value"),)

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class CandidateEvidenceRow(Base):
    """An article or a hearing behind a candidate (exactly one of them), with why."""

    __tablename__ = "candidate_evidence"
    __table_args__ = (
        UniqueConstraint("candidate_id", "article_id"),
        UniqueConstraint("candidate_id", "hearing_id"),
        CheckConstraint(
            "(article_id IS NULL) <> (hearing_id IS NULL)", name="ck_candidate_evidence_one"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    hearing_id: Mapped[int | None] = mapped_column(
        ForeignKey("hearing.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    why: Mapped[list[Any]]
    """The watch's hits: [[kind, term, field, found, form], …]."""
    grouped: Mapped[str] = mapped_column(Text, default="")
    """Why it joined this candidate: 'case number …', 'person …', 'story …', or '' (first)."""
    seen_at: Mapped[datetime]
