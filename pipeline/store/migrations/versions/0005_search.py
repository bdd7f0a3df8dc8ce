"""search: the full-text index of articles (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0005_search
Revises: 0004_alerts
Create Date: 2026-12-01 10:00:00

The index holds keys computed in Python (``pipeline.match.keys``), so existing articles are
indexed here, in batches; ``casewatch search --reindex`` rebuilds it later if the folding
changes. Also an index on the order article lists use (``ix_article_sort_at``: publication
time, else first sighting), so a case's latest articles need no sort of all its matches, and
one on a case's matches by subject (``ix_match_case_subject``), so its hearings and its counts
are read from that index rather than from every match row of a busy case.
"""

import sqlalchemy as sa
from alembic import op

from pipeline.store.search_index import create_index, drop_index, reindex_all

revision = "0005_search"
down_revision = "0004_alerts"
branch_labels = None
depends_on = None


SORT_AT = "ix_article_sort_at"
CASE_SUBJECT = "ix_match_case_subject"


def upgrade() -> None:
    op.create_index(SORT_AT, "article", [sa.text("coalesce(published_at, first_seen_at)"), "id"])
    op.create_index(CASE_SUBJECT, "match", ["case_slug", "hearing_id", "article_id"])
    connection = op.get_bind()
    create_index(connection)
    reindex_all(connection)


def downgrade() -> None:
    drop_index(op.get_bind())
    op.drop_index(SORT_AT, table_name="article")
    op.drop_index(CASE_SUBJECT, table_name="match")
