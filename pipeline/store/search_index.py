"""The search index: one row of keys per article, kept by the store, read by ``search``.

SQLite: an FTS5 table ``article_search(title, body, tags)`` whose rowid is the article id (a
trigger drops the row with its article); ``tags`` holds the article's source and language as
terms (``filter_tags``), so a common word under a selective filter is served by the index
instead of a walk over its matches. PostgreSQL: a table ``article_search`` with the same
key columns and a generated ``tsv`` (title weight A, body weight B) under a GIN index. The
keys are computed in Python (``keys.index_keys``), so both databases search the same words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from pipeline.match.keys import index_keys
from pipeline.store.models import ArticleRow

log = logging.getLogger(__name__)

TABLE = "article_search"
BATCH = 1000
GAP = "z" * 64
"""A token no key can be (keys are at most 60 characters): it keeps the last title word and
the first body word from making a phrase on PostgreSQL, as FTS5 columns do on SQLite."""

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, tags, tokenize='ascii')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_article_deleted AFTER DELETE ON article "
    f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
    # Filters read these columns for each match: a covering index spares the wide article row.
    "CREATE INDEX IF NOT EXISTS ix_article_search_filters "
    "ON article (id, source_id, language, published_at, first_seen_at)",
)
POSTGRES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,"
    " title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',"
    " tsv tsvector GENERATED ALWAYS AS ("
    "  setweight(to_tsvector('simple'::regconfig, title), 'A') ||"
    f"  setweight(ts_delete(to_tsvector('simple'::regconfig, '{GAP} ' || body), '{GAP}'), 'B')"
    " ) STORED)",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_tsv ON {TABLE} USING gin (tsv)",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {TABLE}_article_deleted",
    "DROP INDEX IF EXISTS ix_article_search_filters",
    f"DROP TABLE IF EXISTS {TABLE}",
)
POSTGRES_DROP = (f"DROP TABLE IF EXISTS {TABLE}",)

Executor = Session | Connection


def dialect_of(executor: Executor) -> str:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def create_index(executor: Executor) -> None:
    """The index table(s) for this database (idempotent)."""
    for statement in SQLITE_DDL if dialect_of(executor) == "sqlite" else POSTGRES_DDL:
        executor.execute(text(statement))


def drop_index(executor: Executor) -> None:
    for statement in SQLITE_DROP if dialect_of(executor) == "sqlite" else POSTGRES_DROP:
        executor.execute(text(statement))


def source_tag(source_id: str) -> str:
    """The index term of a source: hex keeps any id one ``[a-z0-9]`` token."""
    return "s" + source_id.encode().hex()


def language_tag(language: str) -> str:
    return "l" + language.encode().hex()


def filter_tags(source_id: str, language: str) -> str:
    """The ``tags`` column of an article (SQLite): its source and language as terms."""
    return f"{source_tag(source_id or '')} {language_tag(language or '')}"


def document(title: str, summary: str, body: str) -> dict[str, str]:
    """Index keys of one article; the summary is searched with the body."""
    return {"title": index_keys(title or ""), "body": index_keys(f"{summary or ''}\n{body or ''}")}


Indexed = tuple[int, str, str, str, str, str]
"""(id, title, summary, text, source id, language) of an article to index."""


def write_rows(executor: Executor, rows: Sequence[Indexed]) -> None:
    """Index these articles, replacing what was indexed for their ids."""
    if not rows:
        return
    values = [
        {"id": row[0], **document(*row[1:4]), "tags": filter_tags(row[4], row[5])} for row in rows
    ]
    if dialect_of(executor) == "sqlite":
        executor.execute(
            text(f"DELETE FROM {TABLE} WHERE rowid = :id"), [{"id": v["id"]} for v in values]
        )
        executor.execute(
            text(
                f"INSERT INTO {TABLE} (rowid, title, body, tags) VALUES (:id, :title, :body, :tags)"
            ),
            values,
        )
    else:
        executor.execute(
            text(
                f"INSERT INTO {TABLE} (article_id, title, body) VALUES (:id, :title, :body) "
                "ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, body = excluded.body"
            ),
            values,
        )


_INDEXED = (
    ArticleRow.id,
    ArticleRow.title,
    ArticleRow.summary,
    ArticleRow.text,
    ArticleRow.source_id,
    ArticleRow.language,
)


def _article_rows(executor: Executor, ids: Sequence[int]) -> list[Indexed]:
    query = select(*_INDEXED).where(ArticleRow.id.in_(ids))
    return [tuple(row) for row in executor.execute(query)]  # type: ignore[misc]


def index_articles(executor: Executor, ids: Iterable[int]) -> int:
    """(Re)index these stored articles as they are now; returns how many were indexed.

    Call it after writing an article's title, summary or text (``upsert_articles`` does).
    """
    wanted = sorted(set(ids))
    done = 0
    for start in range(0, len(wanted), BATCH):
        rows = _article_rows(executor, wanted[start : start + BATCH])
        write_rows(executor, rows)
        done += len(rows)
    return done


def reindex_all(executor: Executor) -> int:
    """Rebuild the whole index from the article table (after the folding changed)."""
    executor.execute(text(f"DELETE FROM {TABLE}"))
    done, last = 0, 0
    while True:
        query: Any = (
            select(*_INDEXED).where(ArticleRow.id > last).order_by(ArticleRow.id).limit(BATCH)
        )
        rows = [tuple(row) for row in executor.execute(query)]
        if not rows:
            break
        write_rows(executor, rows)  # type: ignore[arg-type]
        done += len(rows)
        last = rows[-1][0]
    log.info("search index rebuilt: %d articles", done)
    return done
