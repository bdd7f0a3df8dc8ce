"""Engine and session factory; the schema is brought to head by Alembic on open.

A database whose schema is already current is opened without running Alembic (it would take
a lock and write). A SQLite file this process cannot write (the file or its folder is
read-only) is opened read-only for commands that only read; a command that writes is refused
with a line naming the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION_RE = re.compile(
    r"^(down_revision|revision)(?:\s*:[^=\n]*)?\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M
)


log = logging.getLogger(__name__)

BACKENDS = ("sqlite", "postgresql")
# PostgreSQL advisory lock keys ("cas…"), every one casewatch takes, here so none is reused:
_MIGRATION_LOCK = 0x63617365  # Alembic's migrations
_RUN_LOCK = 0x63617366  # a ``run --once`` at work
WORKERS_SCHEMA_LOCK = 0x63617367  # the workers' tables being made (``pipeline.workers.schema``)
_SERVICE_LOCK = 0x63617368  # the service, shared, while it runs


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its folder created, WAL and a busy timeout, or with
    ``read_only`` its file opened read-only (``mode=ro``), never written.

    A URL that is not one, or names a database casewatch does not run on, is a
    :class:`StoreError` that says so without repeating the URL (it may hold a password)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "the database URL is not a SQLAlchemy URL (e.g. sqlite:///data/casewatch.db or "
            "postgresql+psycopg://user@host/casewatch)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise StoreError(
            f"database {backend!r} is not supported: casewatch runs on SQLite or PostgreSQL"
            " (postgresql+psycopg://…)"
        )
    if backend == "sqlite":
        path = sqlite_path(url)
        if read_only and path is not None:
            engine = create_engine(url, creator=lambda: _read_only_connection(path), **kwargs)
            event.listen(engine, "connect", _sqlite_read_pragmas)
            return engine
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or ``:memory:``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def read_only_file(url: str) -> Path | None:
    """The SQLite file of ``url`` when it exists and this process cannot write it or the
    folder its journal goes in; else None."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return None if writable else path


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """``mode=ro``; in WAL mode that needs the ``-shm`` file a writer keeps while it has the
    database open. With none (nobody has it open) and a folder we cannot write, the file is
    read as ``immutable`` — for this connection only: the next tries ``mode=ro`` again."""
    uri = path.resolve().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError:
        connection.close()
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine | None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # only to migrate: not every run

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest migration shipped with this version: the one revision no other revises,
    read from the migration files' ``revision``/``down_revision`` lines (Alembic's own script
    machinery costs more than a run that finds the schema current; a layout those lines do
    not tell falls back to it)."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, double, single in _REVISION_RE.findall(path.read_text(encoding="utf-8")):
            value = double or single
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised - {""}
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(None)).get_current_head()
    assert head is not None, f"{MIGRATIONS}: no migrations"
    return head


def schema_current(engine: Engine) -> bool:
    """Whether the database is at this version's newest migration: one plain query of
    Alembic's version table (no lock, no write); False when it cannot be read."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in rows] == [head_revision()]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent). Processes that open one fresh
    database together take turns (a file lock beside a SQLite file, an advisory lock on
    PostgreSQL): the first migrates, the others find the schema current."""
    from alembic import command

    try:
        with _migration_lock(engine):
            command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)}: migration failed: {exc}"
        ) from exc


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    with _lock(engine, "migrate", _MIGRATION_LOCK, wait=True):
        yield


@contextmanager
def run_lock(engine: Engine) -> Iterator[bool]:
    """One ``run --once`` at a time on a database: yields True when this process holds the
    lock, False when another run does (cron and a hand-run overlapping: the second stores
    nothing rather than race the first into unique-key errors)."""
    with _lock(engine, "run", _RUN_LOCK, wait=False) as held:
        yield held


@dataclass(frozen=True, slots=True)
class RunHold:
    """A ``run --once`` holding a PostgreSQL database's run lock."""

    age: timedelta | None
    """Since the lock's connection went idle holding it, by the server's clock; None when the
    server does not show it (another role's session, without ``pg_read_all_stats``)."""


