"""Recall is pinned: the cross-script queries (tests/test_search.py's, bench/search.py's and
prefixes) find exactly the articles they found when this test was written (main at dc1600c),
on SQLite and on PostgreSQL — an English word finds its Cyrillic and Kazakh forms —
with prefixes expanded into keys or left to the index, with PostgreSQL's newest-first
windows as narrow as they go, and with its date filters as index keys always or never.
Date filters are also checked against the articles' own dates (``test_date_filters…``).

The corpus is bench/search.py's generator at 1,500 articles, their ids 71 apart (spread
out, as a store's are after years). ``tests/fixtures/search/recall.json`` holds, per query,
how many articles match and a digest of their ids; ``UPDATE_FIXTURES=1`` rewrites it, and
the git diff is the review.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_search import EXPECTED

import pipeline.search.backend as backend
from pipeline.search import SearchFilters
from pipeline.search.query import parse_query
from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow
from pipeline.store.search_index import DAY_LEVELS, LEVELS

from support.pgserver import scratch_database
from support.searchgen import QUERIES as BENCH_QUERIES
from support.searchgen import SOURCES, store_generated

PINNED = Path(__file__).parent / "fixtures" / "search" / "recall.json"
UPDATE = os.environ.get("UPDATE_FIXTURES") == "1"
ARTICLES, SPACING = 1500, 71
NO_FILTERS = SearchFilters()
PREFIXES = [
    "polic*", "police", "полиция", "полицейские", "Taldy*", "Kosh*", "tort*", "суд*", "sud*",
    "азап*", "пыт* суд", "court* -hearing*", "Батыр* OR Кудеб*", '"Taldykorgan court"',
    '"суд вынес"', '"police officers"', "Талдықорған*", "officer", "hearings", "pytk*",
]  # fmt: skip
QUERIES = (
    list(BENCH_QUERIES)
    + [(q, NO_FILTERS) for q, _ in EXPECTED]
    + [(q, NO_FILTERS) for q in PREFIXES]
    + [(q, SearchFilters(language="ru")) for q in ("polic*", "Taldy*", "суд")]
)
SETTINGS: dict[str, dict[str, float]] = {
    "default": {},
    "no-expansion": {"MAX_EXPANSION": 0},
    "narrow-windows": {"FIRST_WINDOW": 1, "GROWTH": 2, "MAX_LEXEMES": 3},
    "days-always": {"MAX_DAY_SHARE": 1.0},
    "days-never": {"MAX_DAY_SHARE": 0.0},
}
DATED = [
    ("суд", SearchFilters(since=datetime(2024, 6, 1, 13, 30, tzinfo=UTC))),
    ("суд", SearchFilters(until=datetime(2021, 3, 2, 7, tzinfo=UTC))),
    ("суд", SearchFilters(since=datetime(2022, 2, 3, 23, 59, tzinfo=UTC), until=datetime(2022, 2, 20, 0, 1, tzinfo=UTC))),
    ("police", SearchFilters(language="en", since=datetime(2023, 5, 17, tzinfo=UTC), until=datetime(2023, 11, 2, 12, tzinfo=UTC))),
    ("Taldy*", SearchFilters(since=datetime(2021, 7, 1, tzinfo=UTC), until=datetime(2024, 9, 1, tzinfo=UTC))),
    ("пытки", SearchFilters(case="taldykorgan-torture", since=datetime(2023, 3, 1, tzinfo=UTC))),
    ("суд", SearchFilters(since=datetime(2026, 1, 1, tzinfo=UTC))),
    ("суд", SearchFilters(until=datetime(2020, 1, 1, tzinfo=UTC))),
    ("суд", SearchFilters(since=datetime(2022, 5, 1, tzinfo=UTC), until=datetime(2022, 5, 1, tzinfo=UTC))),
]  # fmt: skip


def label(query: str, filters: SearchFilters) -> str:
    shown = {k: str(v) for k, v in asdict(filters).items() if v is not None}
    return f"{query} {json.dumps(shown, ensure_ascii=False)}" if shown else query


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('recall') / 'casewatch.db'}"
        else:
            url = stack.enter_context(scratch_database(request.getfixturevalue("postgres_url")))
        sessions = open_store(url)
        stack.callback(sessions.kw["bind"].dispose)
        store_generated(sessions, ARTICLES, SPACING)
        yield sessions


def matching(sessions: sessionmaker[Session], query: str, filters: SearchFilters) -> list[int]:
    """Every matching article id (no count limit, every match ranked)."""
    where = backend.Where(
        filters.case, filters.source, filters.language, filters.since, filters.until
    )
    parsed = parse_query(query)
    if not parsed.searchable:
        return []
    with pytest.MonkeyPatch.context() as patch, sessions() as session:
        patch.setattr(backend, "COUNT_LIMIT", 10**6)
        patch.setattr(backend, "CANDIDATES", 10**6)
        ranked, total = backend.ranked_ids(session, parsed, where, 10**6, 0)
    assert total == len(ranked), query
    return sorted(i for i, _ in ranked)


def digest(ids: list[int]) -> list[object]:
    return [len(ids), hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]]


def pinned() -> dict[str, list[object]]:
    return json.loads(PINNED.read_text(encoding="utf-8")) if PINNED.exists() else {}


@pytest.mark.skipif(not UPDATE, reason="UPDATE_FIXTURES=1 rewrites the pinned recall")
def test_write_pinned_recall(generated: sessionmaker[Session]) -> None:
    found = {label(q, f): digest(matching(generated, q, f)) for q, f in QUERIES}
    lines = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in found.items()]
    PINNED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


@pytest.mark.skipif(UPDATE, reason="the pinned recall is being rewritten")
@pytest.mark.parametrize("settings", list(SETTINGS))
def test_recall_is_pinned(
    generated: sessionmaker[Session], settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SETTINGS[settings].items():
        monkeypatch.setattr(backend, name, value)
    expected = pinned()
    assert len(expected) == len({label(q, f) for q, f in QUERIES})
    found = {label(q, f): digest(matching(generated, q, f)) for q, f in QUERIES}
    changed = {k: (expected[k], v) for k, v in found.items() if expected[k] != v}
    assert not changed


@pytest.mark.parametrize("settings", list(SETTINGS))
def test_date_filters_keep_exactly_the_articles_of_their_range(
    generated: sessionmaker[Session], settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date filter keeps the matches whose publication time (first sighting when undated)
    is in its range, as the article table says: on PostgreSQL the days in the index give no
    more and no fewer. Besides DATED, ranges that start or end exactly at a match's time, a
    microsecond after it, and at midnight of its day (UTC)."""
    for name, value in SETTINGS[settings].items():
        monkeypatch.setattr(backend, name, value)
    published = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
    with generated() as session:
        dates = {i: d for i, d in session.execute(select(ArticleRow.id, published))}
    found = sorted(matching(generated, "суд", NO_FILTERS), key=dates.__getitem__)
    edges = [dates[found[len(found) * k // 10]] for k in (1, 4, 5, 8)]
    tick, midnight = timedelta(microseconds=1), [d.replace(hour=0, minute=0, second=0) for d in edges]  # fmt: skip
    bounded = [
        SearchFilters(since=edges[0], until=edges[1]),
        SearchFilters(since=edges[0] + tick, until=edges[1] + tick),
        SearchFilters(since=midnight[1], until=midnight[2]),
        SearchFilters(since=midnight[1] - tick, until=midnight[2] - tick),
        SearchFilters(since=edges[3]),
        SearchFilters(since=edges[3] + tick),
        SearchFilters(until=edges[0]),
        SearchFilters(until=edges[0] + tick),
        SearchFilters(source=SOURCES[3], since=midnight[0], until=midnight[3]),
    ]
    for query, filters in DATED + [("суд", f) for f in bounded]:
        undated = replace(filters, since=None, until=None)
        expected = [
            i
            for i in matching(generated, query, undated)
            if (filters.since is None or dates[i] >= filters.since)
            and (filters.until is None or dates[i] < filters.until)
        ]
        assert matching(generated, query, filters) == expected, label(query, filters)
    assert all(matching(generated, "суд", f) for f in bounded)


@pytest.mark.parametrize(
    ("low", "high"), [(0, 0), (0, 63), (5, 20), (7, 8), (0, 200), (63, 64), (100, 391)]
)
@pytest.mark.parametrize("levels", [LEVELS, DAY_LEVELS], ids=["buckets", "days"])
def test_block_lexemes_name_exactly_the_range(
    low: int, high: int, levels: tuple[tuple[str, int], ...]
) -> None:
    sizes = {mark: size for mark, size in levels}
    covered: list[int] = []
    lexemes = backend._lexemes(low, high, levels)
    for lexeme in lexemes:
        mark, number = re.fullmatch(r"'#([a-z]?)(\d+)'", lexeme).groups()  # type: ignore[union-attr]
        size = sizes[mark]
        covered += range(int(number) * size, (int(number) + 1) * size)
    assert sorted(covered) == list(range(low, high + 1))
    assert len(lexemes) <= 2 * 7 * (len(levels) - 1) + (high - low) // levels[-1][1] + 1
