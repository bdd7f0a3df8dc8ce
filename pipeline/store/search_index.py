"""The search index: one row of keys per article, kept by the store, read by ``search``.

SQLite: an FTS5 table ``article_search(title, body, tags)`` whose rowid is the article id (a
trigger drops the row with its article); ``tags`` holds the article's source and language as
terms (``filter_tags``), so a common word under a selective filter is served by the index
instead of a walk over its matches. PostgreSQL: a table ``article_search`` with the same
columns, the article's publication time (``published``: first sighting when undated) and a
generated ``tsv`` (title weight A, body weight B, then the tags, the article's id buckets,
see LEVELS, and its publication day, see DAY_LEVELS) under a GIN index. The keys are
computed in Python (``keys.index_keys``), so both databases search the same words.

Both: ``article_search_term`` holds every key ever indexed, so a query's prefix (``polic*``)
is turned into the keys it stands for (``police``, ``policiya``, ``policejskij``…) before
the index is asked (``expand_prefixes``): FTS5 and GIN walk a few exact keys' lists from the
newest article and stop early, instead of merging the whole list of every key under the
prefix. Keys of deleted or edited articles stay in it (they then match nothing);
``reindex_all`` starts it afresh.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from pipeline.match.keys import index_keys
from pipeline.store.models import ArticleRow

log = logging.getLogger(__name__)

TABLE = "article_search"
TERMS = f"{TABLE}_term"
BATCH = 1000
BUCKET = 2048
LEVELS = (("", 1), ("m", 8), ("c", 64))
"""PostgreSQL: ``tsv`` also holds the article's id buckets, one lexeme per level: ``#<n>``
for ids n·BUCKET to (n+1)·BUCKET - 1, ``#m<n>`` for 8 such buckets, ``#c<n>`` for 64 (no key
starts with ``#``). A search asks the GIN index for the matches among the newest ids first
(``pipeline.search.backend``) rather than for all matches of a common word, and names any
range of buckets with a few lexemes."""
DAY_LEVELS = (("d", 1), ("w", 8), ("q", 64), ("y", 512))
"""PostgreSQL: ``tsv`` also holds the article's publication day (UTC; ``day_number``), one
lexeme per level: ``#d<n>`` for day n, ``#w<n>`` for 8 days, ``#q…`` for 64, ``#y…`` for
512. A search's date filter names its range of days with a few of them, and the GIN index
keeps only the articles of those days (``pipeline.search.backend``); the exact bounds are
then checked on ``published``."""
DAY = "greatest(0, (published AT TIME ZONE 'UTC')::date - DATE '0001-01-01' + 1)"
"""``day_number`` in SQL (immutable, as a generated column needs)."""
GAP = "z" * 64
"""A token no key can be (keys are at most 60 characters): it keeps the last title word and
the first body word from making a phrase on PostgreSQL, as FTS5 columns do on SQLite."""

TSV = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    f"setweight(ts_delete(to_tsvector('simple'::regconfig, '{GAP} ' || body), '{GAP}'), 'B') || "
    "array_to_tsvector(string_to_array("
    + " || ".join(
        f"'#{mark}' || (article_id / {BUCKET * size})::text || ' '" for mark, size in LEVELS
    )
    + " || '#' || replace(tags, ' ', ' #') || coalesce("
    + " || ".join(f"' #{mark}' || ({DAY} / {size})::text" for mark, size in DAY_LEVELS)
    + ", ''), ' '))"
)
"""PostgreSQL: the generated ``tsv`` of an ``article_search`` row: its keys, then (without
positions) its id buckets, its tags and its publication days, each behind a ``#`` no key
has."""

GIN_OPTIONS = "WITH (gin_pending_list_limit = 256)"
"""PostgreSQL: new index entries wait in the GIN index's pending list, which every search
statement reads whole, until it holds this many kB. PostgreSQL's default, 4096, lets it
grow to 512 pages, and each costs a search statement 0.02–0.04 ms more (measured at 1M
articles): up to 10–20 ms. At 256 kB indexing an article costs about as much as with 4 MB;
with no list at all (``fastupdate = off``) ≈ 75 % more (bench/README.md)."""
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, tags, tokenize='ascii')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_article_deleted AFTER DELETE ON article "
    f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
    # Filters read these columns for each match: a covering index spares the wide article row.
    "CREATE INDEX IF NOT EXISTS ix_article_search_filters "
    "ON article (id, source_id, language, published_at, first_seen_at)",
    f"CREATE TABLE IF NOT EXISTS {TERMS} (term TEXT PRIMARY KEY) WITHOUT ROWID",
)
POSTGRES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,"
    " title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',"
    " tags TEXT NOT NULL DEFAULT '', published TIMESTAMP WITH TIME ZONE,"
    f" tsv tsvector GENERATED ALWAYS AS ({TSV}) STORED)",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_tsv ON {TABLE} USING gin (tsv) {GIN_OPTIONS}",
    f'CREATE TABLE IF NOT EXISTS {TERMS} (term TEXT COLLATE "C" PRIMARY KEY)',
)
SQLITE_DROP = (
    f"DROP TABLE IF EXISTS {TERMS}",
    f"DROP TRIGGER IF EXISTS {TABLE}_article_deleted",
    "DROP INDEX IF EXISTS ix_article_search_filters",
    f"DROP TABLE IF EXISTS {TABLE}",
)
POSTGRES_DROP = (f"DROP TABLE IF EXISTS {TERMS}", f"DROP TABLE IF EXISTS {TABLE}")

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
    """The ``tags`` of an article's index row: its source and language as terms."""
    return f"{source_tag(source_id or '')} {language_tag(language or '')}"


