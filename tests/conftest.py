"""Shared fixtures: a real PostgreSQL server + SQLite, and real HTTP/SMTP servers on 127.0.0.1.

``db_url`` runs a test once on SQLite and once on PostgreSQL (marked ``postgres``). The
PostgreSQL server comes from ``CASEWATCH_TEST_POSTGRES_URL`` or is started privately for the
session (one per xdist worker). Without PostgreSQL binaries the postgres variants are skipped,
except under ``CI``, where that is a failure: CI must test PostgreSQL.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.engine import open_store

from support.cluster import cluster_database
from support.http_server import LocalHTTPServer
from support.logs import restored_logging
from support.pgserver import (
    PostgresUnavailable,
    create_database,
    find_bindir,
    interrupt_on_sigterm,
    scratch_database,
    start_server,
    stop_server,
    unavailable,
)
from support.ports import free_port
from support.smtp import LocalSMTPServer


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Each test leaves logging as it found it (see support/logs.py): a CLI command run in
    process sets the root logger to ERROR, which made test order matter."""
    with restored_logging():
        yield


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a database on a real PostgreSQL server, for the whole session."""
    given = os.environ.get("CASEWATCH_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bindir = find_bindir()
    if bindir is None:
        unavailable("no PostgreSQL binaries (initdb/pg_ctl) on PATH or in /usr/lib/postgresql")
    try:
        server = start_server(bindir, free_port())  # type: ignore[arg-type]
    except PostgresUnavailable as exc:
        unavailable(str(exc))
    previous = interrupt_on_sigterm()
    try:
        create_database(server.url("postgres"), "casewatch_test")
        yield server.url("casewatch_test")
    finally:
        stop_server(server)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'casewatch.db'}"
        return
    with scratch_database(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """``open_store(db_url)``: a session factory on the migrated database."""
    factory = open_store(db_url)
    yield factory
    engine = factory.kw["bind"]
    engine.dispose()


@pytest.fixture
def cluster_url(postgres_url: str) -> Iterator[str]:
    """A fresh database on the test PostgreSQL server for a cluster of workers
    (``tests/support/cluster.py``), dropped after the test."""
    with cluster_database(postgres_url) as url:
        yield url


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A threaded HTTP server on 127.0.0.1; set answers with ``http_server.route(...)``."""
    server = LocalHTTPServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def smtp_server() -> Iterator[LocalSMTPServer]:
    """An aiosmtpd server on 127.0.0.1 collecting messages in ``smtp_server.messages``."""
    server = LocalSMTPServer()
    server.start()
    yield server
    server.stop()
