"""Full-text search over a ru/kk/en corpus, the same hits on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, delete, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from pipeline.search import (
    MARK_END,
    MARK_START,
    SearchFilters,
    SearchResult,
    search_articles,
)
from pipeline.store.articles import upsert_articles
from pipeline.store.engine import alembic_config, make_engine, open_store
from pipeline.store.models import ArticleRow
from pipeline.store.search_index import day_number, index_articles, reindex_all

from support.pgserver import scratch_database
from support.searchcorpus import STORED_AT, article, corpus, store_corpus

NO_FILTERS = SearchFilters()


@dataclass(frozen=True)
class Corpus:
    sessions: sessionmaker[Session]
    ids: dict[str, int]

    def search(self, query: str, filters: SearchFilters = NO_FILTERS, **kw: int) -> SearchResult:
        with self.sessions() as session:
            return search_articles(session, query, filters, **kw)

    def keys(self, query: str, filters: SearchFilters = NO_FILTERS) -> set[str]:
        result = self.search(query, filters, limit=500)
        assert result.total == len(result.hits), query
        return {self.key(hit.article_id) for hit in result.hits}

    def key(self, article_id: int) -> str:
        return next(k for k, v in self.ids.items() if v == article_id)


@pytest.fixture
def stored(sessions: sessionmaker[Session]) -> Iterator[Corpus]:
    """The corpus in a fresh database, for tests that change it."""
    yield Corpus(sessions, store_corpus(sessions))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Corpus]:
    """The corpus stored once per module and backend, for read-only tests."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'casewatch.db'}"
        else:
            url = stack.enter_context(scratch_database(request.getfixturevalue("postgres_url")))
        sessions = open_store(url)
        stack.callback(sessions.kw["bind"].dispose)
        yield Corpus(sessions, store_corpus(sessions))


TALDYKORGAN = {
    "r01", "r03", "r05", "r08", "r09", "r11", "r12", "r14", "r15",
    "k01", "k06", "k07", "e01", "e03", "e04", "e08", "e10", "e11",
}  # fmt: skip
BATYRBAEV = {"r02", "r09", "r16", "k02", "e02", "e08"}

EXPECTED = [
    # Russian case forms meet the lemma: пытках, пыткам, пыток, пытками
    ("пытками", {"r01", "r03", "r07", "r08", "r12"}),
    ("пытка", {"r01", "r03", "r07", "r08", "r12"}),
    # a verb: пытали, not «питали» (fed) in the kindergarten story
    ("пытали", {"r02", "r16", "r18"}),
    # a place in any script and case: Талдыкоргане, Талдықорғанда, Taldyqorghan, Taldy-Korgan
    ("Талдыкоргане", TALDYKORGAN),
    ("Taldykorgan", TALDYKORGAN),
    ("Талдықорған", TALDYKORGAN),
    ("Taldy-Korgan", TALDYKORGAN),
    # Kazakh suffixes: азаптау, азаптады, азаптағанын, Азаптауға, азапталған
    ("азаптау", {"k01", "k02", "k04", "k06", "k08"}),
    # a name in either script and any case form: Батырбаева, Batyrbayev, Батырбаев
    ("Batyrbaev", BATYRBAEV),
    ("Батырбаева", BATYRBAEV),
    ("Кудебаев", {"r05", "r06", "r13", "r17", "k03", "e05"}),
    ("Koshmambet", {"r07", "r18", "k04", "e06"}),
    # English inflection: tortured, torturing — and not "Tortoise"
    ("torture", {"e01", "e02", "e03", "e04", "e06", "e08", "e10"}),
    # articles of the code however written: ст. 146, статье 146, 146-бабы, Art. 146
    ("ст. 146", {"r01", "r03", "k01", "e01", "e04", "e06"}),
    ("Article 146", {"r01", "r03", "k01", "e01", "e04", "e06"}),
    # a case number, also written «1917 – 22-00-1/0215 (2)»
    ("1917-22-00-1/215", {"r01", "e11"}),
    # phrases, OR, exclusion, prefix
    ('"суд над полицейскими"', {"r01"}),
    (
        "Кудебаев OR Koshmambet",
        {"r05", "r06", "r13", "r17", "k03", "e05", "r07", "r18", "k04", "e06"},
    ),
    ("Батырбаев -пытали", {"r09", "k02", "e02", "e08"}),
    ("Батырбаев NOT пытали", {"r09", "k02", "e02", "e08"}),
    ("Кошмам*", {"r07", "r18", "k04", "e06"}),
    ("пытки Батырбаев", set()),
    ("приговор Тен", {"r04"}),
]


