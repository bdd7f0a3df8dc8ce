"""A config that breaks a channel must not be silent: the run exits non-zero, status and
/healthz say which channel, and its alerts wait for it — never printed to the console and
marked sent. Once the config is fixed, they go out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.config.load import load_config
from pipeline.store.engine import open_store
from pipeline.store.models import DeliveryRow
from pipeline.web import WebDeps, create_app

from support.cli import run_casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer

CASEWATCH = Path(sys.executable).with_name("casewatch")
TITLE = "В Талдыкоргане продолжился суд над полицейскими, обвиняемыми в пытках, день {n}"


def feed(count: int) -> str:
    items = "".join(
        f"<item><title>{TITLE.format(n=n)}</title><link>https://vlast.kz/n/{n}.html</link>"
        f"<guid>https://vlast.kz/n/{n}.html</guid>"
        "<pubDate>Mon, 07 Dec 2026 09:00:00 +0500</pubDate></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    )


def write_config(folder: Path, http: LocalHTTPServer, channel_entry: str) -> None:
    folder.mkdir()
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent / 'data'}\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\nevidence: {max_per_source: 0, recheck_per_run: 0}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        f"sources:\n  - {{id: news, kind: feed, url: '{http.url('/feed.xml')}'}}\n",
        encoding="utf-8",
    )
    (folder / "cases.yaml").write_text(
        "cases:\n  - slug: taldykorgan-torture\n    title: T\n    keywords: {ru: [пытки]}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        f"channels:\n{channel_entry}routes:\n  - cases: ['*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )


def casewatch(
    folder: Path, database: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, with ``E2E_MAIL`` unset unless ``env`` sets it."""
    os.environ.pop("E2E_MAIL", None)
    return run_casewatch(folder, database, *args, env=env)


ENTRIES = {
    "unset variable": (
        "  - id: team-email\n    url: ${E2E_MAIL}\n",
        "environment variable E2E_MAIL is not set",
    ),
    "unknown key": (
        "  - id: team-email\n    url: ${E2E_MAIL:-}\n    colour: red\n",
        "its entry in alerts.yaml is invalid",
    ),
}


