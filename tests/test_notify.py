"""Alert routing, rendering and outbox delivery, against real SMTP and webhook servers on 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.notify import (
    CONSOLE,
    DeliveryReport,
    EventView,
    channels_for,
    deliver_pending,
    language_for,
    render,
)
from pipeline.notify.deliver import AppriseNotifier, next_attempt_delay, scrub
from pipeline.notify.render import format_time, truncate
from pipeline.store import outbox
from pipeline.store.engine import open_store
from pipeline.store.models import DeliveryRow, EventRow

from support.ports import free_port
from support.smtp import LocalSMTPServer, parts, smtp_url
from support.webhook import WebhookSink

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
CASE = "taldykorgan-torture"
CASE_TITLE = "Taldykorgan police torture trials"
WHY = "keyword 'пытки' (as 'пытками') in title; context 'Талдыкорган' in summary"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def payload(n: int = 1, title: str | None = None) -> dict[str, Any]:
    return {
        "title": title or f"Суд над полицейскими в Талдыкоргане, день {n}",
        "url": f"https://rus.azattyq.org/a/taldykorgan-{n}.html",
        "source": "azattyq-ru",
        "publisher": "Азаттык",
        "published_at": "2024-05-01T04:30:00+00:00",
        "language": "ru",
        "case_title": CASE_TITLE,
        "why": WHY,
        "summary": "Подсудимые обвиняются в применении пыток к задержанным. " * 40,
    }


def make_config(
    channels: Sequence[Channel] = (),
    routes: Sequence[Route] = (),
    **delivery: Any,
) -> Config:
    settings = Settings(delivery=DeliverySettings(**delivery))
    case = Case(slug=CASE, title=CASE_TITLE, timezone="Asia/Almaty")
    return Config(Path("."), settings, (), (case,), tuple(channels), tuple(routes))


def add_events(
    sessions: sessionmaker[Session], count: int, channels: Sequence[str], first: int = 1
) -> list[int]:
    ids = []
    with sessions.begin() as session:
        for n in range(first, first + count):
            event = EventRow(
                kind="article.new",
                case_slug=CASE,
                payload=payload(n),
                dedupe_key=f"article.new:{CASE}:{n}",
                created_at=T0,
            )
            session.add(event)
            session.flush()
            outbox.enqueue(session, event.id, channels, T0)
            ids.append(event.id)
    return ids


def deliveries(sessions: sessionmaker[Session]) -> list[DeliveryRow]:
    with sessions() as session:
        return list(session.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))


def run(
    sessions: sessionmaker[Session], config: Config, clock: Clock, limit: int | None = None
) -> DeliveryReport:
    """One delivery run without Apprise's pause between two sends to the same channel."""
    notifier = AppriseNotifier(min_interval=timedelta(0))
    return deliver_pending(sessions, config, clock=clock, notifier=notifier, limit=limit)


@pytest.fixture
def store(tmp_path: Path) -> sessionmaker[Session]:
    return open_store(f"sqlite:///{tmp_path / 'casewatch.db'}")


@pytest.fixture
def smtp(smtp_server: LocalSMTPServer) -> LocalSMTPServer:
    return smtp_server


@pytest.fixture
def webhook() -> Iterator[WebhookSink]:
    sink = WebhookSink()
    sink.start()
    yield sink
    sink.stop()


# ---------------------------------------------------------------- routing

ROUTED = make_config(
    channels=(
        Channel(id="email", url="mailto://smtp.example.org"),
        Channel(id="slack", url="slack://a/b/c"),
        Channel(id="ops", url="json://ops.example.org"),
        Channel(id="off", url="json://off.example.org", enabled=False),
        Channel(id="blank", url=""),
    ),
    routes=[
        Route(cases=("*",), events=("article.new", "hearing.*"), channels=("email", "off")),
        Route(cases=(CASE,), events=("hearing.*",), channels=("slack", "email"), language="ru"),
        Route(cases=("*",), events=("source.*",), channels=("ops",)),
        Route(cases=("other-case",), events=("*",), channels=("blank",)),
    ],
)


