"""A private PostgreSQL server for the test session, and throwaway databases on it.

PostgreSQL refuses to run as root, so as root ``initdb`` and ``pg_ctl`` run through
``runuser -u postgres``. The server listens on 127.0.0.1 on a free port with its socket in a
private directory, trusts local connections, and skips fsync (test data is disposable).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

SUPERUSER = "postgres"
SERVER_OPTIONS = "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries (or no ``postgres`` user to run them as root)."""


def unavailable(reason: str) -> NoReturn:
    """Skip the test for want of PostgreSQL, except under ``CI``: there that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def interrupt_on_sigterm() -> Any:
    """Make SIGTERM (e.g. from ``timeout``) a KeyboardInterrupt, so pytest still tears the
    session down and the private server is stopped instead of left running. Returns the
    previous handler (None off the main thread, where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    return signal.signal(signal.SIGTERM, interrupt)


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versions), key=_major_version, reverse=True)
    return next(
        (d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()), None
    )


def _major_version(bindir: Path) -> int:
    name = bindir.parent.name
    return int(name) if name.isdigit() else 0


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError as exc:
        raise PostgresUnavailable(
            "running as root but there is no 'postgres' user to run PostgreSQL as"
        ) from exc
    return ["runuser", "-u", SUPERUSER, "--"]


@dataclass(frozen=True, slots=True)
class PostgresServer:
    bindir: Path
    root: Path
    port: int

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), *args)

    def _run(self, program: str, *args: str) -> None:
        command = [*_as_server_user(), str(self.bindir / program), *args]
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}{tail}"
            )


def start_server(bindir: Path, port: int, root: Path | None = None) -> PostgresServer:
    """Start a server on 127.0.0.1:port: initdb into a fresh temp folder, or with ``root``
    into that folder — and there reuse the data an earlier run left (``bench/search.py``
    keeps a loaded database between runs)."""
    user = _as_server_user()
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="casewatch-pg-"))
    (root / "socket").mkdir(parents=True, exist_ok=True)
    if user:
        owner = pwd.getpwnam(SUPERUSER)
        for path in (root, root / "socket"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bindir, root, port)
    if not (server.datadir / "PG_VERSION").exists():
        server._run(
            "initdb", "-D", str(server.datadir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
    options = f"-p {port} -k {root / 'socket'} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
    server.pg_ctl("-o", options, "-l", str(root / "server.log"), "-w", "-t", "60", "start")
    return server


def stop_server(server: PostgresServer, *, keep: bool = False) -> None:
    """Stop the server and delete its folder, or with ``keep`` leave its data for next time."""
    if keep:
        server.pg_ctl("-m", "fast", "-w", "stop")
        return
    try:
        server.pg_ctl("-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


def _admin_conninfo(url: str) -> str:
    """libpq URI for the maintenance database of the server behind a SQLAlchemy URL."""
    parsed: URL = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


def create_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A fresh, uniquely named database on the server of ``server_url``; dropped afterwards."""
    name = f"cw_{uuid.uuid4().hex[:16]}"
    create_database(server_url, name)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(server_url, name)