@pytest.mark.parametrize("broken", sorted(ENTRIES))
def test_a_broken_channel_fails_the_run_and_health_and_its_alerts_wait(
    tmp_path: Path, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer, broken: str
) -> None:
    entry, why = ENTRIES[broken]
    http_server.route("/feed.xml", body=feed(3))
    folder, database = tmp_path / "config", f"sqlite:///{tmp_path / 'casewatch.db'}"
    write_config(folder, http_server, entry)

    run = casewatch(folder, database, "run", "--once", "--all")

    assert run.returncode == 1, run.stdout + run.stderr
    assert f"channel team-email unusable: {why}" in run.stderr
    assert "Талдыкорган" not in run.stdout, "an alert went to the console"
    assert "deliveries   sent 0" in run.stdout
    assert f"held 3 (channel team-email unusable: {why}" in run.stdout
    sessions = open_store(database)
    with sessions() as session:
        rows = session.execute(select(DeliveryRow.channel, DeliveryRow.status, DeliveryRow.note))
        waiting = rows.all()
    assert {(c, s) for c, s, _ in waiting} == {("team-email", "pending")}
    assert len(waiting) == 3
    assert all(why in (note or "") for _, _, note in waiting)

    status = casewatch(folder, database, "status", "--format", "json")
    assert status.returncode == 1
    health = json.loads(status.stdout)["health"]
    assert health["status"] == "down"
    assert any("team-email" in p and why in p for p in health["problems"])
    app = create_app(WebDeps(sessions=sessions, config=load_config(folder, environ={})))
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert "team-email" in json.dumps(response.json())

    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=cw@example.org&to=m@example.org"
    fixed = entry.replace("    colour: red\n", "")
    (folder / "alerts.yaml").write_text(
        f"channels:\n{fixed}routes:\n  - cases: ['*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )
    delivered = casewatch(folder, database, "deliver", env={"E2E_MAIL": mail})
    assert delivered.returncode == 0, delivered.stdout + delivered.stderr
    assert len(smtp_server.wait_for(3)) == 3
    sessions.kw["bind"].dispose()


def test_twenty_thousand_alerts_send_the_hourly_cap_plus_one_digest(
    tmp_path: Path, smtp_server: LocalSMTPServer
) -> None:
    """A feed with 20,000 matching items once sent 20,000 emails in one run."""
    from datetime import UTC, datetime

    from pipeline.records import Event
    from pipeline.store.events import add_events

    folder, database = tmp_path / "config", f"sqlite:///{tmp_path / 'casewatch.db'}"
    folder.mkdir()
    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=cw@example.org&to=m@example.org"
    (folder / "settings.yaml").write_text(
        "news_search: {enabled: false}\ndelivery: {max_per_hour: 25, digest_entries: 50}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        f"channels:\n  - id: team-email\n    url: '{mail}'\n"
        "routes:\n  - cases: ['*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )
    sessions = open_store(database)

    def flood(start: int, count: int) -> None:
        events = [
            Event(
                kind="article.new",
                case="taldykorgan-torture",
                dedupe_key=f"flood:{n}",
                payload={"title": TITLE.format(n=n), "url": f"https://vlast.kz/n/{n}.html"},
            )
            for n in range(start, start + count)
        ]
        with sessions.begin() as session:
            add_events(session, events, lambda kind, case: ("team-email",), datetime.now(UTC))

    flood(0, 20_000)
    first = casewatch(folder, database, "deliver")
    assert first.returncode == 0, first.stderr
    assert "sent 20000 in 26 message(s)" in first.stdout, first.stdout
    messages = smtp_server.wait_for(26)
    assert len(messages) == 26
    digest = messages[-1]
    assert "over the limit of 25 an hour: 19975" in str(digest["Subject"])
    body = digest.get_body(("plain",)).get_content()
    assert "the first 50 listed" in body and body.count("https://vlast.kz/n/") == 50

    flood(20_000, 5)  # the hour's budget is spent: the next five are one digest
    second = casewatch(folder, database, "deliver")
    assert second.returncode == 0, second.stderr
    assert len(smtp_server.wait_for(27)) == 27
    assert "over the limit of 25 an hour: 5)" in str(smtp_server.messages[-1]["Subject"])
    with sessions() as session:
        statuses = session.scalars(select(DeliveryRow.status)).all()
    assert set(statuses) == {"sent"} and len(statuses) == 20_005
    sessions.kw["bind"].dispose()


def test_a_flooding_feed_sends_the_per_run_cap_and_one_folded_alert(
    tmp_path: Path, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    """300 matching items in one fetch: 40 alerts one by one, then one that folds 260."""
    http_server.route("/feed.xml", body=feed(300))
    folder, database = tmp_path / "config", f"sqlite:///{tmp_path / 'casewatch.db'}"
    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=cw@example.org&to=m@example.org"
    write_config(folder, http_server, f"  - id: team-email\n    url: '{mail}'\n")
    settings = folder / "settings.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "max_alerts_per_source_run: 40\ndelivery: {max_per_hour: 0}\n",
        encoding="utf-8",
    )

    run = casewatch(folder, database, "run", "--once", "--all")

    assert run.returncode == 0, run.stdout + run.stderr
    messages = smtp_server.wait_for(41)
    assert len(messages) == 41
    [folded] = [m for m in messages if "more articles from news" in str(m["Subject"])]
    assert "260 more articles from news" in str(folded["Subject"])
    text = folded.get_body(("plain",)).get_content()
    assert "more than 40 new articles" in text
    assert text.count("https://vlast.kz/n/") == 20 and "and 240 more" in text
    events = json.loads(casewatch(folder, database, "events", "--format", "json").stdout)
    assert sum(e["kind"] == "article.new" for e in events) == 300  # every one recorded
    again = casewatch(folder, database, "run", "--once", "--all")
    assert again.returncode == 0 and len(smtp_server.messages) == 41  # nothing twice


def test_folding_keeps_hearings_and_everything_under_the_cap() -> None:
    from pipeline.events.volume import fold_flood
    from pipeline.records import Event

    articles = [
        Event("article.new", "a" if n % 2 else "b", f"k{n}", {"title": f"T{n}", "url": f"u{n}"})
        for n in range(7)
    ]
    hearings = [Event("hearing.scheduled", "a", f"h{n}") for n in range(5)]

    assert fold_flood(articles + hearings, "news", 7) == articles + hearings
    assert fold_flood(articles + hearings, "news", 0) == articles + hearings
    folded = fold_flood(hearings + articles, "news", 3)
    kept = [e for e in folded if not e.payload.get("folded")]
    assert [e.kind for e in kept].count("hearing.scheduled") == 5
    assert [e.dedupe_key for e in kept if e.kind == "article.new"] == ["k0", "k1", "k2"]
    summaries = {e.case: e.payload for e in folded if e.kind == "articles.folded"}
    assert summaries["a"]["count"] == 2 and summaries["b"]["count"] == 2
    assert [i["title"] for i in summaries["b"]["items"]] == ["T4", "T6"]
    assert sum(1 for e in folded if e.payload.get("folded")) == 4
