"""The database side of a search: FTS5 on SQLite, a tsvector + GIN index on PostgreSQL.

The database finds the matching articles (the newest COUNT_LIMIT + 1 ids: the newest
CANDIDATES of them are ranked, their number is the count); ``rank`` scores the candidates in
Python, so both databases return the same hits in the same order.

Both indexes are read newest first and left as soon as enough ids are found: a query's
prefixes become the exact keys they stand for (``expand_prefixes``; a prefix would make
either index merge every list under it, a third of the index for ``polic*``); FTS5 walks its
lists backwards by rowid; PostgreSQL, whose GIN index returns all matches unordered, is
asked for the newest id buckets first, then for older ones if need be (``_postgres_ids``).

On PostgreSQL the words, each filter tag and the window of id buckets are separate ``@@``
conditions: separate keys of one GIN scan, which it intersects by skipping from one key's
next match to the other's. Written as one tsquery (``words & tag & (buckets)``) the GIN
scan reads every id of the window to test it — 3 to 15 times slower at 1M articles (see
bench/README.md). A search runs with custom plans only (``plan_cache_mode``: after five
runs of a statement psycopg prepares it and PostgreSQL may switch to a generic plan, which
knows nothing of the window and walked the whole primary key: seconds), no JIT and no
parallel workers (``SEARCH_SETTINGS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from pipeline.search.query import Expansions, ParsedQuery, prefix_keys, to_fts5, to_tsquery
from pipeline.search.rank import scores
from pipeline.store.models import ArticleRow, MatchRow, UTCDateTime
from pipeline.store.search_index import (
    BUCKET,
    DAY_LEVELS,
    LEVELS,
    TABLE,
    day_number,
    dialect_of,
    expand_prefixes,
    language_tag,
    source_tag,
)

CANDIDATES = 300
"""How many of the newest matches are ranked (see ``ranked_ids``)."""
COUNT_LIMIT = 1_000
MAX_EXPANSION = 128
"""A prefix standing for more indexed keys than this is left to the index to merge."""
FIRST_WINDOW = 2
"""PostgreSQL: id buckets (BUCKET ids each) asked for first."""
GROWTH = 16
"""PostgreSQL: a window is at most this many times wider than the one before; it is as wide
as the matches found so far say the rest of the COUNT_LIMIT needs (and a quarter more)."""
MAX_LEXEMES = 16
"""PostgreSQL: a window that takes more bucket lexemes than this starts on an older, wider
block; one that still does asks for all older ids."""
MAX_DAY_SHARE = 0.3
"""PostgreSQL: a date filter is a GIN key (its days' lexemes) when it keeps at most this
share of the stored days; a wider one is only checked on each match's ``published``."""
DAY_SLACK = 0.125
"""PostgreSQL: a date filter's bound may be moved out by this share of its range's days to
name the range with wider blocks (see ``_day_key``)."""
SEARCH_SETTINGS = {
    "plan_cache_mode": "force_custom_plan",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}
"""PostgreSQL: the planner settings of a search, back to what they were after it. A generic
plan of a window query (no bucket or tsquery values known) walks the primary key backwards
testing every row; JIT compilation and parallel workers cost more than these short queries
take."""

_fts = table(TABLE, column("rowid"), column("title"), column("body"))
_pg = table(
    TABLE,
    column("article_id"),
    column("tsv"),
    column("title"),
    column("body"),
    column("published", UTCDateTime()),
)


@dataclass(frozen=True, slots=True)
class Where:
    case: str | None = None
    source: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def published() -> ColumnElement[Any]:
    return func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)


def _sql_filters(ident: ColumnElement[Any], where: Where, sqlite: bool) -> list[Any]:
    """The filters SQL applies to each match (source and language are index terms): one
    probe per match, by id, of the match table's unique index; the dates on SQLite through
    ``ix_article_search_filters``, which spares reading the wide article row (its text may
    span overflow pages), on PostgreSQL on the index row's ``published``, read anyway."""
    clauses: list[Any] = []
    if where.case is not None:
        case = select(MatchRow.id).where(
            MatchRow.article_id == ident, MatchRow.case_slug == where.case
        )
        clauses.append(case.exists())
    if where.since is None and where.until is None:
        return clauses
    if sqlite:
        clauses.append(_sqlite_dates(where))
        return clauses
    if where.since is not None:
        clauses.append(_pg.c.published >= where.since)
    if where.until is not None:
        clauses.append(_pg.c.published < where.until)
    return clauses


def _sqlite_dates(where: Where) -> TextClause:
    conditions, params = [], []
    for name, op, value in (("since", ">=", where.since), ("until", "<", where.until)):
        if value is not None:
            conditions.append(f"coalesce(published_at, first_seen_at) {op} :{name}")
            params.append(bindparam(name, value, type_=UTCDateTime()))
    return text(
        "EXISTS (SELECT 1 FROM article INDEXED BY ix_article_search_filters "
        f"WHERE article.id = {TABLE}.rowid AND {' AND '.join(conditions)})"
    ).bindparams(*params)


