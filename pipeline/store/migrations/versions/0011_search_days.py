"""search days: PostgreSQL's index holds each article's publication day, so a date filter is
a GIN key instead of a check of every match

Revision ID: 0011_search_days
Revises: 0010_search_prefix
Create Date: 2026-12-08 12:00:00

On PostgreSQL ``article_search`` gains ``published`` (the article's publication time, its
first sighting when undated: what a search's date filter compares), filled here from the
article table, and ``tsv`` gains the publication day at four levels (``#d<day>``, ``#w…`` for
8 days, ``#q…`` for 64, ``#y…`` for 512; ``search_index.DAY_LEVELS``). The column is
generated, so it is dropped and added again: the table is rewritten, its GIN index rebuilt
(with a pending list of 256 kB, ``search_index.GIN_OPTIONS``, not PostgreSQL's 4 MB that
every search reads whole) and analysed. At 1,000,000 articles (bench/search.py's store, a loaded 2-core machine) this
takes a few minutes; see bench/README.md.

SQLite is not changed: FTS5 reads its matches newest first and checks the dates of the
ones it reads through ``ix_article_search_filters``. A PostgreSQL store whose index already
has this shape (created by 0005 with this version's code) is left as it is. Downgrade drops
``published`` and gives ``tsv`` back 0010's expression.
"""

import sqlalchemy as sa
from alembic import op

from pipeline.store.search_index import GAP, GIN_OPTIONS, TABLE, TSV

revision = "0011_search_days"
down_revision = "0010_search_prefix"
branch_labels = None
depends_on = None

TSV_0010 = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    f"setweight(ts_delete(to_tsvector('simple'::regconfig, '{GAP} ' || body), '{GAP}'), 'B') || "
    "array_to_tsvector(string_to_array("
    "'#' || (article_id / 2048)::text || ' ' || '#m' || (article_id / 16384)::text || ' ' || "
    "'#c' || (article_id / 131072)::text || ' ' || '#' || replace(tags, ' ', ' #'), ' '))"
)
"""``tsv`` as 0010 made it."""
PUBLISHED = "coalesce(article.published_at, article.first_seen_at)"


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql" or _has_published(connection):
        return
    _drop_tsv(connection)
    connection.execute(sa.text(f"ALTER TABLE {TABLE} ADD COLUMN published TIMESTAMP WITH TIME ZONE"))
    connection.execute(
        sa.text(
            f"UPDATE {TABLE} SET published = {PUBLISHED} FROM article "
            f"WHERE article.id = {TABLE}.article_id"
        )
    )
    _add_tsv(connection, TSV, GIN_OPTIONS)
    connection.execute(sa.text(f"ANALYZE {TABLE}"))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql" or not _has_published(connection):
        return
    _drop_tsv(connection)
    connection.execute(sa.text(f"ALTER TABLE {TABLE} DROP COLUMN published"))
    _add_tsv(connection, TSV_0010, "")
    connection.execute(sa.text(f"ANALYZE {TABLE}"))


def _has_published(connection: sa.Connection) -> bool:
    return "published" in {c["name"] for c in sa.inspect(connection).get_columns(TABLE)}


def _drop_tsv(connection: sa.Connection) -> None:
    """Drop ``tsv`` and, with it, its GIN index."""
    connection.execute(sa.text(f"ALTER TABLE {TABLE} DROP COLUMN tsv"))


def _add_tsv(connection: sa.Connection, expression: str, options: str) -> None:
    """``tsv`` computed by ``expression`` (the table is rewritten), and its GIN index."""
    connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    connection.execute(
        sa.text(f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({expression}) STORED")
    )
    connection.execute(sa.text(f"CREATE INDEX ix_{TABLE}_tsv ON {TABLE} USING gin (tsv) {options}"))
