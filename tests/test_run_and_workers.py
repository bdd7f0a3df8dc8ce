"""A cron ``run --once`` and workers on one PostgreSQL database take turns, not sources: the
run leaves to a live worker the sources it is crawling or has queued, and the workers' tick
queues no crawl while a run works (each would otherwise fetch what the other fetches, a court
site twice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.config.sources import Source
from pipeline.store.cluster import register
from pipeline.store.engine import open_store, run_hold, run_lock
from pipeline.workers.runtime import WorkerRuntime

from support.cli import run_casewatch
from support.cluster import Feed, query, serve_feeds, source_runs, write_cluster_config
from support.http_server import LocalHTTPServer


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("worker_seen", "left_to_it"),
    [
        (timedelta(0), True),  # a live worker has the source's crawl job: the run leaves it
        (timedelta(hours=1), False),  # its worker was lost: the job holds nothing back
        (None, False),  # no worker ever ran: a job left in the table holds nothing back
    ],
)
def test_run_once_leaves_a_source_to_the_live_worker_crawling_it(
    cluster_url: str,
    http_server: LocalHTTPServer,
    tmp_path: Path,
    worker_seen: timedelta | None,
    left_to_it: bool,
) -> None:
    feeds = [Feed("feed-a", delay=0), Feed("feed-b", delay=0)]
    serve_feeds(http_server, feeds)
    config = write_cluster_config(tmp_path / "config", http_server, feeds)
    query(
        cluster_url,
        "INSERT INTO procrastinate_jobs (queue_name, task_name, lock, args, status)"
        " VALUES ('default', 'casewatch.crawl', 'crawl:feed-a', '{}', 'doing')",
    )
    if worker_seen is not None:
        sessions = open_store(cluster_url)
        with sessions.begin() as session:
            register(session, name="almaty-1:41", host="almaty-1", pid=41, queues=["default"],
                     concurrency=2, now=datetime.now(UTC) - worker_seen)  # fmt: skip
        sessions.kw["bind"].dispose()

    done = run_casewatch(config, cluster_url, "run", "--once", "--all")

    assert done.returncode == 0, done.stdout + done.stderr
    busy = "busy         1 source(s) a worker is crawling, left to it: feed-a"
    assert (busy in done.stdout) is left_to_it
    assert len(http_server.requests_to("/feed-a.xml")) == (0 if left_to_it else 1)
    assert len(http_server.requests_to("/feed-b.xml")) == 1
    assert set(source_runs(cluster_url)) == ({"feed-b"} if left_to_it else {"feed-a", "feed-b"})


@pytest.mark.postgres
def test_the_workers_tick_queues_no_crawl_while_a_run_once_works(cluster_url: str) -> None:
    sessions = open_store(cluster_url)
    engine = sessions.kw["bind"]
    source = Source(id="court-kz", kind="feed", url="https://example.kz/rss")
    service = SimpleNamespace(crawl_timeout=timedelta(minutes=10))
    worker: Any = SimpleNamespace(
        deps=SimpleNamespace(clock=lambda: datetime(2026, 12, 7, tzinfo=UTC), sessions=sessions),
        settings=SimpleNamespace(
            default_every=timedelta(hours=1), failing_backoff_max=None, service=service
        ),
        sources={source.id: source},
        run_seen_since=None,
    )

    def held_for() -> timedelta | None:  # from a connection of its own, as a worker reads it
        with sessions() as session:
            hold = run_hold(session)
            return None if hold is None else hold.age

    assert held_for() is None
    assert WorkerRuntime.due_crawls(worker) == [("court-kz", "default")]
    with run_lock(engine) as got:
        assert got
        held = held_for()
        assert held is not None and timedelta(0) <= held < timedelta(minutes=1)
        # held outside any transaction: a long run holds back neither VACUUM nor meets the
        # server's idle-in-transaction timeout
        holder = query(
            cluster_url,
            "SELECT a.state, a.xact_start FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted",
        )
        assert holder == [("idle", None)]
        assert WorkerRuntime.due_crawls(worker) == []
        # a run holding the database longer than a crawl may last is hung: crawl beside it
        service.crawl_timeout = timedelta(0)
        assert WorkerRuntime.due_crawls(worker) == [("court-kz", "default")]
    assert held_for() is None
    engine.dispose()


def test_no_run_holds_a_sqlite_database_for_workers(tmp_path: Path) -> None:
    sessions = open_store(f"sqlite:///{tmp_path / 'casewatch.db'}")
    with sessions() as session:
        assert run_hold(session) is None