def day_number(moment: datetime) -> int:
    """The day of ``moment`` in UTC, as ``date.toordinal`` counts (1 for 1 January of year 1):
    what ``DAY`` computes for ``tsv``."""
    return moment.astimezone(UTC).date().toordinal()


def document(title: str, summary: str, body: str) -> dict[str, str]:
    """Index keys of one article; the summary is searched with the body."""
    return {"title": index_keys(title or ""), "body": index_keys(f"{summary or ''}\n{body or ''}")}


Indexed = tuple[int, str, str, str, str, str, datetime | None]
"""(id, title, summary, text, source id, language, publication time — first sighting when
undated) of an article to index."""


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
        for value, row in zip(values, rows, strict=True):
            value["published"] = row[6]
        executor.execute(
            text(
                f"INSERT INTO {TABLE} (article_id, title, body, tags, published) "
                "VALUES (:id, :title, :body, :tags, :published) ON CONFLICT (article_id) DO "
                "UPDATE SET title = excluded.title, body = excluded.body, tags = excluded.tags, "
                "published = excluded.published"
            ),
            values,
        )
    record_terms(executor, {k for v in values for k in f"{v['title']} {v['body']}".split()})


def record_terms(executor: Executor, terms: Iterable[str]) -> None:
    """Add these keys to the term list (one statement; sorted, so concurrent writers on
    PostgreSQL take the rows' locks in the same order)."""
    wanted = sorted(terms)
    if not wanted:
        return
    if dialect_of(executor) == "sqlite":
        statement = f"INSERT OR IGNORE INTO {TERMS} (term) SELECT value FROM json_each(:terms)"
        executor.execute(text(statement), {"terms": json.dumps(wanted)})
        return
    statement = (
        f"INSERT INTO {TERMS} (term) SELECT t FROM unnest(CAST(:terms AS text[])) AS t "
        "ORDER BY t ON CONFLICT DO NOTHING"
    )
    executor.execute(text(statement), {"terms": wanted})


def expand_prefixes(
    executor: Executor, prefixes: Iterable[str], limit: int
) -> dict[str, tuple[str, ...] | None]:
    """The indexed keys starting with each prefix (None for a prefix with more than
    ``limit``): keys are ``[a-z0-9]+``, so they sort between the prefix and prefix + '~'."""
    query = text(
        f"SELECT term FROM {TERMS} WHERE term >= :low AND term < :high ORDER BY term LIMIT :n"
    )
    found: dict[str, tuple[str, ...] | None] = {}
    for prefix in sorted(set(prefixes)):
        params = {"low": prefix, "high": f"{prefix}~", "n": limit + 1}
        terms = tuple(executor.execute(query, params).scalars())
        found[prefix] = terms if len(terms) <= limit else None
    return found


def fill_terms(executor: Executor) -> int:
    """The term list from what is indexed now (migration 0010, and stores built in bulk):
    FTS5's vocabulary of the title and body columns; on PostgreSQL the lexemes of ``tsv``
    (``#…`` buckets left out). Returns how many terms there are."""
    if dialect_of(executor) == "sqlite":
        executor.execute(
            text(f"CREATE VIRTUAL TABLE temp.{TABLE}_vocab USING fts5vocab(main, {TABLE}, 'col')")
        )
        executor.execute(
            text(
                f"INSERT OR IGNORE INTO {TERMS} (term) SELECT DISTINCT term FROM "
                f"temp.{TABLE}_vocab WHERE col IN ('title', 'body')"
            )
        )
        executor.execute(text(f"DROP TABLE temp.{TABLE}_vocab"))
    else:
        executor.execute(
            text(
                f"INSERT INTO {TERMS} (term) SELECT word FROM ts_stat('SELECT tsv FROM {TABLE}') "
                "WHERE word NOT LIKE '#%' ON CONFLICT DO NOTHING"
            )
        )
    return int(executor.execute(text(f"SELECT count(*) FROM {TERMS}")).scalar_one())


_INDEXED = (
    ArticleRow.id,
    ArticleRow.title,
    ArticleRow.summary,
    ArticleRow.text,
    ArticleRow.source_id,
    ArticleRow.language,
    func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at),
)


def _article_rows(executor: Executor, ids: Sequence[int]) -> list[Indexed]:
    query = select(*_INDEXED).where(ArticleRow.id.in_(ids))
    return [tuple(row) for row in executor.execute(query)]  # type: ignore[misc]


def index_articles(executor: Executor, ids: Iterable[int]) -> int:
    """(Re)index these stored articles as they are now; returns how many were indexed.

    Call it after writing an article's title, summary, text or publication date
    (``upsert_articles`` does; so does ingesting a page).
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
    executor.execute(text(f"DELETE FROM {TERMS}"))
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
