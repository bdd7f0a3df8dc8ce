"""Real ``casewatch worker`` processes on one PostgreSQL database, against feeds served on
127.0.0.1 — for tests/test_workers*.py and bench/cluster.py.

A source is (id, every, queue); each is served at ``/<id>.xml`` with a response delay.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from pipeline.store.engine import open_store
from pipeline.workers.schema import ensure_schema

from .cli import start_casewatch
from .feeds import rss
from .http_server import LocalHTTPServer
from .pgserver import scratch_database


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    every: str = "1h"
    queue: str | None = None
    delay: float = 0.3
    kind: str = "feed"
    """``feed`` (an RSS feed at ``/<id>.xml``) or ``court_table`` (a schedule page at
    ``/<id>.html``)."""

    @property
    def path(self) -> str:
        return f"/{self.id}.html" if self.kind == "court_table" else f"/{self.id}.xml"


SCHEDULE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>График</title></head><body>"
    "<table class='schedule'><thead><tr><th>Дата</th><th>Время</th><th>Номер дела</th>"
    "<th>Судья</th><th>Стороны</th><th>Категория</th><th>Зал</th></tr></thead><tbody>{rows}"
    "</tbody></table></body></html>"
)


def schedule_page(feed: Feed) -> str:
    """A court's hearing schedule: two hearings a week and more ahead."""
    day = date.today() + timedelta(days=7)
    rows = "".join(
        f"<tr><td>{day + timedelta(days=i):%d.%m.%Y}</td><td>1{i}:00</td>"
        f"<td>3310-26-00-2/{abs(hash(feed.id)) % 900 + i}</td><td>Судья А.</td>"
        f"<td>Истец {i} к ответчику</td><td>взыскание долга</td><td>Зал № {i}</td></tr>"
        for i in range(2)
    )
    return SCHEDULE.format(rows=rows)


@contextmanager
def cluster_database(server_url: str) -> Iterator[str]:
    """A fresh database with casewatch's schema and the workers' tables (as the first
    worker would make them; the test reads them from the start)."""
    with scratch_database(server_url) as url:
        engine = open_store(url).kw["bind"]
        ensure_schema(engine)
        engine.dispose()
        yield url


def serve_feeds(http: LocalHTTPServer, feeds: Iterable[Feed]) -> None:
    """Each feed at its path: two items (or two hearings), answered after its delay."""
    for feed in feeds:
        if feed.kind == "court_table":
            http.route(feed.path, body=schedule_page(feed), delay=feed.delay,
                       headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
            continue
        items = [(f"{feed.id}: новости {i}", f"https://example.kz/{feed.id}/{i}", "Текст.")
                 for i in range(2)]  # fmt: skip
        http.route(feed.path, body=rss(items), delay=feed.delay,
                   headers={"Content-Type": "application/rss+xml; charset=utf-8"})  # fmt: skip


def write_cluster_config(
    folder: Path,
    http: LocalHTTPServer,
    feeds: Sequence[Feed],
    *,
    workers: str = "{tick: 1s, heartbeat: 0.5s, stalled_after: 8s, poll: 0.5s}",
    service: str = "{deliver_every: 1s, shutdown_grace: 5s, crawl_timeout: 60s}",
    settings: str = "",
    alerts: str = "",
) -> Path:
    """A config folder: no news searches, no cases, the feeds as sources."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent / 'data'}\ndownload_delay: 0s\ndownload_timeout: 60s\n"
        f"news_search: {{enabled: false}}\nworkers: {workers}\nservice: {service}\n{settings}",
        encoding="utf-8",
    )
    rows = "".join(
        f"  - {{id: {f.id}, kind: {f.kind}, url: '{http.url(f.path)}', every: {f.every}"
        + (f", queue: {f.queue}" if f.queue else "")
        + (", court: Суд, timezone: Asia/Almaty" if f.kind == "court_table" else "")
        + "}\n"
        for f in feeds
    )
    (folder / "sources.yaml").write_text("sources:\n" + rows, encoding="utf-8")
    if alerts:
        (folder / "alerts.yaml").write_text(alerts, encoding="utf-8")
    return folder


def start_worker(
    config: Path, db_url: str, log: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``casewatch worker ARGS…`` with its JSON log in ``log``."""
    return start_casewatch(
        config, db_url, "worker", "--log-format", "json", *args, env=env,
        stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


def stop_all(processes: Iterable[subprocess.Popen[bytes]], within: float = 30) -> list[int]:
    """SIGTERM each still running; their exit statuses (-9 for one killed before)."""
    processes = list(processes)
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    codes = []
    for p in processes:
        try:
            codes.append(p.wait(timeout=within))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``condition`` until it returns something true; fail naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout}s")
        time.sleep(every)


def libpq(db_url: str) -> str:
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def query(db_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq(db_url), autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return list(cursor.fetchall()) if cursor.description else []


def source_runs(db_url: str) -> dict[str, list[tuple[datetime, datetime, str]]]:
    """source → [(started_at, finished_at, status)] in order."""
    runs: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for source, started, finished, status in query(
        db_url, "SELECT source_id, started_at, finished_at, status FROM source_run ORDER BY id"
    ):
        runs[source].append((started, finished, status))
    return dict(runs)


def overlaps(runs: Sequence[tuple[datetime, datetime, str]]) -> list[tuple[datetime, datetime]]:
    """Pairs of runs of one source whose [started, finished] intervals intersect."""
    ordered = sorted(runs)
    return [(a[0], b[0]) for a, b in itertools.pairwise(ordered) if b[0] < a[1]]


def pids_running(db_url: str, *, task: str | None = None, lock: str | None = None) -> list[int]:
    """The pids of the workers running a job of ``task`` (or with ``lock``) now."""
    rows = query(
        db_url,
        "SELECT w.pid FROM procrastinate_jobs j JOIN casewatch_worker w"
        " ON w.job_worker_id = j.worker_id WHERE j.status = 'doing'"
        " AND (%s::text IS NULL OR j.task_name = %s) AND (%s::text IS NULL OR j.lock = %s)",
        task, task, lock, lock,
    )  # fmt: skip
    return [pid for (pid,) in rows]


def errors_logged(log: Path) -> list[str]:
    """The ERROR lines of a worker's JSON log."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("level") in ("ERROR", "CRITICAL"):
            found.append(f"{record.get('logger')}: {record.get('message')}")
    return found


def logged_sources(log: Path) -> set[str]:
    """Sources whose crawl result this worker logged (its JSON lines' ``source``)."""
    found = set()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("logger") == "pipeline.workers.runtime" and record.get("source"):
            found.add(record["source"])
    return found
