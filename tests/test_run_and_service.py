"""A cron ``run --once`` on a database the service runs on leaves the fetching to the service
(both would otherwise fetch the same sources, a court site twice): the service holds a shared
lock while it runs, and the run, seeing it, does nothing and says why — unless it names its
sources (``--source``: fetch this one now, as asked)."""

from __future__ import annotations

import signal
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.store.engine import open_store, run_lock, service_lock, service_running
from pipeline.workers.schema import ensure_schema

from support.cli import run_casewatch, start_casewatch
from support.cluster import Feed, serve_feeds, wait_for, write_cluster_config
from support.http_server import LocalHTTPServer
from support.pgserver import scratch_database

NOTHING_DONE = "the casewatch service is running on this database and fetches its sources"
WAITING = "waiting for the casewatch run --once working on this database"


def one_feed(tmp_path: Path, http: LocalHTTPServer, service: str = "") -> tuple[Path, str]:
    """A config folder with one feed served at ``/feed.xml`` (fetched by a service at once,
    then hourly) and a SQLite database URL beside it."""
    feed = Feed("feed", delay=0)
    serve_feeds(http, [feed])
    settings = ", ".join(
        ["startup_spread: 0s", "shutdown_grace: 5s", *([service] if service else [])]
    )
    config = write_cluster_config(tmp_path / "config", http, [feed], service=f"{{{settings}}}")
    return config, f"sqlite:///{tmp_path / 'casewatch.db'}"


def test_a_service_lock_is_seen_and_shared(db_url: str) -> None:
    engine = open_store(db_url).kw["bind"]
    assert not service_running(engine)
    with service_lock(engine, wait_for_run=timedelta(seconds=1)):
        assert service_running(engine)
        with service_lock(engine, wait_for_run=timedelta(seconds=1)):  # another is not kept out
            assert service_running(engine)
        assert service_running(engine)
    assert not service_running(engine)
    engine.dispose()


@pytest.mark.postgres
def test_a_service_lock_outlives_its_connection_being_cut(postgres_url: str) -> None:
    """A PostgreSQL restart during the service's life takes the lock with the connection;
    the service still stops cleanly (no error from releasing a lock that is gone)."""
    with scratch_database(postgres_url) as url:
        engine = open_store(url).kw["bind"]
        with service_lock(engine, wait_for_run=timedelta(seconds=1)):
            assert service_running(engine)
            with engine.connect() as other:
                other.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND mode = 'ShareLock' AND pid <> pg_backend_pid()"
                ))  # fmt: skip
            assert not service_running(engine)
        engine.dispose()


@pytest.mark.postgres
def test_workers_start_while_a_service_runs(postgres_url: str) -> None:
    """The service's lock is not the workers' schema lock (it once shared its number): a
    worker making its tables does not wait for the service to stop."""
    with scratch_database(postgres_url) as url:
        engine = open_store(url).kw["bind"]
        with service_lock(engine, wait_for_run=timedelta(seconds=1)):
            made = threading.Thread(target=ensure_schema, args=(engine,), daemon=True)
            made.start()
            made.join(timeout=30)
            assert not made.is_alive(), "the workers' schema waited for the service"
            assert service_running(engine)
        engine.dispose()


def test_run_once_leaves_the_fetching_to_a_running_service(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    config, db_url = one_feed(tmp_path, http_server)
    service = start_casewatch(config, db_url, "run", text=True)
    try:
        http_server.wait_for_requests(1, timeout=60)  # the service is up and has fetched

        during = run_casewatch(config, db_url, "run", "--once", "--all")

        assert during.returncode == 0, during.stdout + during.stderr
        assert NOTHING_DONE in during.stdout
        assert len(http_server.requests_to("/feed.xml")) == 1  # only the service's fetch

        asked = run_casewatch(config, db_url, "run", "--once", "--source", "feed")

        assert asked.returncode == 0, asked.stdout + asked.stderr  # a source named is fetched
        assert NOTHING_DONE not in asked.stdout
        assert len(http_server.requests_to("/feed.xml")) == 2
    finally:
        service.send_signal(signal.SIGTERM)
        _, err = service.communicate(timeout=30)
    assert service.returncode == 0, err[-2000:]

    after = run_casewatch(config, db_url, "run", "--once", "--all")

    assert after.returncode == 0, after.stdout + after.stderr
    assert NOTHING_DONE not in after.stdout
    assert len(http_server.requests_to("/feed.xml")) == 3


def test_a_service_started_during_a_run_once_waits_for_it_to_finish(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    config, db_url = one_feed(tmp_path, http_server)
    engine = open_store(db_url).kw["bind"]
    log = tmp_path / "service.log"
    with run_lock(engine) as held:  # a run --once at work
        assert held
        service = start_casewatch(config, db_url, "run", stdout=subprocess.DEVNULL,
                                  stderr=log.open("wb"))  # fmt: skip
        try:
            wait_for(lambda: WAITING in log.read_text(encoding="utf-8"), 60, "the service waits")
            assert http_server.requests_to("/feed.xml") == []
        except BaseException:
            service.kill()
            raise
    try:
        http_server.wait_for_requests(1, timeout=60)  # the run is over: the service fetches
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
    assert service.returncode == 0, log.read_text(encoding="utf-8")[-2000:]
    engine.dispose()


def test_a_service_does_not_wait_for_ever_for_a_run_that_may_be_hung(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    config, db_url = one_feed(tmp_path, http_server, "crawl_timeout: 2s")
    engine = open_store(db_url).kw["bind"]
    log = tmp_path / "service.log"
    with run_lock(engine) as held:  # a run --once that never ends
        assert held
        process = start_casewatch(config, db_url, "run", stdout=subprocess.DEVNULL,
                                  stderr=log.open("wb"))  # fmt: skip
        try:  # past crawl_timeout the service starts beside it, and says so
            http_server.wait_for_requests(1, timeout=60)
            assert "starting beside it" in log.read_text(encoding="utf-8")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert process.returncode == 0, log.read_text(encoding="utf-8")[-2000:]
    engine.dispose()
