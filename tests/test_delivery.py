"""Delivery guarantees with a real SMTP server: an outage, a restart, a process killed mid-burst.

The SMTP server identifies each alert by its ``X-Casewatch-Ref`` header (also the
Message-ID's local part): ``casewatch.<delivery id>.<event id>``.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.notify import deliver_pending
from pipeline.records import Event
from pipeline.store import outbox
from pipeline.store.engine import open_store
from pipeline.store.events import add_events
from pipeline.store.models import DeliveryRow

from support.cli import start_casewatch
from support.smtp import LocalSMTPServer, smtp_url

T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
CASE = "taldykorgan-torture"
BURST = 1000


def fill(sessions: sessionmaker[Session], count: int, now: datetime) -> None:
    events = [
        Event(
            kind="article.new",
            case=CASE,
            dedupe_key=f"article:{n}",
            payload={
                "title": f"Суд над полицейскими в Талдыкоргане, день {n}",
                "url": f"https://rus.azattyq.org/a/{n}.html",
                "case_title": "Taldykorgan police torture trials",
                "why": "keyword 'пытки'",
            },
        )
        for n in range(count)
    ]
    with sessions.begin() as session:
        add_events(session, events, lambda kind, case: ("team-email",), now)


def refs(server: LocalSMTPServer) -> Counter[str]:
    return Counter(str(m["X-Casewatch-Ref"]) for m in server.messages)


def statuses(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(DeliveryRow.status)))


def test_a_thousand_pending_with_the_smtp_server_down_then_up(
    sessions: sessionmaker[Session], smtp_server: LocalSMTPServer
) -> None:
    settings = Settings(
        delivery=DeliverySettings(min_interval=timedelta(0), breaker=3, max_per_hour=0)
    )
    config = Config(
        Path("."),
        settings,
        (),
        (Case(slug=CASE, title="Taldykorgan"),),
        (Channel(id="team-email", url=smtp_url(smtp_server)),),
        (Route(channels=("team-email",)),),
    )
    fill(sessions, BURST, T0)
    smtp_server.stop()
    now = T0

    down = deliver_pending(sessions, config, clock=lambda: now)

    assert (down.sent, down.retried, down.pending) == (0, 3, BURST)  # the breaker stopped it
    assert statuses(sessions) == {"pending": BURST}

    smtp_server.start()
    now = T0 + timedelta(hours=1)
    up = deliver_pending(sessions, config, clock=lambda: now)

    assert (up.sent, up.failed, up.pending) == (BURST, 0, 0)
    received = refs(smtp_server)
    assert len(received) == BURST and set(received.values()) == {1}
    assert statuses(sessions) == {"sent": BURST}
    again = deliver_pending(sessions, config, clock=lambda: now + timedelta(days=1))
    assert again.sent == 0 and len(smtp_server.messages) == BURST
    with sessions() as session:
        [health] = outbox.channel_health(session)
    assert (health.channel, health.failing, health.consecutive_failures) == ("team-email", False, 0)


def write_config(folder: Path, smtp: LocalSMTPServer) -> None:
    folder.mkdir()
    (folder / "settings.yaml").write_text(
        "news_search: {enabled: false}\n"
        # a lease of 2 s: a delivery claimed by the killed process is retried 2 s later
        # no hourly cap: the burst is a thousand single alerts on purpose
        "delivery: {min_interval: 0s, timeout: 1s, backoff: 1s, max_per_hour: 0}\n",
        encoding="utf-8",
    )
    (folder / "cases.yaml").write_text(f"cases:\n  - slug: {CASE}\n    title: T\n", "utf-8")
    (folder / "alerts.yaml").write_text(
        f"channels:\n  - id: team-email\n    url: {smtp_url(smtp)}\n"
        "routes:\n  - channels: [team-email]\n",
        encoding="utf-8",
    )


def casewatch(folder: Path, database: str, *args: str) -> subprocess.Popen[bytes]:
    return start_casewatch(folder, database, *args)


def deliver_until_all_arrived(
    folder: Path, database: str, smtp: LocalSMTPServer, sessions: sessionmaker[Session]
) -> int:
    """Run ``casewatch deliver`` until every alert arrived and every delivery is recorded
    ``sent`` (or 90 s); the number of runs.

    A delivery the killed process had claimed (and perhaps sent) stays claimed until its 2 s
    lease runs out: a run that starts before then skips it, so keep going, pausing briefly."""
    deadline = time.monotonic() + 90
    runs = 0
    while time.monotonic() < deadline:
        if len(refs(smtp)) >= BURST and statuses(sessions) == {"sent": BURST}:
            break
        if runs:
            time.sleep(0.5)
        process = casewatch(folder, database, "deliver")
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        runs += 1
    return runs


def run_killed_mid_burst(
    tmp_path: Path, smtp: LocalSMTPServer, args: Sequence[str]
) -> tuple[Counter[str], sessionmaker[Session]]:
    folder, database = tmp_path / "config", f"sqlite:///{tmp_path / 'casewatch.db'}"
    write_config(folder, smtp)
    sessions = open_store(database)
    fill(sessions, BURST, datetime.now(UTC))

    process = casewatch(folder, database, *args)
    try:
        smtp.wait_for(BURST // 4, timeout=120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert len(smtp.messages) < BURST, "the burst ended before the kill: nothing was tested"

    assert deliver_until_all_arrived(folder, database, smtp, sessions) >= 1
    return refs(smtp), sessions


def test_sigkill_in_the_middle_of_a_burst_loses_nothing_and_repeats_at_most_one(
    tmp_path: Path, smtp_server: LocalSMTPServer
) -> None:
    received, sessions = run_killed_mid_burst(tmp_path, smtp_server, ["deliver"])

    assert len(received) == BURST, "an alert was lost"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= 1, received.most_common(3)
    assert statuses(sessions) == {"sent": BURST}
    sessions.kw["bind"].dispose()


def test_sigkill_of_run_once_mid_burst(tmp_path: Path, smtp_server: LocalSMTPServer) -> None:
    """The same with ``casewatch run --once`` (no sources due: it only delivers)."""
    received, sessions = run_killed_mid_burst(tmp_path, smtp_server, ["run", "--once"])

    assert len(received) == BURST
    assert sum(count - 1 for count in received.values()) <= 1
    sessions.kw["bind"].dispose()


def test_message_ids_differ_between_installations_and_stay_put_within_one(
    tmp_path: Path, smtp_server: LocalSMTPServer
) -> None:
    """Two databases sending alert 1 of event 1 from one domain must not make the same
    Message-ID (mail services drop duplicates); one database keeps its id across runs."""
    config = Config(
        directory=tmp_path,
        settings=Settings(delivery=DeliverySettings(min_interval=timedelta(0))),
        sources=(),
        cases=(),
        channels=(Channel(id="team-email", url=smtp_url(smtp_server)),),
        routes=(Route(channels=["team-email"]),),
    )
    ids = []
    for name in ("first", "second", "first"):
        sessions = open_store(f"sqlite:///{tmp_path / name}.db")
        with sessions.begin() as session:  # the third pass sends the same delivery again
            session.execute(
                update(DeliveryRow).values(status="pending", sent_at=None, next_attempt_at=T0)
            )
        fill(sessions, 1, T0)
        assert deliver_pending(sessions, config, clock=lambda: T0).sent == 1
        sessions.kw["bind"].dispose()
        ids.append(str(smtp_server.messages[-1]["Message-ID"]))

    refs_sent = {str(m["X-Casewatch-Ref"]) for m in smtp_server.messages}
    assert len(refs_sent) == 1, "the same delivery and event in both databases"
    assert ids[0] != ids[1]
    assert ids[0] == ids[2]
    assert all(re.fullmatch(r"<casewatch\.\d+\.\d+\.[0-9a-f]{16}@example\.org>", i) for i in ids)


def test_migration_0004_alerts_keeps_deliveries_and_downgrades(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect, text

    from pipeline.store.engine import alembic_config, make_engine

    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO event (id, kind, payload, dedupe_key, created_at)"
                " VALUES (1, 'article.new', '{}', 'k', :now)"
            ),
            {"now": T0},
        )
        conn.execute(
            text(
                "INSERT INTO delivery (event_id, channel, status, attempts, next_attempt_at,"
                " created_at) VALUES (1, 'console', 'pending', 0, :now, :now)"
            ),
            {"now": T0},
        )
    for target, has_new in (("0004_alerts", True), ("0002", False), ("0004_alerts", True)):
        (command.upgrade if has_new else command.downgrade)(cfg, target)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("delivery")}
            tables = set(inspect(conn).get_table_names())
            deliveries = conn.execute(text("SELECT count(*) FROM delivery")).scalar()
        assert ({"note", "last_attempt_at"} <= columns) is has_new
        assert ("channel_state" in tables) is has_new
        assert deliveries == 1
    engine.dispose()