@pytest.mark.parametrize(
    ("kind", "case", "expected"),
    [
        ("article.new", CASE, ("email",)),
        ("article.new", "another", ("email",)),
        ("hearing.rescheduled", CASE, ("email", "slack")),
        ("hearing.scheduled", "another", ("email",)),
        ("source.failing", None, ("ops",)),
        ("article.updated", CASE, (CONSOLE,)),
        ("anything", "other-case", (CONSOLE,)),
    ],
)
def test_channels_for_matches_case_and_kind_globs(
    kind: str, case: str | None, expected: tuple[str, ...]
) -> None:
    assert channels_for(kind, case, ROUTED) == expected


@pytest.mark.parametrize(
    "config",
    [
        make_config(),
        make_config(
            channels=[Channel(id="email", url="mailto://x", enabled=False)],
            routes=[Route(channels=("email",))],
        ),
    ],
    ids=["no-channels", "all-disabled"],
)
def test_channels_for_falls_back_to_console(config: Config) -> None:
    assert channels_for("article.new", CASE, config) == (CONSOLE,)


@pytest.mark.parametrize(
    ("kind", "channel", "expected"),
    [("hearing.scheduled", "slack", "ru"), ("article.new", "email", "en"), ("x", CONSOLE, "en")],
)
def test_language_for_takes_the_route_language(kind: str, channel: str, expected: str) -> None:
    assert language_for(kind, CASE, channel, ROUTED) == expected


# ---------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    ("language", "what"),
    [("en", "new article"), ("ru", "новая публикация")],
)
def test_render_article_says_what_which_case_where_and_why(language: str, what: str) -> None:
    message = render(
        EventView("article.new", CASE, payload()), language=language, timezone="Asia/Almaty"
    )
    assert what in message.title.lower()
    assert CASE_TITLE in message.title and "день 1" in message.title
    for body in (message.body_text, message.body_markdown):
        assert CASE_TITLE in body and CASE in body
        assert "Азаттык" in body and "azattyq-ru" in body
        assert "2024-05-01 09:30 (UTC+05:00, Asia/Almaty)" in body
        assert "rus.azattyq.org/a/taldykorgan-1.html" in body
    assert WHY in message.body_text
    assert "&#39;пытки&#39;" in message.body_html
    assert len(message.body_text) < 1500, "the long summary is truncated"


def test_render_escapes_untrusted_text() -> None:
    evil = payload(title="<script>alert(1)</script> [click](https://evil.example) *bold*")
    evil["url"] = "javascript:alert(2)"
    message = render(EventView("article.new", CASE, evil))
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.body_html
    assert 'href="javascript' not in message.body_html
    assert r"\[click\](https://evil.example) \*bold\*" in message.body_markdown
    assert "](javascript" not in message.body_markdown
    assert "<script>alert(1)</script>" in message.body_text


@pytest.mark.parametrize(("language", "label"), [("en", "Event"), ("ru", "Событие")])
def test_render_unknown_kind_uses_generic_template(language: str, label: str) -> None:
    event = EventView(
        "hearing.note",
        CASE,
        {
            "case_title": CASE_TITLE,
            "court": "Талдыкорганский городской суд",
            "old": "3 May",
            "new": "7 May",
        },
    )
    message = render(event, language=language)
    assert "hearing.note" in message.title and CASE_TITLE in message.title
    assert message.body_text.startswith(f"{label} hearing.note")
    for body in (message.body_text, message.body_markdown, message.body_html):
        assert "Талдыкорганский городской суд" in body and "7 May" in body


