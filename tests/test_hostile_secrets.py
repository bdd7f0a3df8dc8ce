"""A secret in a source URL (userinfo, an API key in the query) never appears anywhere:
the run's output and logs, `sources` and `status` (table and JSON), the web page, the API and
the database's error columns. check-config refuses user:password in a source URL outright
(the source does not run); a key in the query is hidden wherever the URL or an error shows."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.config.load import load_config
from pipeline.logs import redact, redact_source, url_secrets
from pipeline.store.engine import open_store
from pipeline.web import WebDeps, create_app

from support.cli import run_casewatch
from support.http_server import LocalHTTPServer

CASEWATCH = Path(sys.executable).with_name("casewatch")
PASSWORD, KEY, TOKEN = "hunter2pass", "SECRETKEY1", "tok-98765"
SECRETS = (PASSWORD, KEY, TOKEN)


def test_url_secrets_and_redaction() -> None:
    url = f"https://alice:{PASSWORD}@feeds.example.kz/rss?api_key={KEY}&page=2&token={TOKEN}"
    assert set(url_secrets(url)) == {f"alice:{PASSWORD}", PASSWORD, KEY, TOKEN}
    assert (
        redact(url)
        == "https://<hidden>@feeds.example.kz/rss?api_key=<hidden>&page=2&token=<hidden>"
    )
    error = f"ValueError: invalid hostname: alice:{PASSWORD}@feeds.example.kz"
    assert redact_source(error, url) == "ValueError: invalid hostname: <hidden>@feeds.example.kz"
    assert url_secrets("not a url") == ()


@pytest.fixture
def secret_sources(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    http_server.route("/feed.xml", status=500, body="no")
    config = tmp_path / "config"
    config.mkdir()
    base = http_server.url("/feed.xml")
    userinfo = base.replace("http://", f"http://alice:{PASSWORD}@")
    (config / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: with-password, kind: feed, url: '{userinfo}'}}\n"
        f"  - {{id: with-key, kind: feed, url: '{base}?api_key={KEY}&x=1'}}\n"
        f"  - {{id: with-token, kind: feed, url: 'http://127.0.0.1:9/f.xml?token={TOKEN}'}}\n",
        encoding="utf-8",
    )
    (config / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\nnews_search: {{enabled: false}}\ndownload_delay: 0s\n",
        encoding="utf-8",
    )
    (config / "cases.yaml").write_text(
        "cases:\n  - slug: t\n    title: T\n    keywords: {ru: [пытки]}\n", encoding="utf-8"
    )
    return config


def test_no_secret_from_a_source_url_appears_in_any_output(
    tmp_path: Path, secret_sources: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"
    outputs = []
    for args in (
        ("run", "--once", "--all", "-vv"),
        ("run", "--once", "--all", "-v", "--log-format", "json"),
        ("sources",),
        ("sources", "--format", "json"),
        ("status",),
        ("status", "--format", "json"),
        ("check-config",),
    ):
        done = run_casewatch(secret_sources, database, *args)
        outputs.append((args, done.stdout + done.stderr))
    refused = dict(outputs)[("check-config",)]
    assert "sources[0] (with-password).url: user:password in the URL is refused" in refused
    assert "?token=${FEED_TOKEN}" in refused
    assert any("with-key" in text and "api_key=<hidden>" in text for _, text in outputs)

    config = load_config(secret_sources)
    sessions = open_store(database)
    client = TestClient(create_app(WebDeps(sessions=sessions, sources=config.sources)))
    for path in ("/sources", "/api/sources", "/healthz"):
        response = client.get(path, headers={"accept": "text/html"})
        outputs.append(((path,), response.text))
    sessions.kw["bind"].dispose()

    with sqlite3.connect(tmp_path / "casewatch.db") as db:
        rows = db.execute(
            "SELECT url, last_error FROM source UNION ALL SELECT error, bozo FROM source_run"
        ).fetchall()
    outputs.append((("database",), repr(rows)))
    assert any("with-key" in text for _, text in outputs[-4:-1])

    leaks = [(where, s) for where, text in outputs for s in SECRETS if s in text]
    assert leaks == []


def test_a_stored_error_from_before_the_scrubbing_is_shown_without_the_secret(
    tmp_path: Path,
) -> None:
    """Rows written by an older casewatch may hold a secret: the read side hides it too."""
    from pipeline.config.sources import Source
    from pipeline.store.models import SourceRow
    from pipeline.store.read.sources import list_sources

    sessions = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    url = f"https://feeds.example.kz/rss?api_key={KEY}"
    with sessions.begin() as session:
        session.add(
            SourceRow(
                id="old-feed",
                kind="feed",
                url=url,
                consecutive_failures=1,
                last_error=f"old-feed: ValueError: invalid hostname: alice:{PASSWORD}@feeds",
            )
        )
    configured = [Source(id="old-feed", kind="feed", url=url)]
    with sessions() as session:
        [listing] = list_sources(session, configured)
        [orphan] = list_sources(session, [])
    for shown in (listing, orphan):
        assert KEY not in shown.url and KEY not in (shown.last_error or "")
    assert PASSWORD not in (orphan.last_error or "")
    sessions.kw["bind"].dispose()
