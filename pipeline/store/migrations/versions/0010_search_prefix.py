"""search prefixes: a query's prefix is searched as the keys it stands for; PostgreSQL reads
the newest articles first and filters by source and language in its index

Revision ID: 0010_search_prefix
Revises: 0009_candidates
Create Date: 2026-12-07 12:00:00

``article_search_term`` lists every indexed key, filled here from the index (FTS5's
vocabulary on SQLite, ``ts_stat`` of ``tsv`` on PostgreSQL) and kept by the store as it
indexes. On PostgreSQL ``article_search`` gains ``tags`` (source and language, as SQLite's
index has them, filled here from the article table), and ``tsv`` gains those tags and the
article's id buckets (``#<id // 2048>``, ``#m…`` for 8 of them, ``#c…`` for 64): the column
is generated, so it is dropped and added again (the table is rewritten, its GIN index rebuilt
and analysed). At 1,000,000 articles
(bench/search.py's store, a loaded 2-core machine): SQLite ≈ 6 s; PostgreSQL ≈ 4 min.

A store whose index already has this shape (created by 0005 with this version's code) only
gets its term list filled. Downgrade drops the term list and gives ``tsv`` back its old
expression.
"""

import sqlalchemy as sa
from alembic import op

from pipeline.store.search_index import GAP, TABLE, TERMS, create_index, fill_terms

revision = "0010_search_prefix"
down_revision = "0009_candidates"
branch_labels = None
depends_on = None

OLD_TSV = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    f"setweight(ts_delete(to_tsvector('simple'::regconfig, '{GAP} ' || body), '{GAP}'), 'B')"
)
"""``tsv`` as 0005 made it."""
TSV = (
    f"{OLD_TSV} || array_to_tsvector(string_to_array("
    "'#' || (article_id / 2048)::text || ' ' || '#m' || (article_id / 16384)::text || ' ' || "
    "'#c' || (article_id / 131072)::text || ' ' || '#' || replace(tags, ' ', ' #'), ' '))"
)
"""``tsv`` as this revision makes it (0011 adds publication days)."""
TAGS = (
    "'s' || encode(convert_to(article.source_id, 'UTF8'), 'hex') || "
    "' l' || encode(convert_to(coalesce(article.language, ''), 'UTF8'), 'hex')"
)
"""``search_index.filter_tags`` in SQL."""


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and "array_to_tsvector" not in _tsv(connection):
        _drop_tsv(connection)
        connection.execute(sa.text(f"ALTER TABLE {TABLE} ADD COLUMN tags TEXT NOT NULL DEFAULT ''"))
        connection.execute(
            sa.text(
                f"UPDATE {TABLE} SET tags = {TAGS} FROM article WHERE article.id = {TABLE}.article_id"
            )
        )
        _add_tsv(connection, TSV)
    create_index(connection)
    fill_terms(connection)
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"ANALYZE {TABLE}"))  # the planner's estimates of tsv


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.text(f"DROP TABLE IF EXISTS {TERMS}"))
    if connection.dialect.name == "postgresql":
        _drop_tsv(connection)
        connection.execute(sa.text(f"ALTER TABLE {TABLE} DROP COLUMN tags"))
        _add_tsv(connection, OLD_TSV)
        connection.execute(sa.text(f"ANALYZE {TABLE}"))


def _tsv(connection: sa.Connection) -> str:
    return connection.execute(
        sa.text(
            "SELECT generation_expression FROM information_schema.columns "
            "WHERE table_name = :table AND column_name = 'tsv'"
        ),
        {"table": TABLE},
    ).scalar_one()


def _drop_tsv(connection: sa.Connection) -> None:
    """Drop ``tsv`` and, with it, its GIN index."""
    connection.execute(sa.text(f"ALTER TABLE {TABLE} DROP COLUMN tsv"))


def _add_tsv(connection: sa.Connection, expression: str) -> None:
    """``tsv`` computed by ``expression`` (the table is rewritten), and its GIN index."""
    connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    connection.execute(
        sa.text(f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({expression}) STORED")
    )
    connection.execute(sa.text(f"CREATE INDEX ix_{TABLE}_tsv ON {TABLE} USING gin (tsv)"))
