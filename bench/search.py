"""Search latency at 1,000,000 articles on SQLite (FTS5) and PostgreSQL (tsvector + GIN),
and a naive LIKE scan on SQLite for scale.

    python bench/search.py                          # SQLite, 1,000,000 articles (built once, cached)
    python bench/search.py --backend both           # and a private PostgreSQL server (cached too)
    python bench/search.py --backend postgres --postgres-url postgresql+psycopg://u@host/db
    python bench/search.py --articles 100000        # a smaller store
    python bench/search.py --dashboard              # also bench/dashboard.py at 100k articles

Builds (or reuses) a SQLite file under the cache dir with N generated articles in ru/kk/en
(``tests/support/searchgen.py``: inflected Russian forms, Kazakh suffixes, English endings,
names in both scripts, Zipf-distributed, 3 % about the Taldykorgan case). Rows go in by
executemany on the migrated schema; the index keys are the store's own
(``pipeline.match.keys``). A cached file from an older schema is migrated on open, and the
time that took is printed (the migration's cost at this size).

PostgreSQL gets the same rows, copied from the SQLite file into a migrated database (COPY,
then the GIN index built once): on a private server started with ``tests/support/pgserver.py``
whose data folder is kept under the cache dir, or on ``--postgres-url`` (loaded when empty).

Then times 20 queries through ``search_articles`` (the CLI's and the web's path: page of 50,
total count, snippets) and prints each query's median and p50/p95 of all, wall-clock and
CPU: on PostgreSQL the CPU is this process's plus the server backend's (from /proc, when the
server runs here), a figure the other loads of a shared machine do not inflate. Target: p95
≤ 50 ms at 1M.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.search import search_articles
from pipeline.store.engine import make_engine, open_store
from pipeline.store.search_index import fill_terms
from tests.support.searchgen import ARTICLE_COLUMNS, QUERIES, SOURCES, rows

CACHE = Path(tempfile.gettempdir()) / "casewatch-bench"
SCHEMA_VERSION = 2
"""Bump when the generated data or the index keys change, to rebuild cached stores."""
PG_DATABASE = "casewatch_bench"
FILTER_FIELDS = ("case", "source", "language", "since", "until")


def build(path: Path, n: int) -> None:
    """A migrated SQLite store with ``n`` generated articles and their search index."""
    sessions = open_store(f"sqlite:///{path}")
    sessions.kw["bind"].dispose()
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;")
    db.executemany(
        "INSERT INTO source (id, kind, url, consecutive_failures) VALUES (?, 'feed', ?, 0)",
        [(s, f"https://example.kz/{s}.xml") for s in SOURCES],
    )
    started = time.perf_counter()
    articles, index, matches = [], [], []
    for article, keys, relevant in rows(n):
        articles.append(article)
        index.append(keys)
        if relevant:
            matches.append((article[0], "taldykorgan-torture", 0.6, "[]", article[9]))
        if len(articles) == 20_000:
            _flush(db, articles, index, matches)
            print(
                f"\r  {article[0]:,} articles ({time.perf_counter() - started:.0f} s)",
                end="",
                flush=True,
            )
    _flush(db, articles, index, matches)
    db.execute("INSERT INTO article_search(article_search) VALUES ('optimize')")
    db.commit()
    db.executescript("PRAGMA journal_mode=WAL; ANALYZE;")
    db.close()
    _fill_terms(f"sqlite:///{path}")
    print(f"\r  {n:,} articles built in {time.perf_counter() - started:.0f} s")


def _flush(db: sqlite3.Connection, articles: list, index: list, matches: list) -> None:
    db.executemany(
        f"INSERT INTO article ({ARTICLE_COLUMNS}) VALUES ({', '.join('?' * 15)})",
        articles,
    )
    db.executemany(
        "INSERT INTO article_search (rowid, title, body, tags) VALUES (?, ?, ?, ?)", index
    )
    db.executemany(
        "INSERT INTO match (article_id, case_slug, score, why, created_at) VALUES (?, ?, ?, ?, ?)",
        matches,
    )
    db.commit()
    articles.clear(), index.clear(), matches.clear()


def store(n: int, cache: Path) -> Path:
    """The cached SQLite store of ``n`` articles (built when missing), migrated to head."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"search-{n}-v{SCHEMA_VERSION}.db"
    if path.exists():
        print(f"reusing {path}")
        started = time.perf_counter()
        open_store(f"sqlite:///{path}").kw["bind"].dispose()
        print(
            f"  opened (migrated to head if it was behind) in {time.perf_counter() - started:.1f} s"
        )
        return path
    print(f"building {path}")
    partial = path.with_suffix(".partial")
    for leftover in cache.glob(f"{partial.name}*"):
        leftover.unlink()
    build(partial, n)
    partial.rename(path)
    return path


