"""evidence: captures of matched articles, story grouping, article check state

Revision ID: 0003_evidence
Revises: 0002
Create Date: 2026-11-29 10:00:00

``capture`` keeps each version of a matched article's page as fetched (zlib-compressed bytes,
headers, sha256) with the text extracted from it. ``story_band`` holds the MinHash LSH band
keys of recent articles (``pipeline.match.stories``). The new ``article`` columns are plain
``ADD COLUMN``s (no table rebuild on SQLite, so nothing cascades).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_evidence"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
ARTICLE_COLUMNS = (
    ("story_id", sa.Integer()),
    ("story_sig", sa.LargeBinary()),
    ("modified_at", UTC_DATETIME),
    ("full_text_at", UTC_DATETIME),
    ("checked_at", UTC_DATETIME),
    ("removed_at", UTC_DATETIME),
)


def upgrade() -> None:
    for name, type_ in ARTICLE_COLUMNS:
        op.add_column("article", sa.Column(name, type_, nullable=True))
    op.create_index("ix_article_story_id", "article", ["story_id"])
    op.create_index("ix_article_checked_at", "article", ["checked_at"])
    op.create_table(
        "capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("request_headers", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("body_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", UTC_DATETIME, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    op.create_index("ix_capture_article_id", "capture", ["article_id"])
    op.create_table(
        "story_band",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band", "article_id"),
    )
    op.create_index("ix_story_band_article_id", "story_band", ["article_id"])


def downgrade() -> None:
    op.drop_table("story_band")
    op.drop_table("capture")
    op.drop_index("ix_article_checked_at", "article")
    op.drop_index("ix_article_story_id", "article")
    for name, _ in reversed(ARTICLE_COLUMNS):
        # a plain DROP COLUMN: a batch rebuild of ``article`` on SQLite would drop the table
        # and set every event's article_id to NULL on the way (foreign keys are on)
        op.execute(f"ALTER TABLE article DROP COLUMN {name}")
