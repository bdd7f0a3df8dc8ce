"""search: the full-text index of articles (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0005_search
Revises: 0002
Create Date: 2026-12-01 10:00:00

The index holds keys computed in Python (``pipeline.search.keys``), so existing articles are
indexed here, in batches; ``casewatch search --reindex`` rebuilds it later if the folding
changes.
"""

from alembic import op

from pipeline.search.index import create_index, drop_index, reindex_all

revision = "0005_search"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    create_index(connection)
    reindex_all(connection)


def downgrade() -> None:
    drop_index(op.get_bind())