def test_render_event_without_case() -> None:
    message = render(
        EventView("source.failing", None, {"source": "azattyq-ru", "error": "HTTP 503"})
    )
    assert message.title == "[casewatch] source.failing"
    assert "azattyq-ru" in message.body_text and "error: HTTP 503" in message.body_text


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2024-05-01T04:30:00+00:00", "Asia/Almaty", "2024-05-01 09:30 (UTC+05:00, Asia/Almaty)"),
        ("2024-02-29T17:30:00Z", "Asia/Almaty", "2024-02-29 23:30 (UTC+06:00, Asia/Almaty)"),
        ("2024-02-29T18:30:00Z", "Asia/Almaty", "2024-02-29 23:30 (UTC+05:00, Asia/Almaty)"),
        ("2024-05-01T04:30:00", None, "2024-05-01 04:30 UTC"),
        ("вчера", "Asia/Almaty", "вчера"),
        (None, "Asia/Almaty", ""),
    ],
)
def test_format_time(value: str | None, zone: str | None, expected: str) -> None:
    assert format_time(value, zone) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("short", 10, "short"), ("one two three four", 12, "one two…"), ("abcdefghij", 5, "abcd…")],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


# ---------------------------------------------------------------- error text and backoff


@pytest.mark.parametrize(
    ("error", "url", "expected"),
    [
        (
            "Connection error while submitting email to smtp.example.org",
            "mailtos://bob:hunter2@smtp.example.org?to=team@example.org",
            "Connection error while submitting email to smtp.example.org",
        ),
        (
            "login failed for bob:hunter2",
            "mailtos://bob:hunter2@smtp.example.org",
            "login failed for ***:***",
        ),
        (
            "bad token 123456789:AAHsecret",
            "tgram://123456789:AAHsecret/4242424242",
            "bad token ***",
        ),
        (
            "posting to https://hooks.slack.com/services/T0/B0/XYZ failed",
            "slack://T0/B0/XYZ",
            "posting to <url> failed",
        ),
    ],
)
def test_scrub_removes_urls_and_secrets(error: str, url: str, expected: str) -> None:
    assert scrub(error, url) == expected


@pytest.mark.parametrize(("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (7, 30), (40, 30)])
def test_backoff_doubles_up_to_the_cap(attempts: int, minutes: int) -> None:
    settings = DeliverySettings(backoff=timedelta(minutes=1), max_backoff=timedelta(minutes=30))
    assert next_attempt_delay(attempts, settings) == timedelta(minutes=minutes)


# ---------------------------------------------------------------- outbox repository


def test_outbox_enqueue_due_and_conditional_updates(sessions: sessionmaker[Session]) -> None:
    first, second = add_events(sessions, 2, ["email", "slack", "email"])
    with sessions() as session:
        due = outbox.due(session, T0)
        assert [(d.event_id, d.channel) for d in due] == [
            (first, "email"), (first, "slack"), (second, "email"), (second, "slack")
        ]  # fmt: skip
        assert len(outbox.due(session, T0, limit=3)) == 3
        assert outbox.due(session, T0 - timedelta(seconds=1)) == []
    with sessions.begin() as session:
        assert outbox.claim(session, due[0].id, T0, T0 + timedelta(minutes=1))
        assert not outbox.claim(session, due[0].id, T0, T0 + timedelta(minutes=1)), "claimed once"
        assert outbox.mark_sent(session, due[0].id, T0)
        assert not outbox.mark_sent(session, due[0].id, T0), "a sent delivery stays sent"
        assert not outbox.mark_failed(session, due[0].id, "x", T0), "and is never failed"
        assert outbox.mark_failed(session, due[1].id, "boom", T0 + timedelta(minutes=1))
        assert outbox.mark_failed(session, due[2].id, "boom", T0, give_up=True)
    with sessions() as session:
        assert outbox.counts(session) == {"pending": 2, "sent": 1, "failed": 1, "suppressed": 0}
        assert [d.id for d in outbox.due(session, T0)] == [due[3].id]


# ---------------------------------------------------------------- delivery with real servers


def test_email_alert_over_real_smtp(store: sessionmaker[Session], smtp: LocalSMTPServer) -> None:
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp))], [Route(channels=("team-email",))]
    )
    with store.begin() as session:
        event = EventRow(
            kind="article.new", case_slug=CASE, dedupe_key="k1", created_at=T0,
            payload=payload(title="Пытки в Талдыкоргане <script>alert(1)</script>"),
        )  # fmt: skip
        session.add(event)
        session.flush()
        outbox.enqueue(session, event.id, channels_for("article.new", CASE, config), T0)

    report = deliver_pending(store, config, clock=Clock())

    assert (report.sent, report.failed, report.retried, report.pending) == (1, 0, 0, 0)
    [mail] = smtp.messages
    assert CASE_TITLE in mail["subject"] and "Пытки в Талдыкоргане" in mail["subject"]
    bodies = parts(mail)
    assert set(bodies) == {"text/plain", "text/html"}
    for body in bodies.values():
        assert CASE in body and "https://rus.azattyq.org/a/taldykorgan-1.html" in body
    assert "пытками" in bodies["text/plain"] and "Талдыкорган" in bodies["text/plain"]
    assert "&lt;script&gt;" in bodies["text/html"] and "<script>" not in bodies["text/html"]


