"""Recall is pinned: the cross-script queries (tests/test_search.py's, bench/search.py's and
prefixes) find exactly the articles they found when this test was written (main at dc1600c),
on SQLite and on PostgreSQL — an English word finds its Cyrillic and Kazakh forms —
with prefixes expanded into keys or left to the index, and with PostgreSQL's newest-first
windows as narrow as they go.

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
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from test_search import EXPECTED

import pipeline.search.backend as backend
from pipeline.search import SearchFilters
from pipeline.search.query import parse_query
from pipeline.store.engine import open_store
from pipeline.store.search_index import LEVELS

from support.pgserver import scratch_database
from support.searchgen import QUERIES as BENCH_QUERIES
from support.searchgen import store_generated

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
SETTINGS: dict[str, dict[str, int]] = {
    "default": {},
    "no-expansion": {"MAX_EXPANSION": 0},
    "narrow-windows": {"FIRST_WINDOW": 1, "GROWTH": 2, "MAX_LEXEMES": 3},
}


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


@pytest.mark.parametrize(
    ("low", "high"), [(0, 0), (0, 63), (5, 20), (7, 8), (0, 200), (63, 64), (100, 391)]
)
def test_bucket_lexemes_name_exactly_the_range(low: int, high: int) -> None:
    sizes = {mark: size for mark, size in LEVELS}
    covered: list[int] = []
    for lexeme in backend._lexemes(low, high):
        mark, number = re.fullmatch(r"'#([a-z]?)(\d+)'", lexeme).groups()  # type: ignore[union-attr]
        size = sizes[mark]
        covered += range(int(number) * size, (int(number) + 1) * size)
    assert sorted(covered) == list(range(low, high + 1))
    assert len(backend._lexemes(low, high)) <= 2 * 7 + (high - low) // 64 + 1