def _tags(where: Where) -> list[str]:
    tags = [source_tag(where.source)] if where.source is not None else []
    return tags + ([language_tag(where.language)] if where.language is not None else [])


def _expansions(session: Session, parsed: ParsedQuery) -> Expansions:
    found = expand_prefixes(session, prefix_keys(parsed), MAX_EXPANSION)
    return {prefix: keys for prefix, keys in found.items() if keys is not None}


def _matching_ids(session: Session, parsed: ParsedQuery, where: Where) -> list[int]:
    """The newest matches (by article id), up to COUNT_LIMIT + 1: they give both the
    candidates and the count."""
    expand = _expansions(session, parsed)
    if dialect_of(session) == "sqlite":
        return _sqlite_ids(session, to_fts5(parsed, expand), where)
    return _postgres_ids(session, to_tsquery(parsed, expand), where)


def _sqlite_ids(session: Session, fts5: str, where: Where) -> list[int]:
    """One pass of FTS5 backwards by rowid: the words in title and body, the source and
    language in ``tags``."""
    words = [f"{{title body}} : ({fts5})"] + [f'tags : "{t}"' for t in _tags(where)]
    match = literal_column(TABLE).op("MATCH")(bindparam("q", " AND ".join(words)))
    ident = _fts.c.rowid
    query = select(ident).where(match, *_sql_filters(ident, where, sqlite=True))
    return list(session.scalars(query.order_by(ident.desc()).limit(COUNT_LIMIT + 1)).all())


@contextmanager
def _search_settings(session: Session) -> Iterator[None]:
    """PostgreSQL: ``SEARCH_SETTINGS`` for this transaction while the search runs, then the
    settings it had (one statement each way)."""
    names = {f"n{i}": name for i, name in enumerate(SEARCH_SETTINGS)}
    assign = ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(names)))
    current = ", ".join(f"current_setting(:n{i})" for i in range(len(names)))
    given = {f"v{i}": value for i, value in enumerate(SEARCH_SETTINGS.values())}
    old = session.execute(
        text(f"WITH old AS MATERIALIZED (SELECT {current}) SELECT old.*, {assign} FROM old"),
        names | given,
    ).one()
    yield  # after an error the transaction is aborted and rolled back, the settings with it
    was = {f"v{i}": old[i] for i in range(len(names))}
    session.execute(text(f"SELECT {assign}"), names | was)


def _postgres_ids(session: Session, tsquery: str, where: Where) -> list[int]:
    """Window by window, newest first, until COUNT_LIMIT + 1 matches are found: the words,
    each source or language tag and the window's id buckets are keys of one GIN scan. Within
    a case, one query: PostgreSQL reads the case's matches newest first and checks each (a
    case holds far fewer articles than a common word)."""
    ident, tsv = _pg.c.article_id, _pg.c.tsv
    words = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("q", tsquery))
    keys = [tsv.op("@@")(words)] + [
        tsv.op("@@")(cast(bindparam(f"tag{i}", f"'#{tag}'"), TSQUERY))
        for i, tag in enumerate(_tags(where))
    ]
    days = _day_key(session, where)
    if days == "":
        return []
    if days is not None:
        keys.append(tsv.op("@@")(cast(bindparam("days", days), TSQUERY)))
    filters = _sql_filters(ident, where, sqlite=False)
    if where.case is not None:  # the planner walks the case's matches, newest first
        query = select(ident).where(*keys, *filters)
        return list(session.scalars(query.order_by(ident.desc()).limit(COUNT_LIMIT + 1)).all())
    ids: list[int] = []
    top = session.scalar(select(func.max(ident)))
    if top is None:
        return ids
    newest = high = int(top) // BUCKET
    width = FIRST_WINDOW
    while high >= 0 and len(ids) <= COUNT_LIMIT:
        low = max(0, high - width + 1)
        lexemes = _lexemes(low, high)
        for _, size in LEVELS[1:]:  # an older start on a wider block: fewer lexemes
            if len(lexemes) <= MAX_LEXEMES:
                break
            low -= low % size
            lexemes = _lexemes(low, high)
        window = []
        if len(lexemes) > MAX_LEXEMES:
            low = 0
        else:
            window = [tsv.op("@@")(cast(bindparam("b", " | ".join(lexemes)), TSQUERY))]
        query = select(ident).where(*keys, *window, ident < (high + 1) * BUCKET, *filters)
        ids += session.scalars(query.order_by(ident.desc()).limit(COUNT_LIMIT + 1 - len(ids))).all()
        width = _next_width(width, newest - low + 1, len(ids))
        high = low - 1
    return ids