@pytest.mark.parametrize(("query", "expected"), EXPECTED, ids=[q for q, _ in EXPECTED])
def test_inflected_queries_find_every_form(shared: Corpus, query: str, expected: set[str]) -> None:
    assert shared.keys(query) == expected


FILTERED = [
    (SearchFilters(language="kk"), {"k01", "k06", "k07"}),
    (SearchFilters(source="eurasianet"), {"e01", "e03"}),
    (SearchFilters(case="kudebayev-trial"), {"r05"}),
    (SearchFilters(since=datetime(2024, 1, 1, tzinfo=UTC)), {"r09", "e08"}),
    (SearchFilters(until=datetime(2022, 9, 1, tzinfo=UTC)), {"r01", "r08", "k01", "e01", "e03"}),
    (SearchFilters(case="taldykorgan-torture", language="en", since=datetime(2023, 1, 1, tzinfo=UTC)), {"e04", "e08", "e10"}),
]  # fmt: skip


@pytest.mark.parametrize(("filters", "expected"), FILTERED)
def test_filters(shared: Corpus, filters: SearchFilters, expected: set[str]) -> None:
    assert shared.keys("Талдыкорган", filters) == expected


def test_title_hits_rank_first_and_pages_follow_the_ranking(shared: Corpus) -> None:
    result = shared.search("Батырбаев")
    assert result.total == 6
    titled = {"r02", "r16", "k02", "e02"}
    assert {shared.key(h.article_id) for h in result.hits[:4]} == titled
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    page = shared.search("Батырбаев", limit=2, offset=2)
    assert page.total == 6
    assert [h.article_id for h in page.hits] == [h.article_id for h in result.hits[2:4]]


def test_hit_fields_and_snippet(shared: Corpus) -> None:
    (hit,) = shared.search("пытали", SearchFilters(source="vlast-kz")).hits
    assert shared.key(hit.article_id) == "r18"
    assert (hit.title, hit.source, hit.language) == (
        "Абилбеков и Сопаков дали показания",
        "vlast-kz",
        "ru",
    )
    assert hit.published_at == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert hit.cases == ("koshmambet-case",)
    assert hit.url.endswith("/vlast-kz/r18")
    assert f"{MARK_START}пытали{MARK_END}" in hit.snippet
    assert hit.score > 0


HOSTILE = [
    "", "   ", '"', '""', '"""', '"unclosed', "«пытки", "(", ")", "()", "(пытки", "пытки)",
    "*", "**", "-", "--", "+", "!", "^", ":", "AND OR NOT NEAR", "NEAR(пытки суд)", "NEAR/3",
    "пытки AND", "OR пытки", "пытки OR", "NOT", "-пытки", "NOT пытки", "пытки -", "пытки*",
    "п*", "a*b*c", "title:пытки", "{title body}:x", "^пытки", "пытки^2", "пытки:*", "!пытки",
    "a & b | c", "<->", "пытки <-> суд", "'; DROP TABLE article; --", "%", "_", "\\", "\x00",
    "[1]", "ст. 146", "ст.146 ч.2", "1917-22-00-1/215", "1917 – 22-00-1/0215 (2)", "é", "😀",
    "\u202e\u200bпытки", "ﬁnal", "1" * 200, "x" * 2000, "пытки " * 500, "“пытки”", "„суд“",
    "NEAR", "AND", "OR", "0", "00", "art146", "ART 146", "'", "`", "’пытки’", "#", "@", "&&",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_give_results_or_a_message(shared: Corpus, query: str) -> None:
    result = shared.search(query)
    assert result.query == query
    if result.hits:
        assert result.total >= len(result.hits)
    else:
        assert result.total == 0
    if not query.strip() or not any(c.isalnum() for c in query):
        assert result.message is not None and not result.hits


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the query is empty"),
        ("AND OR NOT NEAR", "the query has no searchable words"),
        ("()*-", "the query has no searchable words"),
        ("-пытки", "the query only excludes words; add a word to search for"),
        ("x" * 2000, "the query was shortened to its first 1000 characters"),
        ("пытки " * 20, "the query was shortened to its first 16 words"),
    ],
)
def test_messages(shared: Corpus, query: str, message: str) -> None:
    assert shared.search(query).message == message


@pytest.mark.parametrize(
    "decorated",
    ['"Талдыкорган', "(Талдыкорган)", "Талдыкорган AND", "NEAR Талдыкорган", "Талдыкорган*) --",
     "«Талдыкорган»", "+Талдыкорган", "AND OR Талдыкорган"],
)  # fmt: skip
def test_operators_and_punctuation_around_a_word_are_ignored(
    shared: Corpus, decorated: str
) -> None:
    assert shared.keys(decorated) == TALDYKORGAN


