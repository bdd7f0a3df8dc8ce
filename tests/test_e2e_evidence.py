"""Full articles and evidence end to end: real `casewatch` CLI, a site and SMTP on 127.0.0.1.

A feed whose summary says nothing of the case links to an article that does: one alert. A
second outlet reprints the story: grouped with it, and (``per: story``) no second alert. The
article is then edited (``article.changed`` with the diff), then taken down
(``article.removed``); ``export-evidence`` writes a WARC whose payload hashes are the stored
captures' and the manifest's.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from pipeline.search import search_articles
from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow, CaptureRow

from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
CASEWATCH = Path(sys.executable).parent / "casewatch"
CASE = "taldykorgan-torture"
TITLE = "Суд продолжил рассмотрение резонансного дела"
TEASER = "Заседание длилось более пяти часов."
PARAGRAPHS = [
    "В Талдыкорганском городском суде 27 ноября 2026 года продолжился процесс над бывшими "
    "сотрудниками департамента полиции, обвиняемыми в пытках задержанных после январских "
    "событий 2022 года.",
    "Суд допросил потерпевшего Азамата Батырбаева. Он рассказал, что 7 января 2022 года его "
    "доставили в здание департамента полиции, где избивали и пытали током.",
    "По словам адвоката, защита ходатайствовала о проведении дополнительной экспертизы. "
    "Следующее заседание назначено на 4 декабря 2026 года.",
    "Подсудимым вменяется статья 146 Уголовного кодекса Республики Казахстан. Им грозит до "
    "двенадцати лет лишения свободы, сообщил представитель прокуратуры на заседании.",
]
EDITED = [
    *PARAGRAPHS[:2],
    "По словам адвоката, суд отклонил ходатайство защиты о проведении дополнительной "
    "экспертизы. Следующее заседание назначено на 4 декабря 2026 года.",
    PARAGRAPHS[3],
]


def page(title: str, paragraphs: list[str], *, ld: bool = True) -> str:
    meta = (
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}", '
        '"datePublished": "2026-11-27T15:00:00+05:00", "author": {"name": "Айгуль Сарсенова"}}'
        "</script>"
        if ld
        else ""
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>'
        f"{meta}</head><body><header><nav><a href='/'>Главная</a></nav></header>"
        f"<article><h1>{title}</h1>{body}</article><footer>© Outlet</footer></body></html>"
    )


def rss(title: str, link: str, summary: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>https://example.kz/</link><item><title>{title}</title><link>{link}</link>"
        f"<guid>{link}</guid><pubDate>Fri, 27 Nov 2026 10:00:00 +0500</pubDate>"
        f"<description>{summary}</description></item></channel></rss>"
    )


HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def write_config(folder: Path, http: LocalHTTPServer, data: Path) -> None:
    folder.mkdir()
    (folder / "cases.yaml").write_text(
        (REPO / "config" / "cases.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "settings.yaml").write_text(
        f"data_dir: {data}\ndownload_timeout: 5s\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\ndelivery: {backoff: 0s}\n"
        "evidence: {recheck_every: 0s}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: outlet-a, kind: feed, url: '{http.url('/a/feed.xml')}', every: 1h}}\n"
        f"  - {{id: outlet-b, kind: feed, url: '{http.url('/b/feed.xml')}', every: 1h}}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: ['article.*']\n    channels: [team-email]\n"
        "    per: story\n",
        encoding="utf-8",
    )


def casewatch(config: Path, db_url: str, smtp: LocalSMTPServer, *args: str, cwd: Path):
    env = {
        **os.environ,
        "CASEWATCH_DATABASE_URL": db_url,
        "E2E_SMTP_URL": f"mailto://127.0.0.1:{smtp.port}?from=cw@example.org&to=m@example.org",
    }
    env.pop("CASEWATCH_CONFIG", None)
    return subprocess.run(
        [str(CASEWATCH), "--config", str(config), *args],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
        timeout=180, check=False, cwd=cwd,
    )  # fmt: skip


def mail_text(smtp: LocalSMTPServer, index: int) -> str:
    message = smtp.messages[index]
    part = message.get_body(("plain",))
    return f"{message['Subject']}\n{part.get_content() if part is not None else ''}"


def test_full_article_evidence_end_to_end(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    article_a = http_server.url("/a/news/61234.html")
    article_b = http_server.url("/b/2026/11/27/copy.html")
    http_server.route("/a/feed.xml", body=rss(TITLE, article_a, TEASER), headers=XML)
    http_server.route("/a/news/61234.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    http_server.route(
        "/b/feed.xml", body=rss("Процесс по делу о пытках: допрос", article_b, TEASER), headers=XML
    )
    reprint = [*PARAGRAPHS, "Источник: outlet-a."]
    http_server.route(
        "/b/2026/11/27/copy.html", body=page("Копия", reprint, ld=False), headers=HTML
    )
    config = tmp_path / "config"
    write_config(config, http_server, tmp_path / "data")

    first = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "articles     2 page(s): captured 2" in first.stdout, first.stdout
    mails = smtp_server.wait_for(1)
    assert len(mails) == 1, [m["Subject"] for m in mails]  # one story, per: story → one alert
    assert "Батырбаев" in mail_text(smtp_server, 0) or "person" in mail_text(smtp_server, 0)
    events = json.loads(
        casewatch(config, db_url, smtp_server, "events", "--format", "json", cwd=tmp_path).stdout
    )
    new = [e for e in events if e["kind"] == "article.new" and e["case"] == CASE]
    assert sorted(e["url"] for e in new) == sorted([article_a, article_b])  # both recorded

    sessions = open_store(db_url)
    with sessions.begin() as s:
        rows = {r.canonical_url: r for r in s.scalars(select(ArticleRow))}
        a, b = rows[article_a], rows[article_b]
        assert a.story_id == b.story_id  # the reprint is the same story
        assert "Батырбаева" in a.text and a.author == "Айгуль Сарсенова"
        assert a.published_at is not None and a.published_at.isoformat().startswith("2026-11-27")
        found = search_articles(s, "экспертизу")  # only in the full text, not the feed's teaser
        assert article_a in {hit.url for hit in found.hits}

    http_server.route("/a/news/61234.html", body=page(TITLE, EDITED), headers=HTML)
    second = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "changed 1" in second.stdout and "same 1" in second.stdout, second.stdout
    smtp_server.wait_for(2)
    changed = mail_text(smtp_server, 1)
    assert "edited" in changed or "изменен" in changed
    assert "-По словам адвоката, защита ходатайствовала" in changed
    assert "+По словам адвоката, суд отклонил ходатайство" in changed
    with sessions.begin() as s:
        assert article_a in {hit.url for hit in search_articles(s, "отклонил").hits}

    http_server.route("/a/news/61234.html", body="gone", status=404)
    third = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    smtp_server.wait_for(3)
    removed = mail_text(smtp_server, 2)
    assert "removed" in removed and "HTTP 404" in removed
    fourth = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert fourth.returncode == 0 and len(smtp_server.messages) == 3  # nothing twice

    out = tmp_path / "export"
    exported = casewatch(
        config, db_url, smtp_server, "export-evidence", "--case", CASE, "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    check_warc(out, sessions)
    sessions.kw["bind"].dispose()


def check_warc(out: Path, sessions) -> None:
    with sessions.begin() as s:
        stored = {c.record_id: c for c in s.scalars(select(CaptureRow))}
        kinds = sorted(c.kind for c in stored.values())
    assert kinds == ["changed", "first", "first", "removed"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["warc_record_id"]: e for e in manifest["captures"]}
    assert set(listed) == set(stored)
    responses, requests = {}, 0
    with (out / manifest["warc"]).open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                responses[record_id] = hashlib.sha256(record.content_stream().read()).hexdigest()
            requests += record.rec_type == "request"
    assert requests == len(stored)
    for record_id, capture in stored.items():
        assert responses[record_id] == capture.sha256 == listed[record_id]["sha256"]
    assert any(e["status"] == 404 and e["kind"] == "removed" for e in listed.values())


def test_the_service_rechecks_evidence_and_alerts_an_edit(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    """`casewatch run` (the service) re-checks matched articles as a job of its own."""
    article = http_server.url("/a/news/61234.html")
    http_server.route("/a/feed.xml", body=rss(TITLE, article, TEASER), headers=XML)
    http_server.route("/a/news/61234.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    http_server.route("/b/feed.xml", body=rss("Другое", http_server.url("/b/x"), "—"), headers=XML)
    config = tmp_path / "config"
    write_config(config, http_server, tmp_path / "data")
    with (config / "settings.yaml").open("a", encoding="utf-8") as fh:
        fh.write("service: {rechecks_every: 0.5s, deliver_every: 0.5s, startup_spread: 0s}\n")
    first = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    smtp_server.wait_for(1)

    http_server.route("/a/news/61234.html", body=page(TITLE, EDITED), headers=HTML)
    service = start_service(config, db_url, smtp_server, tmp_path)
    try:
        smtp_server.wait_for(2, timeout=60)
    finally:
        service.terminate()
        _, err = service.communicate(timeout=30)
    assert service.returncode == 0, err[-2000:]
    changed = mail_text(smtp_server, 1)
    assert "+По словам адвоката, суд отклонил ходатайство" in changed
    assert "evidence:" in err and "re-checked" in err


def start_service(
    config: Path, db_url: str, smtp: LocalSMTPServer, cwd: Path
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CASEWATCH_DATABASE_URL": db_url,
        "E2E_SMTP_URL": f"mailto://127.0.0.1:{smtp.port}?from=cw@example.org&to=m@example.org",
    }
    env.pop("CASEWATCH_CONFIG", None)
    return subprocess.Popen(
        [str(CASEWATCH), "--config", str(config), "run"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        stdin=subprocess.DEVNULL, cwd=cwd,
    )  # fmt: skip
