"""Quiet hours with the real CLI and a real SMTP server on 127.0.0.1: what a run says about
held alerts, ``casewatch deliver --now``, and holds that follow the current alerts.yaml.

The CLI reads the real clock, so each test sets quiet hours around the present minute (in
Asia/Almaty) instead of moving a clock.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.notify import deliver_pending
from pipeline.notify.report import DeliveryReport
from pipeline.records import Event
from pipeline.store.engine import open_store
from pipeline.store.events import add_events

from support.cli import Cli, run_casewatch, write_config
from support.smtp import LocalSMTPServer, smtp_url

REPO = Path(__file__).resolve().parent.parent
ROUTE = "team"
ALMATY, CASE = "Asia/Almaty", "taldykorgan-torture"


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 10:00 in Almaty

    def __call__(self) -> datetime:
        return self.now


def article(n: int) -> Event:
    payload = {
        "title": f"Суд над полицейскими, день {n}",
        "url": f"https://rus.azattyq.org/a/{n}.html",
        "case_title": "Taldykorgan trials",
        "why": "keyword 'пытки' in title",
    }
    return Event("article.new", CASE, f"article:{n}", payload)


def far_off_move() -> Event:
    """A hearing moved from and to dates weeks away: not urgent, quiet hours hold it."""
    side = {"scheduled_at": "2026-12-28T10:00:00+05:00", "local_time": "2026-12-28 10:00"}
    payload = {
        **side, "timezone": ALMATY, "court": "Талдыкорганский городской суд",
        "case_number": "1910-24-00-1/215", "case_title": "Taldykorgan trials",
        "old": {"scheduled_at": "2026-12-20T10:00:00+05:00", "local_time": "2026-12-20 10:00"},
        "new": side,
    }  # fmt: skip
    return Event("hearing.rescheduled", CASE, "moved:1", payload)


def make_config(email: str, *routes: Route) -> Config:
    settings = Settings(timezone=ALMATY, delivery=DeliverySettings(min_interval=timedelta(0)))
    cases = (Case(slug=CASE, title="Taldykorgan trials", timezone=ALMATY),)
    return Config(Path("."), settings, (), cases, (Channel(id="team-email", url=email),), routes)


def quiet_window(before: int, after: int) -> tuple[str, str]:
    """("HH:MM", "HH:MM") from ``before`` minutes ago to ``after`` minutes ahead, Almaty time
    (``after`` may be negative: a window that ended already)."""
    local = datetime.now(ZoneInfo(ALMATY))
    return (
        f"{local - timedelta(minutes=before):%H:%M}",
        f"{local + timedelta(minutes=after):%H:%M}",
    )


def alerts_yaml(smtp: LocalSMTPServer, quiet: tuple[str, str] | None) -> str:
    line = f'    quiet_hours: "{quiet[0]}-{quiet[1]}"\n' if quiet else ""
    return (
        "channels:\n"
        f"  - id: team-email\n    url: {smtp_url(smtp)}\n"
        f"routes:\n  - id: {ROUTE}\n    channels: [team-email]\n{line}"
    )


class Setup:
    """A config folder, its SQLite database with three pending article alerts, and the CLI."""

    def __init__(self, tmp_path: Path, smtp: LocalSMTPServer, quiet: tuple[str, str] | None):
        self.smtp, self.database = smtp, f"sqlite:///{tmp_path / 'casewatch.db'}"
        self.folder = write_config(
            tmp_path / "config",
            settings=f"timezone: {ALMATY}\nnews_search: {{enabled: false}}\n"
            "delivery: {min_interval: 0s}\n",
            cases=f"cases:\n  - slug: {CASE}\n    title: Taldykorgan trials\n",
            sources="sources: []\n",
        )
        self.set_quiet(quiet)
        self.cli = Cli(self.folder, self.database)
        self.sessions: sessionmaker[Session] = open_store(self.database)
        with self.sessions.begin() as session:
            events = [article(n) for n in (1, 2, 3)]
            add_events(session, events, lambda kind, case: ("team-email",), datetime.now(UTC))

    def set_quiet(self, quiet: tuple[str, str] | None) -> None:
        (self.folder / "alerts.yaml").write_text(alerts_yaml(self.smtp, quiet), encoding="utf-8")

    def deliver(self, *args: str) -> str:
        code, output = self.cli.run("deliver", *args)
        assert code == 0, output
        return output

    def notes(self) -> set[str | None]:
        rows = self.cli.json("deliveries", "--status", "pending")
        return {row["note"] for row in rows}

    def refs(self) -> Counter[str]:
        return Counter(str(m["X-Casewatch-Ref"]) for m in self.smtp.messages)

    def close(self) -> None:
        self.sessions.kw["bind"].dispose()


@pytest.fixture
def setup(tmp_path: Path, smtp_server: LocalSMTPServer, request: Any) -> Any:
    made: list[Setup] = []

    def make(quiet: tuple[str, str] | None) -> Setup:
        made.append(Setup(tmp_path, smtp_server, quiet))
        return made[-1]

    yield make
    for one in made:
        one.close()


def held_phrase(until: str) -> str:
    return f"held 3 (quiet hours on route '{ROUTE}' until {until} {ALMATY})"


def test_deliver_and_run_once_say_how_many_are_held_and_until_when(setup: Any) -> None:
    quiet = quiet_window(60, 120)
    s = setup(quiet)

    output = s.deliver()

    assert "sent 0 in 0 message(s)" in output and held_phrase(quiet[1]) in output, output
    assert "pending 3" in output and "casewatch deliver --now" in output
    assert s.smtp.messages == []
    [note] = s.notes()
    assert note is not None and note.startswith(f"quiet hours on route '{ROUTE}' until ")
    assert note.endswith(f"{quiet[1]} {ALMATY}")

    run = run_casewatch(s.folder, s.database, "run", "--once")  # the installed command

    assert run.returncode == 0, run.stdout + run.stderr
    [line] = [x for x in run.stdout.splitlines() if x.startswith("deliveries ")]
    assert line.startswith("deliveries   sent 0 in 0 message(s)") and held_phrase(quiet[1]) in line
    assert "casewatch deliver --now" in run.stdout
    assert s.smtp.messages == []


def test_deliver_now_sends_what_quiet_hours_hold_once_each(setup: Any) -> None:
    s = setup(quiet_window(60, 120))
    s.deliver()
    assert s.smtp.messages == []

    output = s.deliver("--now")

    assert "sent 3 in 3 message(s)" in output and "held 0," in output and "pending 0" in output
    assert "--now sends" not in output
    for again in (("--now",), ()):
        assert "sent 0 in 0 message(s)" in s.deliver(*again)
    assert len(s.smtp.messages) == 3 and set(s.refs().values()) == {1}
    assert {r["status"] for r in s.cli.json("deliveries")} == {"sent"}


def test_removing_quiet_hours_from_the_config_releases_what_they_held(setup: Any) -> None:
    s = setup(quiet_window(60, 120))
    assert held_phrase(quiet_window(60, 120)[1]) in s.deliver()

    s.set_quiet(None)
    output = s.deliver()

    assert "sent 3 in 3 message(s)" in output and "pending 0" in output, output
    assert len(s.smtp.messages) == 3 and set(s.refs().values()) == {1}
    assert "sent 0 in 0" in s.deliver()


def test_shortened_quiet_hours_move_the_hold_then_release_it(setup: Any) -> None:
    s = setup(quiet_window(60, 180))
    s.deliver()

    shorter = quiet_window(60, 60)
    s.set_quiet(shorter)
    output = s.deliver()

    assert held_phrase(shorter[1]) in output and s.smtp.messages == [], output
    [note] = s.notes()
    assert note is not None and note.endswith(f"{shorter[1]} {ALMATY}")

    s.set_quiet(quiet_window(60, -2))  # they ended two minutes ago
    output = s.deliver()

    assert "sent 3 in 3 message(s)" in output and "held 0," in output, output
    assert len(s.smtp.messages) == 3 and set(s.refs().values()) == {1}


def test_the_shipped_routes_have_quiet_hours_off_with_an_example() -> None:
    text = (REPO / "config" / "alerts.yaml").read_text(encoding="utf-8")
    assert "\n    quiet_hours:" not in text
    assert '# quiet_hours: "22:00-07:00"' in text and "deliver --now" in text


# ------------------------------------------------- the same rules, with an injected clock


def test_deliver_now_leaves_a_digest_to_its_time(
    sessions: sessionmaker[Session], smtp_server: Any
) -> None:
    """On SQLite and PostgreSQL: held rows planned again, lifted and re-held by each run."""
    config = make_config(
        smtp_url(smtp_server),
        Route(id="morning", events=("article.new",), channels=("team-email",), mode="digest"),
        Route(
            id="night", events=("hearing.*",), channels=("team-email",), quiet_hours="22:00-07:00"
        ),
    )
    clock = Clock(datetime(2026, 12, 1, 18, 30, tzinfo=UTC))  # 23:30 in Almaty
    with sessions.begin() as session:
        add_events(session, [article(1), far_off_move()], lambda k, c: ("team-email",), clock.now)

    first = deliver_pending(sessions, config, clock=clock)

    assert (first.sent, first.quiet) == (0, 1)
    assert first.waiting == (
        ("quiet hours on route 'night' until 07:00 Asia/Almaty", 1),
        ("digest of route 'morning' at 08:00 Asia/Almaty", 1),
    )
    now = deliver_pending(sessions, config, clock=clock, ignore_quiet=True)
    assert (now.sent, now.waiting_total, now.quiet) == (1, 1, 0)
    assert deliver_pending(sessions, config, clock=clock, ignore_quiet=True).sent == 0
    clock.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 08:00: the digest, nothing twice
    assert deliver_pending(sessions, config, clock=clock).sent == 1
    assert len(smtp_server.messages) == 2


def test_the_service_logs_a_readable_line(
    tmp_path: Path, smtp_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = open_store(f"sqlite:///{tmp_path / 'casewatch.db'}")
    config = make_config(smtp_url(smtp_server), Route(channels=("team-email",)))
    clock = Clock()
    with sessions.begin() as session:
        add_events(session, [article(1)], lambda k, c: ("team-email",), clock.now)

    with caplog.at_level(logging.INFO, logger="pipeline.notify.deliver"):
        report = deliver_pending(sessions, config, clock=clock)

    line = "deliveries: sent 1 in 1 message(s), retry later 0, gave up 0, held 0, pending 0"
    assert line in caplog.messages and str(report) == line.removeprefix("deliveries: ")
    assert not any("DeliveryReport(" in m for m in caplog.messages)
    sessions.kw["bind"].dispose()


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ((), "held 0, pending 0"),
        (
            (("digest of route 'd' at 08:00 UTC", 2),),
            "held 2 (digest of route 'd' at 08:00 UTC), pending 0",
        ),
        (
            (
                ("quiet hours on route #1 until 07:00 UTC", 1),
                ("digest of route 'd' at 08:00 UTC", 2),
            ),
            "held 3 (1: quiet hours on route #1 until 07:00 UTC; 2: digest of route 'd' at 08:00 UTC), pending 0",
        ),
    ],
)
def test_report_summary(waiting: tuple[tuple[str, int], ...], expected: str) -> None:
    report = DeliveryReport(0, 0, 0, 0, waiting=waiting)
    assert report.summary().endswith(expected)