def test_random_input_never_raises(shared: Corpus) -> None:
    pieces = ['"', "'", "(", ")", "*", "-", "+", ":", "^", "!", "|", "&", "/", "\\", "NEAR",
              "AND", "OR", "NOT", " ", "  ", "пытки", "Батырбаев", "146", "ст.", "«", "»", "\x00"]  # fmt: skip
    rng = random.Random(6)
    with shared.sessions() as session:
        for _ in range(300):
            query = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
            result = search_articles(session, query, limit=5)
            assert result.total >= len(result.hits)


def test_the_index_follows_edits_and_deletes(stored: Corpus) -> None:
    entry = next(e for e in corpus() if e["key"] == "r19")
    edited = article(entry, text="Стоимость бензина в Талдыкоргане выросла.")
    with stored.sessions.begin() as session:
        upsert_articles(session, [edited], STORED_AT)
    assert "r19" in stored.keys("Талдыкорган")
    assert "r19" not in stored.keys("тенге")
    with stored.sessions.begin() as session:
        session.execute(delete(ArticleRow).where(ArticleRow.id == stored.ids["r01"]))
    assert stored.keys('"суд над полицейскими"') == set()
    assert stored.keys("Талдыкорган") == (TALDYKORGAN | {"r19"}) - {"r01"}


def test_reindex_rebuilds_the_same_index(stored: Corpus) -> None:
    before = stored.search("Талдыкорган")
    with stored.sessions.begin() as session:
        assert reindex_all(session) == len(corpus())
    assert stored.search("Талдыкорган") == before


def test_the_migration_indexes_existing_articles(db_url: str) -> None:
    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source (id, kind, url, consecutive_failures) VALUES ('s', 'feed', 'u', 0)"
            )
        )
        row = {"url": "u1", "canonical_url": "u1", "title": "Пытки в Талдыкоргане", "summary": "",
               "text": "Батырбаева пытали.", "language": "ru", "author": "", "publisher": "",
               "first_seen_at": STORED_AT, "last_seen_at": STORED_AT, "source_id": "s",
               "content_hash": "h", "title_key": "k"}  # fmt: skip
        conn.execute(ArticleRow.__table__.insert(), [row])
        assert conn.execute(text("SELECT count(*) FROM source")).scalar() == 1
    engine.dispose()
    sessions = open_store(db_url)
    try:
        with sessions() as session:
            result = search_articles(session, "Batyrbaev")
        assert [h.title for h in result.hits] == ["Пытки в Талдыкоргане"]
        assert result.hits[0].language == "ru"
    finally:
        sessions.kw["bind"].dispose()


@pytest.mark.postgres
def test_sqlite_and_postgresql_return_the_same_hits(tmp_path: Path, postgres_url: str) -> None:
    """Same corpus, same queries: the same hits, in the same order, with the same scores."""
    with ExitStack() as stack:
        backends = []
        for url in (
            f"sqlite:///{tmp_path / 'c.db'}",
            stack.enter_context(scratch_database(postgres_url)),
        ):
            sessions = open_store(url)
            stack.callback(sessions.kw["bind"].dispose)
            backends.append(Corpus(sessions, store_corpus(sessions)))
        for query in [q for q, _ in EXPECTED] + HOSTILE:
            lite, pg = (b.search(query, limit=500) for b in backends)
            assert (lite.total, lite.message) == (pg.total, pg.message), query
            assert [backends[0].key(h.article_id) for h in lite.hits] == [
                backends[1].key(h.article_id) for h in pg.hits
            ], query
            assert [h.score for h in lite.hits] == [h.score for h in pg.hits], query