def run_hold(session: Session) -> RunHold | None:
    """The ``run --once`` holding this PostgreSQL database's run lock, if one does (never on
    other databases, where no workers run). The workers' tick queues no crawl meanwhile: the
    two would fetch the same sources at once."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    row = session.execute(
        text(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - a.state_change) AS age"
            f" FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE {_HELD}"
        ),
        _key_parts(_RUN_LOCK),
    ).first()
    if row is None:
        return None
    return RunHold(None if row.age is None else timedelta(seconds=float(row.age)))


@contextmanager
def service_lock(engine: Engine, wait_for_run: timedelta) -> Iterator[None]:
    """Held while the service runs, so that a ``run --once`` on the same database sees it
    (:func:`service_running`) and leaves the fetching to it. Taken, it waits for a run that
    was already working to finish — for ``wait_for_run`` at most: a run working longer may be
    hung, and the service must not wait for it for ever. Shared: another service may hold it
    too."""
    with _lock(engine, "service", _SERVICE_LOCK, wait=True, shared=True):
        deadline = time.monotonic() + wait_for_run.total_seconds()
        for attempt in itertools.count():
            if _free(engine, "run", _RUN_LOCK):
                break
            if attempt == 0:
                log.info("waiting for the casewatch run --once working on this database")
            if time.monotonic() >= deadline:
                log.warning("a casewatch run --once has been working on this database for "
                            "over %s: starting beside it", wait_for_run)  # fmt: skip
                break
            time.sleep(1.0)
        yield


def service_running(engine: Engine) -> bool:
    """Whether a ``casewatch run`` service holds :func:`service_lock` on this database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            held = connection.execute(
                text(f"SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE {_HELD})"),
                _key_parts(_SERVICE_LOCK),
            )
            return bool(held.scalar())
    return not _free(engine, "service", _SERVICE_LOCK)  # refused while a service holds it


def _free(engine: Engine, name: str, key: int) -> bool:
    """Whether the lock could be taken exclusively now (it is taken and let go at once)."""
    with _lock(engine, name, key, wait=False) as free:
        return free


_HELD = (
    "l.locktype = 'advisory' AND l.granted"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid = CAST(:high AS oid) AND l.objid = CAST(:low AS oid) AND l.objsubid = 1"
)
"""``pg_locks`` rows of a one-number advisory lock granted on this database (the number's
high and low 32 bits: :func:`_key_parts`)."""


def _key_parts(key: int) -> dict[str, int]:
    return {"high": key >> 32, "low": key & 0xFFFFFFFF}


def _lock_file(engine: Engine, name: str) -> str | None:
    """The lock file beside a SQLite database file (None: no file, no other process)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return f"{database}.{name}.lock"


@contextmanager
def _lock(
    engine: Engine, name: str, key: int, *, wait: bool, shared: bool = False
) -> Iterator[bool]:
    """A lock per database (``shared``: many holders at once, none beside an exclusive one): a
    file lock beside a SQLite file, an advisory lock on PostgreSQL held by a connection of its
    own for as long as the block runs — outside any transaction, so that a long run or the
    service's life neither holds back VACUUM nor meets the server's idle-in-transaction
    timeout."""
    if engine.dialect.name == "postgresql":
        kind = "_shared" if shared else ""
        params = {"key": key}
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            call = f"pg_advisory_lock{kind}" if wait else f"pg_try_advisory_lock{kind}"
            got = connection.execute(text(f"SELECT {call}(:key)"), params).scalar()
            held = wait or bool(got)
            try:
                yield held
            finally:
                if held:  # the server may have gone away meanwhile, and the lock with it
                    with contextlib.suppress(SQLAlchemyError):
                        connection.execute(text(f"SELECT pg_advisory_unlock{kind}(:key)"), params)
        return
    path = _lock_file(engine, name)
    if path is None:
        yield True
        return
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:  # read-only: a lock file another user made (0644) still locks
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StoreError(f"{path}: cannot use this lock file: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def open_store(url: str, *, upgrade: bool = True, write: bool = True) -> sessionmaker[Session]:
    """A session factory on a migrated database. Callers frame transactions themselves.

    ``write=False`` (a command that only reads) accepts a SQLite file it cannot write and
    opens it read-only; with ``write`` such a file is a :class:`StoreError` naming it."""
    locked = read_only_file(url)
    if locked is not None and write:
        raise StoreError(
            f"{locked}: the database file is read-only for this user (it or its folder): "
            "this command writes to it; run it as the file's owner"
        )
    engine = make_engine(url, read_only=locked is not None)
    if upgrade and not schema_current(engine):
        if locked is not None:
            engine.dispose()
            raise StoreError(
                f"{locked}: the database file is read-only and its schema is older than this "
                "casewatch: open it once with write access (e.g. casewatch status as its owner)"
            )
        migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
