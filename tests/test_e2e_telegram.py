"""``kind: telegram`` end to end: the real ``casewatch run --once`` against a channel's
reconstructed public preview on 127.0.0.1, alerting a local SMTP server.

The first read pages back with ``?before=`` to ``depth``; an edited post is one
``article.changed`` with the diff; a deleted post is one ``article.removed`` (and not again);
the gaps Telegram's ids always have are no deletion; a malformed page fails the source with a
named error and removes nothing.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.e2e import REPO, casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies
from support.telegram_pages import FakePost, serve_channel

pytestmark = pytest.mark.e2e

CHANNEL = "demo_kz_news"
SOURCE = "tg-demo"
NOW = datetime.now(UTC).replace(microsecond=0)
TRIAL = (
    "В Талдыкоргане начался суд над полицейскими, обвиняемыми в пытках задержанных<br>"
    "Подсудимые, бывшие сотрудники департамента полиции, обвиняются по статье 146 УК."
)
HEARING = (
    "Суд допросил потерпевшего Азамата Батырбаева<br>В Талдыкорганском городском суде "
    "продолжился процесс над бывшими полицейскими, обвиняемыми в пытках задержанных."
)
HEARING_EDITED = HEARING.replace("потерпевшего Азамата Батырбаева", "двух потерпевших")
MATCHED = {180: HEARING, 190: TRIAL}


def channel_posts(
    edited: bool = False, deleted: tuple[int, ...] = (), newest: int = 200
) -> list[FakePost]:
    """Posts #100…#newest; the ids divisible by 7 never existed (Telegram's ids have gaps)."""
    posts = []
    for number in range(100, newest + 1):
        if number % 7 == 0 or number in deleted:
            continue
        text = MATCHED.get(
            number, f"Погода в Алматы, выпуск {number}: до +{number % 15}, без осадков."
        )
        if number == 180 and edited:
            text = HEARING_EDITED
        at = NOW - timedelta(days=1) + timedelta(minutes=number)
        posts.append(FakePost(number, text, at, edited=edited and number == 180))
    return posts


def write_config(folder: Path, http: LocalHTTPServer, data: Path) -> None:
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {data}\ndownload_timeout: 5s\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\ndelivery: {backoff: 0s}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: {SOURCE}, kind: telegram, url: '{http.url('/s/' + CHANNEL)}', "
        "language: ru, timezone: Asia/Almaty, every: 1h, depth: 45, recheck: 30}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: ['article.*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )


def as_json(config: Path, db_url: str, smtp: LocalSMTPServer, *args: str) -> Any:
    result = casewatch(config, db_url, smtp, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def kinds(config: Path, db_url: str, smtp: LocalSMTPServer) -> list[str]:
    return sorted(e["kind"] for e in as_json(config, db_url, smtp, "events"))


def test_channel_paging_edits_removals_and_a_malformed_page(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    config = tmp_path / "config"
    write_config(config, http_server, tmp_path / "data")
    pages = serve_channel(http_server, CHANNEL, channel_posts())

    # first read: the newest page, then back with ?before= until depth (45 posts): 3 pages of 20
    first = casewatch(config, db_url, smtp_server, "run", "--once")
    assert first.returncode == 0, first.stderr
    asked = [r.path for r in http_server.requests if r.path != "/robots.txt"]
    assert asked == pages[:3], asked
    mails = bodies(smtp_server.wait_for(2))
    assert len(mails) == 2 and all("new article" in m for m in mails), mails
    stored = as_json(config, db_url, smtp_server, "articles")
    assert len(stored) == 60
    assert {a["url"] for a in stored} >= {
        f"https://t.me/{CHANNEL}/180",
        f"https://t.me/{CHANNEL}/190",
    }

    # an edit (and a new post): one article.changed, with the diff
    serve_channel(http_server, CHANNEL, channel_posts(edited=True, newest=201))
    edited = casewatch(config, db_url, smtp_server, "run", "--once", "--all")
    assert edited.returncode == 0, edited.stderr
    mails = bodies(smtp_server.wait_for(3))
    assert len(mails) == 3 and "article edited" in mails[2], mails[2]
    assert "-Суд допросил потерпевшего Азамата Батырбаева" in mails[2]
    assert "+Суд допросил двух потерпевших" in mails[2]

    # a matched post deleted (and an unmatched one): one article.removed
    serve_channel(http_server, CHANNEL, channel_posts(edited=True, deleted=(190, 196), newest=201))
    removed = casewatch(config, db_url, smtp_server, "run", "--once", "--all")
    assert removed.returncode == 0, removed.stderr
    mails = bodies(smtp_server.wait_for(4))
    assert len(mails) == 4 and "removed" in mails[3].lower(), mails[3]
    assert f"https://t.me/{CHANNEL}/190" in mails[3]
    assert kinds(config, db_url, smtp_server).count("article.removed") == 1

    # read again (a new post, the deletion still there): nothing more
    serve_channel(http_server, CHANNEL, channel_posts(edited=True, deleted=(190, 196), newest=202))
    again = casewatch(config, db_url, smtp_server, "run", "--once", "--all")
    assert again.returncode == 0, again.stderr
    events_before = kinds(config, db_url, smtp_server)
    assert (
        events_before.count("article.removed") == 1 and events_before.count("article.changed") == 1
    )
    assert len(smtp_server.messages) == 4

    # a malformed newest page: the source fails, named; nothing stored is removed
    http_server.route(
        pages[0],
        body="<!DOCTYPE html><html><body><main>maintenance</main></body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    broken = casewatch(config, db_url, smtp_server, "run", "--once", "--all")
    assert broken.returncode == 0, broken.stderr
    health = {s["id"]: s for s in as_json(config, db_url, smtp_server, "sources")}
    error = health[SOURCE]["last_error"]
    assert health[SOURCE]["consecutive_failures"] == 1
    assert SOURCE in error and f"/s/{CHANNEL}" in error and "no posts container" in error, error
    assert kinds(config, db_url, smtp_server) == events_before
    assert len(smtp_server.messages) == 4
    kept = list((tmp_path / "data" / "responses" / SOURCE).glob("*.html"))
    assert len(kept) == 1 and b"maintenance" in kept[0].read_bytes()