def _day_key(session: Session, where: Where) -> str | None:
    """The tsquery of the days a date filter keeps (``search_index.DAY_LEVELS``): None when
    there is no date filter or it keeps more than MAX_DAY_SHARE of the stored days, "" when
    no stored article is in its range.

    Fewer, wider blocks cost the GIN scan less than exact ones (each lexeme is an entry it
    reads): an open end (no bound, or none past the oldest or newest stored day) is rounded
    out to the widest block, a bound to the widest block that adds at most DAY_SLACK of the
    range's days; the exact bounds are checked on ``published``."""
    if where.since is None and where.until is None:
        return None
    stored = session.execute(select(func.min(published()), func.max(published()))).one()
    if stored[0] is None:
        return ""
    first, last = day_number(stored[0]), day_number(stored[1])
    low = first if where.since is None else max(first, day_number(where.since))
    high = last
    if where.until is not None:
        high = min(last, day_number(where.until - timedelta(microseconds=1)))
    if low > high:
        return ""
    if high - low + 1 > MAX_DAY_SHARE * (last - first + 1):
        return None
    slack = DAY_SLACK * (high - low + 1)
    size = _widest(lambda n: low == first or low % n <= slack)
    low -= low % size
    size = _widest(lambda n: high == last or n - 1 - high % n <= slack)
    high += size - 1 - high % size
    return " | ".join(_lexemes(low, high, DAY_LEVELS))


def _widest(fits: Callable[[int], bool]) -> int:
    """The widest block size of DAY_LEVELS that ``fits`` (a day always does)."""
    return max(size for _, size in DAY_LEVELS if fits(size))


def _lexemes(low: int, high: int, levels: Sequence[tuple[str, int]] = LEVELS) -> list[str]:
    """The lexemes naming blocks ``low``..``high`` of ``levels`` (id buckets,
    ``search_index.LEVELS``, or days, ``DAY_LEVELS``): the widest aligned blocks, from the
    newest down."""
    lexemes: list[str] = []
    while high >= low:
        mark, size = next(
            (m, n) for m, n in reversed(levels) if (high + 1) % n == 0 and high + 1 - n >= low
        )
        lexemes.append(f"'#{mark}{high // size}'")
        high -= size
    return lexemes


def _next_width(width: int, covered: int, found: int) -> int:
    """Buckets to ask for next: as many as the rate so far says the rest needs, a quarter
    more, at most GROWTH times the last window."""
    wanted = COUNT_LIMIT + 1 - found
    if not found:
        return width * GROWTH
    return max(1, min(width * GROWTH, ceil(wanted * covered / found * 1.25)))


def among(session: Session, ident: ColumnElement[Any], ids: Sequence[int]) -> ColumnElement[bool]:
    """``ident IN ids``: on PostgreSQL one array parameter (``= ANY``) — a list of a few
    hundred parameters costs more to compile and send than the query takes."""
    if dialect_of(session) == "sqlite":
        return ident.in_(ids)
    return ident == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))


def _candidates(session: Session, ids: list[int]) -> list[Any]:
    """(id, title keys, body keys, publication time) of these articles."""
    if not ids:
        return []
    if dialect_of(session) == "postgresql":  # the index row has the publication time
        ident = _pg.c.article_id
        query = select(ident, _pg.c.title, _pg.c.body, _pg.c.published).where(
            among(session, ident, ids)
        )
        return list(session.execute(query).all())
    ident = _fts.c.rowid
    query = (
        select(ident, _fts.c.title, _fts.c.body, published())
        .select_from(_fts)
        .join(ArticleRow, ArticleRow.id == ident)
        .where(ident.in_(ids))
    )
    return list(session.execute(query).all())


def ranked_ids(
    session: Session, parsed: ParsedQuery, where: Where, limit: int, offset: int
) -> tuple[list[tuple[int, float]], int]:
    """(article id, score) best first for one page, and how many match (up to COUNT_LIMIT
    + 1: more than COUNT_LIMIT is "too many to count").

    Only the CANDIDATES most recently stored matches are ranked (so pages end there): a word
    in a third of a million articles cannot be scored a third of a million times per query,
    and a monitor wants the recent ones. With fewer matches, all of them are ranked. Ties go
    to the newer article.
    """
    postgres = dialect_of(session) == "postgresql"
    with _search_settings(session) if postgres else nullcontext():
        ids = _matching_ids(session, parsed, where)
        found = _candidates(session, ids[:CANDIDATES])
    words = [w for group in parsed.groups for term in group for w in term.words]
    scored = zip(found, scores([(r[1], r[2]) for r in found], words), strict=True)
    ranked = sorted(scored, key=lambda rs: (-rs[1], -rs[0][3].timestamp(), -rs[0][0]))
    page = [(int(row[0]), score) for row, score in ranked[offset : offset + limit]]
    return page, len(ids)