def postgres_store(n: int, lite: Path, cache: Path, url: str | None) -> tuple[str, object]:
    """(URL, server to stop or None): a PostgreSQL database holding the rows of ``lite``."""
    server = None
    if url is None:
        from tests.support.pgserver import create_database, find_bindir, start_server
        from tests.support.ports import free_port

        bindir = find_bindir()
        if bindir is None:
            sys.exit("no PostgreSQL binaries (initdb/pg_ctl): pass --postgres-url")
        root = cache / f"pg-{n}-v{SCHEMA_VERSION}"
        server = start_server(bindir, free_port(), root)
        url = server.url(PG_DATABASE)
        if not _pg_exists(server.url("postgres")):
            create_database(server.url("postgres"), PG_DATABASE)
    started = time.perf_counter()
    open_store(url).kw["bind"].dispose()
    print(f"PostgreSQL: opened (migrated to head) in {time.perf_counter() - started:.1f} s")
    if not _pg_loaded(url, n):
        load_postgres(lite, url)
    return url, server


COPIED = [
    ("source", "id, kind, url, consecutive_failures"),
    ("article", ARTICLE_COLUMNS),
    ("match", "article_id, case_slug, score, why, created_at"),
]


def load_postgres(lite: Path, url: str) -> None:
    """Copy the SQLite store's rows into the migrated PostgreSQL database, then index them
    (the GIN index is dropped for the copy and built once, as a restore would)."""
    import psycopg

    from pipeline.store.search_index import POSTGRES_DDL, TABLE, TERMS

    print("PostgreSQL: loading", lite)
    started = time.perf_counter()
    source = sqlite3.connect(lite)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"TRUNCATE {TERMS}, {TABLE}, match, article, source CASCADE")
        for name, columns in COPIED:
            _copy(source, conn, name, columns, f"SELECT {columns} FROM {name}")
        conn.execute(f"DROP INDEX IF EXISTS ix_{TABLE}_tsv")
        _copy(
            source,
            conn,
            TABLE,
            "article_id, title, body, tags, published",
            f"SELECT s.rowid, s.title, s.body, s.tags, coalesce(a.published_at, a.first_seen_at) "
            f"FROM {TABLE} AS s JOIN article AS a ON a.id = s.rowid",
        )
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in POSTGRES_DDL:
            conn.execute(statement)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    source.close()
    _fill_terms(url)
    print(f"PostgreSQL: loaded in {time.perf_counter() - started:.0f} s")


def _fill_terms(url: str) -> None:
    """The term list from the index loaded in bulk (the store keeps it when it indexes)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        fill_terms(connection)
    engine.dispose()


def _copy(source: sqlite3.Connection, conn: object, name: str, columns: str, select: str) -> None:
    started = time.perf_counter()
    with conn.cursor().copy(f"COPY {name} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        for row in source.execute(select):
            copy.write_row(row)
    print(f"  {name} copied in {time.perf_counter() - started:.0f} s")


def _pg_exists(admin_url: str) -> bool:
    import psycopg

    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        return found.fetchone() is not None


def _pg_loaded(url: str, n: int) -> bool:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM article").fetchone()[0] == n


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


Timings = dict[int, list[tuple[float, float, float]]]
"""Per query: (wall, this process's CPU, the database server's CPU) seconds of each round."""


def time_search(url: str, rounds: int) -> tuple[Timings, dict[int, int]]:
    """Wall-clock and CPU seconds per query (CPU tells a busy shared machine apart). The
    server's CPU is read from /proc for a PostgreSQL backend on this machine (0 for SQLite,
    which runs in this process, or when /proc does not show it)."""
    sessions = open_store(url, upgrade=False)
    timings: Timings = {i: [] for i in range(len(QUERIES))}
    totals: dict[int, int] = {}
    with sessions() as session:
        server = _server_cpu(session)
        for query, filters in QUERIES:  # warm-up: page cache, pymorphy
            search_articles(session, query, filters)
        for _ in range(rounds):
            for i, (query, filters) in enumerate(QUERIES):
                started, used, served = time.perf_counter(), time.process_time(), server()
                result = search_articles(session, query, filters)
                wall, cpu = time.perf_counter() - started, time.process_time() - used
                timings[i].append((wall, cpu, server() - served))
                totals[i] = result.total
    sessions.kw["bind"].dispose()
    return timings, totals


def _server_cpu(session: Session) -> Callable[[], float]:
    """Seconds of CPU the session's PostgreSQL backend has used (``/proc/PID/schedstat``)."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda: 0.0
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stat = Path(f"/proc/{pid}/schedstat")
    if not stat.exists():
        return lambda: 0.0
    return lambda: int(stat.read_text().split()[0]) / 1e9


