"""Alerts end to end with real channels on 127.0.0.1: an aiosmtpd server, a JSON webhook
(Apprise ``json://``) and a Slack-compatible Mattermost webhook (``mmost://``).

The clock is injected: digests and quiet hours are tested at chosen instants, never by waiting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from pipeline.cli.main import main
from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.notify import channels_for, deliver_pending
from pipeline.notify.channels import AppriseNotifier
from pipeline.records import Event
from pipeline.store import outbox
from pipeline.store.engine import open_store
from pipeline.store.events import add_events

from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, parts, smtp_url
from support.webhook import posted

ALMATY = "Asia/Almaty"
TALDY, KUDE = "taldykorgan-torture", "kudebayev"
TITLES = {TALDY: "Taldykorgan police torture trials", KUDE: "Kudebayev trial"}
T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 10:00 in Almaty (UTC+5)
COURT = "Талдыкорганский городской суд"
SCHEDULE = "https://office.sud.kz/new/scheduleOfCases/index.xhtml"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def make_config(channels: Sequence[Channel], routes: Sequence[Route], **delivery: Any) -> Config:
    settings = Settings(
        timezone=ALMATY, delivery=DeliverySettings(min_interval=timedelta(0), **delivery)
    )
    cases = tuple(Case(slug=s, title=t, timezone=ALMATY) for s, t in TITLES.items())
    return Config(Path("."), settings, (), cases, tuple(channels), tuple(routes))


def article(n: int, case: str = TALDY) -> Event:
    return Event(
        kind="article.new",
        case=case,
        dedupe_key=f"article:{case}:{n}",
        payload={
            "title": f"Суд над полицейскими, день {n}",
            "url": f"https://rus.azattyq.org/a/{case}-{n}.html",
            "publisher": "Азаттык",
            "published_at": "2026-12-01T04:30:00+00:00",
            "case_title": TITLES[case],
            "why": "keyword 'пытки' in title",
        },
    )


def moved(old: str, new: str, case: str = TALDY, n: int = 1) -> Event:
    """hearing.rescheduled from ``old`` to ``new`` (local Almaty times 'YYYY-MM-DD HH:MM')."""

    def side(local: str) -> dict[str, str]:
        at = datetime.fromisoformat(local + "+05:00")
        return {
            "scheduled_at": at.isoformat(),
            "local_time": f"{local} ({ALMATY}, UTC+05:00)",
            "courtroom": "зал 3",
        }

    return Event(
        kind="hearing.rescheduled",
        case=case,
        dedupe_key=f"moved:{case}:{n}:{new}",
        payload={
            **side(new),
            "court": COURT,
            "case_number": "1910-24-00-1/215",
            "timezone": ALMATY,
            "status": "scheduled",
            "url": SCHEDULE,
            "source_url": SCHEDULE,
            "case_title": TITLES[case],
            "why": "case number 1910-24-00-1/215",
            "old": side(old),
            "new": side(new),
        },
    )


def add(
    sessions: sessionmaker[Session], config: Config, events: Sequence[Event], now: datetime
) -> None:
    with sessions.begin() as session:
        add_events(session, events, lambda k, c: channels_for(k, c, config), now)


def deliver(sessions: sessionmaker[Session], config: Config, clock: Clock) -> Any:
    return deliver_pending(sessions, config, clock=clock)


@pytest.fixture
def store(tmp_path: Path) -> sessionmaker[Session]:
    return open_store(f"sqlite:///{tmp_path / 'casewatch.db'}")


# ---------------------------------------------------------------- routing


def test_routing_by_case_and_kind_to_email_json_and_mattermost(
    store: sessionmaker[Session], smtp_server: LocalSMTPServer, http_server: LocalHTTPServer
) -> None:
    http_server.route("/hook", body=b"ok")
    http_server.route("/hooks/mmtoken", body=b"ok")
    config = make_config(
        [
            Channel(id="team-email", url=smtp_url(smtp_server), tags=("team",)),
            Channel(id="chat", url=f"mmost://127.0.0.1:{http_server.port}/mmtoken"),
            Channel(
                id="ops-hook",
                url=http_server.url("/hook").replace("http://", "json://"),
                tags=("ops",),
            ),
        ],
        [
            Route(id="taldy-hearings", cases=(TALDY,), events=("hearing.*",), channels=("chat",)),
            Route(id="articles", events=("article.new",), tags=("team",)),
            Route(id="ops", events=("source.*",), tags=("ops",)),
        ],
    )
    events = [
        article(1, TALDY),
        article(2, KUDE),
        moved("2026-12-10 10:00", "2026-12-02 15:00", TALDY),
        moved("2026-12-10 10:00", "2026-12-03 15:00", KUDE),  # no route: console
        Event(
            "source.failing",
            None,
            "sf:1",
            {"source": "azattyq-ru", "failures": 3, "error": "HTTP 503"},
        ),
    ]
    add(store, config, events, T0)

    report = deliver(store, config, Clock())

    assert report.sent == 5 and report.pending == 0
    mails = smtp_server.messages
    assert sorted(str(m["subject"]).split("— ")[-1] for m in mails) == [
        "Суд над полицейскими, день 1",
        "Суд над полицейскими, день 2",
    ]
    [chat] = posted(http_server, "/hooks/mmtoken")
    text = chat["text"]
    assert "Hearing rescheduled" in text and TITLES[TALDY] in text
    assert "2026-12-10 10:00 (Asia/Almaty, UTC+05:00) → **2026-12-02 15:00" in text
    assert "taldy\\-hearings" in text or "taldy-hearings" in text
    [ops] = posted(http_server, "/hook")
    assert "source.failing" in ops["title"] and "azattyq-ru" in ops["message"]


# ---------------------------------------------------------------- digests


def test_a_digest_goes_out_once_at_its_local_time(
    store: sessionmaker[Session], smtp_server: LocalSMTPServer
) -> None:
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp_server))],
        [Route(id="morning", channels=("team-email",), mode="digest", at="08:00", language="ru")],
    )
    add(
        store,
        config,
        [article(1), article(2, KUDE), article(3), moved("2026-12-20 10:00", "2026-12-21 11:00")],
        T0,
    )
    clock = Clock()

    first = deliver(store, config, clock)
    assert (first.sent, first.held) == (0, 4) and smtp_server.messages == []
    with store() as session:
        notes = {e.note for e in outbox.delivery_log(session)}
    assert notes == {"digest of route 'morning' at 2026-12-02 08:00 Asia/Almaty"}
    assert first.waiting == (("digest of route 'morning' at 08:00 Asia/Almaty", 4),)

    clock.now = datetime(2026, 12, 2, 2, 59, tzinfo=UTC)  # 07:59 in Almaty
    assert deliver(store, config, clock).sent == 0 and smtp_server.messages == []

    clock.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 08:00 in Almaty
    report = deliver(store, config, clock)
    assert (report.sent, report.messages) == (4, 1)
    [mail] = smtp_server.messages
    assert "Сводка" in str(mail["subject"]) and "уведомлений: 4" in str(mail["subject"])
    text = parts(mail)["text/plain"]
    taldy, kude = text.index(TITLES[TALDY]), text.index(TITLES[KUDE])
    assert taldy < text.index("Заседания перенесены") < text.index("Новые публикации") < kude
    assert "2026-12-20 10:00 (Asia/Almaty, UTC+05:00) → 2026-12-21 11:00" in text
    for n in (1, 2, 3):
        assert f"Суд над полицейскими, день {n}" in text
    assert deliver(store, config, clock).sent == 0


# ---------------------------------------------------------------- quiet hours


def test_quiet_hours_hold_an_article_but_not_an_urgent_hearing_change(
    store: sessionmaker[Session], smtp_server: LocalSMTPServer
) -> None:
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp_server))],
        [Route(channels=("team-email",), quiet_hours="22:00-07:00", language="en")],
    )
    night = Clock(datetime(2026, 12, 1, 18, 30, tzinfo=UTC))  # 23:30 in Almaty
    tomorrow = moved("2026-12-20 10:00", "2026-12-02 10:00", n=1)  # moved to tomorrow: urgent
    later = moved("2026-12-20 10:00", "2026-12-28 10:00", n=2)  # far off both ways: not urgent
    add(store, config, [article(1), tomorrow, later], night.now)

    report = deliver(store, config, night)

    assert (report.sent, report.held) == (1, 2)
    [urgent] = smtp_server.messages
    assert "moved to 2026-12-02 10:00" in str(urgent["subject"])
    with store() as session:
        held = outbox.delivery_log(session, status="pending")
    assert {e.note for e in held} == {"quiet hours on route #1 until 2026-12-02 07:00 Asia/Almaty"}
    assert report.waiting == (("quiet hours on route #1 until 07:00 Asia/Almaty", 2),)

    night.now = datetime(2026, 12, 2, 1, 59, tzinfo=UTC)  # 06:59
    assert deliver(store, config, night).sent == 0
    night.now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 07:00: quiet hours are over
    assert deliver(store, config, night).sent == 2
    subjects = [str(m["subject"]) for m in smtp_server.messages[1:]]
    assert any("new article" in s for s in subjects) and any("2026-12-28" in s for s in subjects)


# ---------------------------------------------------------------- the email itself

EXPECTED = {
    "en": (
        "Hearing rescheduled",
        "When:",
        "Why it matched: case number 1910-24-00-1/215",
        "Sent by route",
    ),
    "ru": (
        "Заседание перенесено",
        "Когда:",
        "Почему найдено: case number 1910-24-00-1/215",
        "Отправлено по правилу",
    ),
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_received_email_says_what_when_where_old_new_source_and_why(
    store: sessionmaker[Session], smtp_server: LocalSMTPServer, language: str
) -> None:
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp_server))],
        [Route(id="hearings", channels=("team-email",), language=language)],
    )
    add(store, config, [moved("2026-12-10 10:00", "2026-12-14 15:30")], T0)

    assert deliver(store, config, Clock()).sent == 1

    [mail] = smtp_server.messages
    assert mail.get_content_type() == "multipart/alternative"
    body = parts(mail)
    text, html = body["text/plain"], body["text/html"]
    what, when, why, route = EXPECTED[language]
    assert what in text and TITLES[TALDY] in text and when in text
    assert (
        "2026-12-10 10:00 (Asia/Almaty, UTC+05:00) → 2026-12-14 15:30 (Asia/Almaty, UTC+05:00)"
        in text
    )
    assert COURT in text and "1910-24-00-1/215" in text and SCHEDULE in text
    assert why in text and f"{route} hearings" in text
    assert "<s>2026-12-10 10:00 (Asia/Almaty, UTC+05:00)</s>" in html
    assert f'<a href="{SCHEDULE}">' in html and COURT in html
    assert re.fullmatch(
        r"<casewatch\.\d+\.\d+\.[0-9a-f]{16}@example\.org>", str(mail["Message-ID"])
    )
    assert (
        what in str(mail["subject"])
        or "перенесено" in str(mail["subject"]).lower()
        or "moved" in str(mail["subject"])
    )


# ---------------------------------------------------------------- channel health


def test_a_failing_channel_alerts_ops_once_then_recovery(
    store: sessionmaker[Session], smtp_server: LocalSMTPServer, http_server: LocalHTTPServer
) -> None:
    http_server.route("/ops", body=b"ok")
    config = make_config(
        [
            Channel(id="team-email", url=smtp_url(smtp_server)),
            Channel(
                id="ops", url=http_server.url("/ops").replace("http://", "json://"), tags=("ops",)
            ),
        ],
        [
            Route(events=("article.new",), channels=("team-email",)),
            Route(events=("channel.*",), tags=("ops",)),
        ],
        breaker=2,
        channel_failing_after=3,
        backoff=timedelta(minutes=1),
    )
    add(store, config, [article(n) for n in range(1, 6)], T0)
    smtp_server.stop()
    clock = Clock()

    first = deliver(store, config, clock)  # 2 attempts, then the breaker stops the run
    assert (first.retried, first.sent) == (2, 0) and posted(http_server, "/ops") == []
    clock.now += timedelta(minutes=5)
    second = deliver(store, config, clock)  # 3rd failure in a row: channel.failing, once
    [failing] = posted(http_server, "/ops")
    assert "team-email is failing" in failing["title"] and second.sent == 1
    clock.now += timedelta(minutes=10)
    deliver(store, config, clock)
    assert len(posted(http_server, "/ops")) == 1
    with store() as session:
        [health] = [h for h in outbox.channel_health(session) if h.channel == "team-email"]
    assert (
        health.failing
        and health.consecutive_failures >= 4
        and "SMTP 127.0.0.1" in (health.last_error or "")
    )

    smtp_server.start()
    clock.now += timedelta(hours=1)
    report = deliver(store, config, clock)
    assert report.sent == 6  # five articles + channel.recovered
    assert len(smtp_server.messages) == 5
    assert [p["title"] for p in posted(http_server, "/ops")][1].endswith("team-email works again")
    with store() as session:
        counts = outbox.delivery_counts(session)
        [health] = [h for h in outbox.channel_health(session) if h.channel == "team-email"]
    assert counts["pending"] == 0 and counts["sent"] == 7 and not health.failing


# ---------------------------------------------------------------- CLI


def write_config(folder: Path, smtp: LocalSMTPServer, database: Path) -> None:
    folder.mkdir()
    (folder / "settings.yaml").write_text(
        f"timezone: {ALMATY}\ndatabase_url: sqlite:///{database}\n"
        "news_search: {enabled: false}\ndelivery: {min_interval: 0s}\n",
        encoding="utf-8",
    )
    (folder / "cases.yaml").write_text(
        f"cases:\n  - slug: {TALDY}\n    title: {TITLES[TALDY]}\n", encoding="utf-8"
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n"
        f"  - id: team-email\n    url: {smtp_url(smtp)}\n"
        "routes:\n  - channels: [team-email]\n    language: ru\n",
        encoding="utf-8",
    )


def test_cli_alerts_test_deliver_and_deliveries(
    tmp_path: Path, smtp_server: LocalSMTPServer
) -> None:
    folder, database = tmp_path / "config", tmp_path / "casewatch.db"
    write_config(folder, smtp_server, database)
    runner = CliRunner()

    tested = runner.invoke(main, ["--config", str(folder), "alerts", "test", "team-email"])
    assert tested.exit_code == 0, tested.output
    [mail] = smtp_server.messages
    assert "Проверка канала team-email" in str(mail["subject"])
    unknown = runner.invoke(main, ["--config", str(folder), "alerts", "test", "nowhere"])
    assert unknown.exit_code == 2 and "nowhere" in unknown.output

    sessions = open_store(f"sqlite:///{database}")
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp_server))], [Route(channels=("team-email",))]
    )
    add(sessions, config, [article(1), article(2)], datetime.now(UTC))
    smtp_server.stop()
    down = runner.invoke(main, ["--config", str(folder), "deliver"])
    assert down.exit_code == 0 and "retry later 2" in down.output
    listed = runner.invoke(
        main, ["--config", str(folder), "deliveries", "--status", "pending", "--format", "json"]
    )
    rows = json.loads(listed.output)
    assert [r["status"] for r in rows] == ["pending", "pending"]
    assert all(r["attempts"] == 1 and "SMTP 127.0.0.1" in r["last_error"] for r in rows)
    assert {r["kind"] for r in rows} == {"article.new"} and rows[0]["case"] == TALDY
    csv_out = runner.invoke(main, ["--config", str(folder), "deliveries", "--format", "csv"])
    assert csv_out.output.splitlines()[0].startswith("id,created_at,status,channel")


def test_apprise_notifier_test_message_over_mattermost(http_server: LocalHTTPServer) -> None:
    http_server.route("/hooks/abc", body=b"ok")
    from pipeline.cli.commands.alerts import test_message

    config = make_config([Channel(id="chat", url=f"mmost://127.0.0.1:{http_server.port}/abc")], [])
    notifier = AppriseNotifier(min_interval=timedelta(0))
    result = notifier.send(config.channels[0], test_message(config, "chat", "en", T0))
    assert result.ok
    [body] = posted(http_server, "/hooks/abc")
    assert "**Test alert**" in body["text"] and "2026-12-01 10:00" in body["text"]
