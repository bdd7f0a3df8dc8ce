"""The database side of a search: FTS5 on SQLite, a tsvector + GIN index on PostgreSQL.

The database finds the matching articles (the newest COUNT_LIMIT + 1 ids in one pass: the
newest CANDIDATES of them are ranked, their number is the count); ``rank`` scores the
candidates in Python, so both databases return the same hits in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from pipeline.search.query import ParsedQuery, to_fts5, to_tsquery
from pipeline.search.rank import scores
from pipeline.store.models import ArticleRow, MatchRow
from pipeline.store.search_index import TABLE, dialect_of, language_tag, source_tag

CANDIDATES = 300
"""How many of the newest matches are ranked (see ``ranked_ids``)."""
COUNT_LIMIT = 1_000

_fts = table(TABLE, column("rowid"), column("title"), column("body"))
_pg = table(TABLE, column("article_id"), column("tsv"), column("title"), column("body"))


@dataclass(frozen=True, slots=True)
class Where:
    case: str | None = None
    source: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def published() -> ColumnElement[Any]:
    return func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)


def _sql_filters(session: Session, where: Where) -> Where:
    """The filters SQL applies: on SQLite, source and language are index terms instead."""
    if dialect_of(session) == "sqlite":
        return replace(where, source=None, language=None)
    return where


def _filtered(query: Select[Any], where: Where) -> Select[Any]:
    if where.case is not None:
        matched = select(MatchRow.id).where(
            MatchRow.article_id == ArticleRow.id, MatchRow.case_slug == where.case
        )
        query = query.where(matched.exists())
    if where.source is not None:
        query = query.where(ArticleRow.source_id == where.source)
    if where.language is not None:
        query = query.where(ArticleRow.language == where.language)
    if where.since is not None:
        query = query.where(published() >= where.since)
    if where.until is not None:
        query = query.where(published() < where.until)
    return query


def _index(session: Session) -> tuple[Any, ColumnElement[Any]]:
    """(the index table, its article id column) on this database."""
    return (_fts, _fts.c.rowid) if dialect_of(session) == "sqlite" else (_pg, _pg.c.article_id)


def _fts5_filtered(parsed: ParsedQuery, where: Where) -> str:
    """The MATCH text: the words in title and body, the source and language in ``tags``."""
    tags = [source_tag(where.source)] if where.source is not None else []
    tags += [language_tag(where.language)] if where.language is not None else []
    return " AND ".join([f"{{title body}} : ({to_fts5(parsed)})"] + [f'tags : "{t}"' for t in tags])


def _matches(session: Session, parsed: ParsedQuery, where: Where) -> ColumnElement[bool]:
    if dialect_of(session) == "sqlite":
        return literal_column(TABLE).op("MATCH")(bindparam("q", _fts5_filtered(parsed, where)))
    tsquery = func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam("q", to_tsquery(parsed))
    )
    return _pg.c.tsv.op("@@")(tsquery)


def _matching_ids(session: Session, parsed: ParsedQuery, where: Where) -> list[int]:
    """The newest matches (by article id), up to COUNT_LIMIT + 1: one pass over the index
    gives both the candidates and the count."""
    index, ident = _index(session)
    query = select(ident).select_from(index).where(_matches(session, parsed, where))
    sql_where = _sql_filters(session, where)
    if sql_where != Where():
        query = _filtered(query.join(ArticleRow, ArticleRow.id == ident), sql_where)
    query = query.order_by(ident.desc()).limit(COUNT_LIMIT + 1)
    return [int(i) for i in session.scalars(query)]


def _candidates(session: Session, ids: list[int]) -> list[Any]:
    """(id, title keys, body keys, publication time) of these articles."""
    if not ids:
        return []
    index, ident = _index(session)
    query = (
        select(ident, index.c.title, index.c.body, published())
        .select_from(index)
        .join(ArticleRow, ArticleRow.id == ident)
        .where(ident.in_(ids))
    )
    return list(session.execute(query))


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
    ids = _matching_ids(session, parsed, where)
    found = _candidates(session, ids[:CANDIDATES])
    words = [w for group in parsed.groups for term in group for w in term.words]
    scored = zip(found, scores([(r[1], r[2]) for r in found], words), strict=True)
    ranked = sorted(scored, key=lambda rs: (-rs[1], -rs[0][3].timestamp(), -rs[0][0]))
    page = [(int(row[0]), score) for row, score in ranked[offset : offset + limit]]
    return page, len(ids)