def report(name: str, timings: Timings, totals: dict[int, int], rounds: int) -> None:
    server = any(t[2] for runs in timings.values() for t in runs)
    heading = "median wall / CPU" + (" (this process + server)" if server else "")
    print(f"{name}: {len(QUERIES)} queries × {rounds} rounds; per query: {heading} ms")
    for i, (query, filters) in enumerate(QUERIES):
        shown = {k: str(getattr(filters, k)) for k in FILTER_FIELDS if getattr(filters, k)}
        wall = statistics.median(t[0] for t in timings[i]) * 1000
        cpu = statistics.median(t[1] + t[2] for t in timings[i]) * 1000
        print(f"  {wall:6.1f} {cpu:6.1f}  {totals[i]:>6,}  {query}  {shown or ''}")
    p50, p95 = percentiles([t[0] for runs in timings.values() for t in runs])
    cpu50, cpu95 = percentiles([t[1] + t[2] for runs in timings.values() for t in runs])
    print(f"{name:<10}  p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (target p95 ≤ 50 ms)")
    print(f"  CPU time  p50 {cpu50 * 1000:7.1f} ms   p95 {cpu95 * 1000:7.1f} ms")


def like_words(query: str) -> list[str]:
    return [w.strip('"*-') for w in query.split() if w not in ("OR",) and w.strip('"*-.')]


def time_like(path: Path) -> list[float]:
    """The naive way: a LIKE scan of title and text for each word, newest first, page + count."""
    db = sqlite3.connect(path)
    times = []
    for query, _filters in QUERIES:
        words = like_words(query)
        where = " AND ".join("(title LIKE ? OR text LIKE ?)" for _ in words)
        params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
        started = time.perf_counter()
        db.execute(
            f"SELECT id FROM article WHERE {where} ORDER BY published_at DESC LIMIT 50", params
        ).fetchall()
        db.execute(f"SELECT count(*) FROM article WHERE {where}", params).fetchone()
        times.append(time.perf_counter() - started)
    db.close()
    return times


def run_dashboard_bench(articles: int) -> None:
    """Hook for the web side's benchmark (bench/dashboard.py), at ``articles`` articles."""
    script = Path(__file__).with_name("dashboard.py")
    if not script.exists():
        print("bench/dashboard.py is not there: no dashboard figures")
        return
    subprocess.run([sys.executable, str(script), "--articles", str(articles)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="Timed passes over the 20 queries.")
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help=f"Where stores are kept ({CACHE})."
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        help="A PostgreSQL database to use (loaded when empty) instead of a private server.",
    )
    parser.add_argument("--no-like", action="store_true", help="Skip the (slow) LIKE scan.")
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="Also run bench/dashboard.py (dashboard p95 at --dashboard-articles).",
    )
    parser.add_argument("--dashboard-articles", type=int, default=100_000)
    args = parser.parse_args()
    path = store(args.articles, args.cache)
    print(f"articles: {args.articles:,}")
    if args.backend in ("sqlite", "both"):
        timings, totals = time_search(f"sqlite:///{path}", args.rounds)
        report("SQLite", timings, totals, args.rounds)
    if args.backend in ("postgres", "both"):
        url, server = postgres_store(args.articles, path, args.cache, args.postgres_url)
        try:
            timings, totals = time_search(url, args.rounds)
        finally:
            if server is not None:
                from tests.support.pgserver import stop_server

                stop_server(server, keep=True)  # type: ignore[arg-type]
        report("PostgreSQL", timings, totals, args.rounds)
    if not args.no_like:
        like50, like95 = percentiles(time_like(path))
        print(f"LIKE scan   p50 {like50 * 1000:7.1f} ms   p95 {like95 * 1000:7.1f} ms")
    if args.dashboard:
        run_dashboard_bench(args.dashboard_articles)


if __name__ == "__main__":
    main()
