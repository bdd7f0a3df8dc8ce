"""`casewatch status` and the health summary for /healthz, on a real SQLite/PostgreSQL store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from pipeline.cli.main import main
from pipeline.config.load import Config, load_config
from pipeline.ingest.deps import build_deps
from pipeline.items import FetchReport
from pipeline.records import Event
from pipeline.service.status import health, read_status
from pipeline.store import outbox
from pipeline.store.events import add_events
from pipeline.store.sources import record_run

from support.cli import write_config

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)

SOURCES = """sources:
  - {id: healthy, kind: feed, url: 'http://127.0.0.1:9/a.xml', every: 30m}
  - {id: broken, kind: feed, url: 'http://127.0.0.1:9/b.xml', every: 30m}
  - {id: never, kind: feed, url: 'http://127.0.0.1:9/c.xml', every: 1h}
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    write_config(
        tmp_path,
        sources=SOURCES,
        settings="failing_after: 2\nnews_search: {enabled: false}\n",
        alerts="channels:\n  - {id: mail, url: 'mailto://u:pw@127.0.0.1:9?to=a@b.c'}\n"
        "routes:\n  - {events: ['*'], channels: [mail]}\n",
    )
    return load_config(tmp_path, environ={})


def record(sessions: sessionmaker[Session], sid: str, ok: bool, at: datetime) -> None:
    report = FetchReport(sid, "u", ok=ok, error="" if ok else f"{sid}: HTTP 500", items=3)
    with sessions.begin() as session:
        record_run(session, report, started_at=at, finished_at=at, items_new=0,
                        items_changed=0)  # fmt: skip


def queue(sessions: sessionmaker[Session], config: Config, n: int, at: datetime) -> None:
    events = [Event(kind="article.new", case=None, dedupe_key=f"k{at}{i}", payload={})
              for i in range(n)]  # fmt: skip
    with sessions.begin() as session:
        add_events(session, events, lambda kind, case: ("mail",), at)


def make_world(config: Config, sessions: sessionmaker[Session], base: datetime) -> None:
    build_deps(config=config, sessions=sessions, clock=lambda: base)
    record(sessions, "healthy", True, base)
    for minutes in (0, 30, 60):
        record(sessions, "broken", False, base + minutes * MIN)
    queue(sessions, config, 3, base)
    with sessions.begin() as session:
        first = outbox.due(session, base + MIN, limit=1)[0]
        outbox.mark_failed(session, first.id, "mail: connection refused", base, give_up=True)


@pytest.fixture
def world(config: Config, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    make_world(config, sessions, T0)
    return sessions


def test_status_shows_runs_next_runs_and_the_outbox(
    world: sessionmaker[Session], config: Config
) -> None:
    now = T0 + 70 * MIN
    with world() as session:
        status = read_status(session, config, now)
    by_id = {s.id: s for s in status.sources}
    assert by_id["healthy"].result == "ok" and by_id["healthy"].next_run_at == T0 + 30 * MIN
    assert not by_id["healthy"].failing and by_id["healthy"].last_error is None
    broken = by_id["broken"]
    assert broken.result == "error" and broken.consecutive_failures == 3 and broken.failing
    assert broken.next_run_at == T0 + 60 * MIN + 60 * MIN * 2  # backed off: 30 min × 2²
    assert broken.last_error == "broken: HTTP 500"
    assert by_id["never"].last_run_at is None and by_id["never"].next_run_at is None
    assert status.deliveries["pending"] == 2 and status.deliveries["failed"] == 1
    (mail,) = status.channels
    assert (mail.channel, mail.pending, mail.failed) == ("mail", 2, 1)
    assert mail.last_error == "mail: connection refused"


def test_health_is_degraded_by_failures_and_down_when_nothing_runs(
    world: sessionmaker[Session], config: Config
) -> None:
    soon = health(world, config, T0 + 70 * MIN)
    assert soon["status"] == "degraded" and soon["ok"] is True
    assert soon["sources"]["failing"] == ["broken"] and soon["sources"]["never_run"] == 1
    assert soon["deliveries"]["failed"] == 1 and soon["deliveries"]["overdue"] == 2
    assert json.dumps(soon)  # JSON-ready for /healthz
    assert "pw" not in json.dumps(soon)
    later = health(world, config, T0 + timedelta(days=2))
    assert later["status"] == "down" and later["ok"] is False


def test_health_of_a_fresh_store_is_ok(config: Config, sessions: sessionmaker[Session]) -> None:
    build_deps(config=config, sessions=sessions, clock=lambda: T0)
    for sid in ("healthy", "broken", "never"):
        record(sessions, sid, True, T0)
    result = health(sessions, config, T0 + MIN)
    assert result["status"] == "ok" and result["problems"] == []


def test_health_never_raises_when_the_database_is_gone(config: Config, tmp_path: Path) -> None:
    broken = sessionmaker(create_engine(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"))
    result = health(broken, config, T0)
    assert result["status"] == "down" and result["database"].startswith("unreachable")


@pytest.mark.parametrize(("ago", "code", "state"), [(70, 0, "degraded"), (3 * 24 * 60, 1, "down")])
def test_status_command(
    config: Config, sessions: sessionmaker[Session], db_url: str, ago: int, code: int, state: str
) -> None:
    make_world(config, sessions, datetime.now(UTC) - ago * MIN)
    runner = CliRunner()
    args = ["--config", str(config.directory), "--database", db_url, "status"]
    done = runner.invoke(main, [*args, "--format", "json"])
    assert done.exit_code == code, done.output
    doc = json.loads(done.output)
    assert [s["id"] for s in doc["sources"]] == ["healthy", "broken", "never"]
    assert doc["deliveries"]["pending"] == 2 and doc["health"]["status"] == state
    table = runner.invoke(main, args)
    assert table.exit_code == code, table.output
    assert "error (failing)" in table.output and "due now" in table.output
    assert "deliveries: pending 2" in table.output and f"health: {state}" in table.output
