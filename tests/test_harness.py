"""The test helpers (tests/support: local servers, CLI runners, logging reset) behave as the
other tests rely on."""

from __future__ import annotations

import logging
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from pipeline.logs import configure_logging

from support.cli import Cli, write_config
from support.http_server import LocalHTTPServer
from support.logs import restored_logging
from support.smtp import LocalSMTPServer, bodies, mail_text, smtp_url
from support.webhook import WebhookSink


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_http_routes_and_request_log(http_server: LocalHTTPServer) -> None:
    url = http_server.route(
        "/feed.xml", body="<rss/>", headers={"Content-Type": "application/rss+xml"}
    )
    assert url.startswith("http://127.0.0.1:")
    assert fetch(url) == (200, b"<rss/>")
    assert fetch(http_server.url("/feed.xml?page=2")) == (200, b"<rss/>")
    assert fetch(http_server.url("/missing"))[0] == 404
    http_server.route("/gone", status=410, body=b"gone")
    assert fetch(http_server.url("/gone")) == (410, b"gone")
    assert [r.path for r in http_server.requests] == [
        "/feed.xml",
        "/feed.xml?page=2",
        "/missing",
        "/gone",
    ]


@pytest.mark.parametrize(
    ("route_headers", "request_headers", "status"),
    [
        ({"ETag": '"v1"'}, {"If-None-Match": '"v1"'}, 304),
        ({"ETag": '"v2"'}, {"If-None-Match": '"v1"'}, 200),
        (
            {"Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT"},
            {"If-Modified-Since": "Sun, 01 Mar 2026 10:00:00 GMT"},
            304,
        ),
        ({"Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT"}, {}, 200),
    ],
)
def test_http_conditional_get(
    http_server: LocalHTTPServer,
    route_headers: dict[str, str],
    request_headers: dict[str, str],
    status: int,
) -> None:
    url = http_server.route("/feed.xml", body=b"<rss/>", headers=route_headers)
    code, body = fetch(url, request_headers)
    assert code == status
    assert body == (b"" if status == 304 else b"<rss/>")
    assert http_server.requests[0].headers.keys() >= request_headers.keys()


def test_http_delay_triggers_client_timeout(http_server: LocalHTTPServer) -> None:
    url = http_server.route("/slow", body=b"late", delay=5)
    with pytest.raises(TimeoutError):
        fetch(url, timeout=0.3)
    assert http_server.wait_for_requests(1)[0].path == "/slow"


def test_http_post_body_is_recorded(http_server: LocalHTTPServer) -> None:
    url = http_server.route("/hook", body=b"{}")
    request = urllib.request.Request(url, data=b'{"title": "x"}', method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    (recorded,) = http_server.wait_for_requests(1)
    assert (recorded.method, recorded.body) == ("POST", b'{"title": "x"}')


def _send(server: LocalSMTPServer, subject: str, login: bool = False) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "cw@127.0.0.1", "team@127.0.0.1", subject
    message.set_content("Слушание назначено")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as client:
        if login:
            client.login("user", "secret")
        client.send_message(message)


def test_smtp_collects_messages(smtp_server: LocalSMTPServer) -> None:
    _send(smtp_server, "one")
    _send(smtp_server, "two", login=True)
    messages = smtp_server.wait_for(2, timeout=5)
    assert [m["Subject"] for m in messages] == ["one", "two"]
    assert messages[0].get_content().strip() == "Слушание назначено"


def test_smtp_outage_and_recovery_on_same_port(smtp_server: LocalSMTPServer) -> None:
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(OSError):
        _send(smtp_server, "lost")
    smtp_server.start()
    assert smtp_server.port == port
    _send(smtp_server, "after")
    assert [m["Subject"] for m in smtp_server.wait_for(1, timeout=5)] == ["after"]
    with pytest.raises(TimeoutError):
        smtp_server.wait_for(2, timeout=0.2)


def test_db_url_backends_are_isolated(db_url: str, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        backend = session.get_bind().dialect.name
        count = session.execute(text("SELECT count(*) FROM article")).scalar_one()
    assert backend == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert count == 0


def test_webhook_sink_keeps_each_posted_body() -> None:
    sink = WebhookSink()
    sink.start()
    try:
        assert sink.url() == f"json://127.0.0.1:{sink.port}/hook"
        for n in (1, 2):
            request = urllib.request.Request(
                f"http://127.0.0.1:{sink.port}/hook", data=b'{"n": %d}' % n, method="POST"
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
        assert sink.received == [{"n": 1}, {"n": 2}]
    finally:
        sink.stop()


def test_smtp_url_and_mail_readers(smtp_server: LocalSMTPServer) -> None:
    assert smtp_url(smtp_server) == (
        f"mailto://127.0.0.1:{smtp_server.port}?from=casewatch@example.org&to=monitor@example.org"
    )
    _send(smtp_server, "one")
    smtp_server.wait_for(1, timeout=5)
    assert mail_text(smtp_server, 0).startswith("one\nСлушание назначено")
    assert bodies(smtp_server.messages) == [mail_text(smtp_server, 0)]


def test_cli_runs_casewatch_in_process_on_a_written_config(tmp_path: Path) -> None:
    folder = write_config(
        tmp_path / "config",
        cases="""
            cases:
              - {slug: t, title: T}
        """,
        sources="sources: []\n",
    )
    assert (folder / "cases.yaml").read_text(encoding="utf-8").startswith("\ncases:\n  - ")
    cli = Cli(folder, f"sqlite:///{tmp_path / 'casewatch.db'}")
    assert cli.json("sources") == []
    code, output = cli.run("sources", "--limit", "0")
    assert code == 2 and "--limit" in output


def test_restored_logging_undoes_what_a_command_configures() -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    scrapy_level = logging.getLogger("scrapy").level
    with restored_logging():
        configure_logging(0, "text")
        assert root.level == logging.ERROR
        assert any(getattr(h, "casewatch", False) for h in root.handlers)
    assert (root.level, root.handlers) == (level, handlers)
    assert logging.getLogger("scrapy").level == scrapy_level