def test_too_many_to_count_is_said(shared: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.search
    import pipeline.search.backend

    monkeypatch.setattr(pipeline.search.backend, "COUNT_LIMIT", 5)
    monkeypatch.setattr(pipeline.search, "COUNT_LIMIT", 5)
    result = shared.search("Талдыкорган", limit=2)
    assert (result.total, len(result.hits)) == (5, 2)
    assert result.message is not None and result.message.startswith("more than 5 articles match")


def test_migration_0010_keeps_the_hits_and_downgrades(db_url: str) -> None:
    """0010 on a store indexed the 0009 way: the term list is filled from the index and
    (PostgreSQL) tsv gains tags and id buckets; the same hits before and after."""
    sessions = open_store(db_url)
    engine = sessions.kw["bind"]
    try:
        backend = Corpus(sessions, store_corpus(sessions))
        before = {q: backend.keys(q) for q, _ in EXPECTED}
        cfg = alembic_config(engine)
        command.downgrade(cfg, "0009_candidates")
        with engine.connect() as conn:
            assert "article_search_term" not in inspect(conn).get_table_names()
            if conn.dialect.name == "postgresql":
                assert "tags" not in {
                    c["name"] for c in inspect(conn).get_columns("article_search")
                }
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM article_search_term")).scalar() > 100
        assert {q: backend.keys(q) for q, _ in EXPECTED} == before
        assert backend.keys("Taldykorgan", SearchFilters(language="kk")) == {"k01", "k06", "k07"}
    finally:
        engine.dispose()


def test_migration_0011_keeps_the_hits_and_downgrades(db_url: str) -> None:
    """0011 on a store indexed the 0010 way: (PostgreSQL) ``published`` is filled from the
    articles and tsv gains publication days; the same hits, with and without date filters,
    before and after, and down again."""
    sessions = open_store(db_url)
    engine = sessions.kw["bind"]
    try:
        backend = Corpus(sessions, store_corpus(sessions))
        before = {q: backend.keys(q) for q, _ in EXPECTED}
        dated = {repr(f): backend.keys("Талдыкорган", f) for f, _ in FILTERED}
        cfg = alembic_config(engine)
        command.downgrade(cfg, "0010_search_prefix")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("article_search")}
            assert "published" not in columns
            if conn.dialect.name == "postgresql":
                assert _gin_options(conn) is None
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                assert (
                    conn.execute(
                        text("SELECT count(*) FROM article_search WHERE published IS NULL")
                    ).scalar()
                    == 0
                )
                assert _gin_options(conn) == ["gin_pending_list_limit=256"]
                rows = conn.execute(text("SELECT article_id, published FROM article_search"))
                for article_id, published in rows.all():  # its day is in its tsv
                    day = f"'#d{day_number(published)}'"
                    found = conn.execute(
                        text(
                            "SELECT tsv @@ CAST(:d AS tsquery) FROM article_search WHERE article_id = :i"
                        ),
                        {"d": day, "i": article_id},
                    )
                    assert found.scalar_one(), (article_id, published)
        assert {q: backend.keys(q) for q, _ in EXPECTED} == before
        assert {repr(f): backend.keys("Талдыкорган", f) for f, _ in FILTERED} == dated
    finally:
        engine.dispose()


def _gin_options(conn: Connection) -> list[str] | None:
    query = "SELECT reloptions FROM pg_class WHERE relname = 'ix_article_search_tsv'"
    return conn.execute(text(query)).scalar_one()


def test_the_index_follows_a_publication_date(stored: Corpus) -> None:
    """A date found later (on the article's page) is what a date filter sees once the
    article is indexed again, as ingesting a page does."""
    july = SearchFilters(since=datetime(2030, 7, 1, tzinfo=UTC), until=datetime(2030, 8, 1, tzinfo=UTC))  # fmt: skip
    assert stored.keys("Талдыкорган", july) == set()
    with stored.sessions.begin() as session:
        row = session.get(ArticleRow, stored.ids["r01"])
        assert row is not None
        row.published_at = datetime(2030, 7, 15, 9, tzinfo=UTC)
        session.flush()
        index_articles(session, [row.id])
    assert stored.keys("Талдыкорган", july) == {"r01"}
    assert "r01" not in stored.keys("Талдыкорган", SearchFilters(until=datetime(2030, 7, 15, 9, tzinfo=UTC)))  # fmt: skip


def test_a_search_puts_the_planner_settings_back(
    shared: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: custom plans, no JIT, no parallel workers while the search runs; the
    session's own settings after it."""
    import pipeline.search.backend as backend

    names = list(backend.SEARCH_SETTINGS)
    during: list[dict[str, str]] = []
    matching_ids = backend._matching_ids

    def spy(session: Session, *args: object) -> list[int]:
        during.append({n: session.execute(text(f"SHOW {n}")).scalar_one() for n in names})
        return matching_ids(session, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(backend, "_matching_ids", spy)
    with shared.sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("planner settings are PostgreSQL's")
        session.execute(text("SET max_parallel_workers_per_gather = 3"))
        before = {n: session.execute(text(f"SHOW {n}")).scalar_one() for n in names}
        for _ in range(3):
            search_articles(session, "Талдыкорган", SearchFilters(since=datetime(2023, 1, 1, tzinfo=UTC)))  # fmt: skip
        after = {n: session.execute(text(f"SHOW {n}")).scalar_one() for n in names}
    assert during == [backend.SEARCH_SETTINGS] * 3
    assert after == before
    assert before["max_parallel_workers_per_gather"] == "3"
