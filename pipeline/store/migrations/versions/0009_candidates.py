"""candidates: what the watches found that no case claims, with its evidence and keys

Revision ID: 0009_candidates
Revises: 0008_hearing_seen
Create Date: 2026-12-10 12:00:00

A watch (``watches.yaml``) is a topic with no identity; the new articles and hearing rows it
matches and no case claims become evidence for a ``candidate`` (one prosecution), grouped by
case number, else by story and by the people named (``candidate_key``). Each
``candidate_evidence`` row says why the watch matched it and why it was grouped there. New
tables only: nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_candidates"
down_revision = "0008_hearing_seen"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("case_numbers", sa.JSON(), nullable=False),
        sa.Column("courts", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("code_articles", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("followed_as", sa.String(length=200), nullable=True),
        sa.Column("decided_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["merged_into"], ["candidate.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_candidate_watch", "candidate", ["watch"])
    op.create_table(
        "candidate_key",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id", "kind", "value"),
    )
    op.create_index("ix_candidate_key_value", "candidate_key", ["kind", "value"])
    op.create_table(
        "candidate_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("grouped", sa.Text(), nullable=False),
        sa.Column("seen_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearing.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "article_id"),
        sa.UniqueConstraint("candidate_id", "hearing_id"),
        sa.CheckConstraint(
            "(article_id IS NULL) <> (hearing_id IS NULL)", name="ck_candidate_evidence_one"
        ),
    )
    op.create_index(
        "ix_candidate_evidence_candidate_id", "candidate_evidence", ["candidate_id"]
    )
    op.create_index("ix_candidate_evidence_article_id", "candidate_evidence", ["article_id"])
    op.create_index("ix_candidate_evidence_hearing_id", "candidate_evidence", ["hearing_id"])


def downgrade() -> None:
    op.drop_table("candidate_evidence")
    op.drop_table("candidate_key")
    op.drop_table("candidate")