def test_json_webhook_alert(store: sessionmaker[Session], webhook: WebhookSink) -> None:
    config = make_config(
        [Channel(id="hook", url=webhook.url())], [Route(channels=("hook",), language="ru")]
    )
    add_events(store, 3, channels_for("article.new", CASE, config))

    first = run(store, config, Clock(), limit=2)
    second = run(store, config, Clock())

    assert (first.sent, first.pending, second.sent, second.pending) == (2, 1, 1, 0)
    assert [p["title"].rsplit(" ", 1)[-1] for p in webhook.received] == ["1", "2", "3"]
    posted = webhook.received[0]
    assert "новая публикация" in posted["title"] and CASE_TITLE in posted["title"]
    link = "[Суд над полицейскими в Талдыкоргане, день 1](https://rus.azattyq.org/a/taldykorgan-1.html)"
    assert link in posted["message"]
    assert "Почему найдено" in posted["message"] and "пытками" in posted["message"]


def test_channel_from_apprise_config_file_with_tags(
    store: sessionmaker[Session], webhook: WebhookSink, tmp_path: Path
) -> None:
    apprise_yaml = tmp_path / "apprise.yml"
    apprise_yaml.write_text(
        f"urls:\n  - {webhook.url()}:\n      tag: monitors\n"
        f"  - json://127.0.0.1:{free_port()}/ops:\n      tag: ops\n"
    )
    channel = Channel(id="monitors", url=str(apprise_yaml), tags=("monitors",))
    config = make_config([channel], [Route(channels=("monitors",))])
    add_events(store, 1, ["monitors"])

    assert run(store, config, Clock()).sent == 1
    assert len(webhook.received) == 1 and CASE_TITLE in webhook.received[0]["title"]


def test_console_fallback_prints_and_counts_as_sent(
    store: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config()
    add_events(store, 1, channels_for("article.new", CASE, config))

    report = deliver_pending(store, config, clock=Clock())

    assert report.sent == 1
    out = capsys.readouterr().out
    assert CASE_TITLE in out and "taldykorgan-1.html" in out and "пытками" in out
    assert [d.status for d in deliveries(store)] == ["sent"]


def test_outbox_sends_once_retries_after_backoff(
    sessions: sessionmaker[Session], smtp: LocalSMTPServer
) -> None:
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp))], [Route(channels=("team-email",))],
        backoff="5m", max_backoff="1h", max_attempts=5,
    )  # fmt: skip
    clock = Clock()
    add_events(sessions, 3, ["team-email"])

    assert run(sessions, config, clock).sent == 3
    assert run(sessions, config, clock).sent == 0, "a re-run sends nothing"
    assert len(smtp.messages) == 3

    smtp.stop()
    add_events(sessions, 2, ["team-email"], first=4)
    down = run(sessions, config, clock)
    assert (down.sent, down.retried, down.failed, down.pending) == (0, 2, 0, 2)
    waiting = [d for d in deliveries(sessions) if d.status == "pending"]
    assert [d.attempts for d in waiting] == [1, 1]
    for row in waiting:
        assert row.next_attempt_at == T0 + timedelta(minutes=5)
        assert row.last_error and row.last_error.startswith("team-email: ")
        assert "mailto" not in row.last_error and str(smtp.port) not in row.last_error
        assert "monitor@example.org" not in row.last_error

    smtp.start()
    assert run(sessions, config, clock).sent == 0, "not due before the backoff"
    clock.advance(timedelta(minutes=5, seconds=1))
    assert run(sessions, config, clock).sent == 2
    assert run(sessions, config, clock).sent == 0
    subjects = sorted(m["subject"] for m in smtp.messages)
    assert len(subjects) == 5 and len(set(subjects)) == 5, "each alert exactly once"
    assert {(d.status, d.attempts) for d in deliveries(sessions)} == {("sent", 1), ("sent", 2)}


def test_failed_after_max_attempts(store: sessionmaker[Session]) -> None:
    closed = f"mailto://127.0.0.1:{free_port()}?from=casewatch@example.org&to=m@example.org"
    config = make_config(
        [Channel(id="team-email", url=closed)], [Route(channels=("team-email",))],
        backoff="1m", max_backoff="10m", max_attempts=3,
    )  # fmt: skip
    clock = Clock()
    add_events(store, 1, ["team-email"])

    reports = []
    for _ in range(3):
        reports.append(deliver_pending(store, config, clock=clock))
        clock.advance(timedelta(minutes=10))

    assert [(r.retried, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    [row] = deliveries(store)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert deliver_pending(store, config, clock=clock) == DeliveryReport(0, 0, 0, 0)


def test_failure_text_is_readable_and_keeps_secrets_out(store: sessionmaker[Session]) -> None:
    secret_url = f"json://bot:s3cretpass@127.0.0.1:{free_port()}/hook/T0K3Nabcdef?key=K3Yvalue99"
    config = make_config(
        [
            Channel(id="team-email", url="", enabled=False),
            Channel(id="hook", url=secret_url),
            Channel(id="broken", url="nosuchscheme://whatever"),
        ]
    )
    add_events(store, 1, ["team-email", "gone", "hook", "broken"])

    report = deliver_pending(store, config, clock=Clock())

    assert (report.sent, report.retried) == (0, 4)
    errors = [d.last_error or "" for d in deliveries(store)]
    assert errors[:2] == [
        "team-email: channel is not in alerts.yaml or is disabled",
        "gone: channel is not in alerts.yaml or is disabled",
    ]
    assert errors[2].startswith("hook: ") and "connection error" in errors[2].lower()
    assert errors[3] == "broken: Apprise cannot use this channel's URL (check its scheme)"
    for secret in ("s3cretpass", "T0K3Nabcdef", "K3Yvalue99", "json://"):
        assert all(secret not in error for error in errors)


def test_batch_to_local_smtp_sends_each_once(
    store: sessionmaker[Session], smtp: LocalSMTPServer
) -> None:
    """Not a timed test: every alert of a batch arrives exactly once; prints the rate.

    ``CASEWATCH_NOTIFY_BATCH=200`` measures a bigger batch.
    """
    count = int(os.environ.get("CASEWATCH_NOTIFY_BATCH", "20"))
    config = make_config(
        [Channel(id="team-email", url=smtp_url(smtp))], [Route(channels=("team-email",))]
    )
    add_events(store, count, ["team-email"])

    started = time.perf_counter()
    report = run(store, config, Clock())
    elapsed = time.perf_counter() - started

    assert report.sent == count and len(smtp.messages) == count
    assert len({m["subject"] for m in smtp.messages}) == count
    print(
        f"\ndeliver_pending → aiosmtpd: {count / elapsed:.0f} messages/s ({count} in {elapsed:.2f}s)"
    )


class _ExplodingNotifier:
    """A notifier with a bug: the run must record it and go on."""

    def send(self, channel: Channel, message: Any) -> Any:
        raise RuntimeError(f"boom while posting to {channel.url}")


def test_a_crashing_notifier_is_recorded_not_raised(store: sessionmaker[Session]) -> None:
    config = make_config([Channel(id="hook", url="json://user:pw123@hooks.example.org/x")])
    add_events(store, 2, ["hook"])

    report = deliver_pending(store, config, clock=Clock(), notifier=_ExplodingNotifier())

    assert (report.sent, report.retried, report.pending) == (0, 2, 2)
    assert {d.last_error for d in deliveries(store)} == {
        "hook: RuntimeError: boom while posting to <url>"
    }
