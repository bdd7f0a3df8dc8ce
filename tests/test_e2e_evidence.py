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
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from pipeline.search import search_articles
from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow, CaptureRow

from support.e2e import PARAGRAPHS, TITLE, casewatch, start_service, write_evidence_config
from support.feeds import HTML, XML, page, rss
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, mail_text

pytestmark = pytest.mark.e2e

CASE = "taldykorgan-torture"
TEASER = "Заседание длилось более пяти часов."
EDITED = [
    *PARAGRAPHS[:2],
    "По словам адвоката, суд отклонил ходатайство защиты о проведении дополнительной "
    "экспертизы. Следующее заседание назначено на 4 декабря 2026 года.",
    PARAGRAPHS[3],
]


def test_full_article_evidence_end_to_end(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    article_a = http_server.url("/a/news/61234.html")
    article_b = http_server.url("/b/2026/11/27/copy.html")
    http_server.route("/a/feed.xml", body=rss([(TITLE, article_a, TEASER)]), headers=XML)
    http_server.route("/a/news/61234.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    http_server.route(
        "/b/feed.xml",
        body=rss([("Процесс по делу о пытках: допрос", article_b, TEASER)]),
        headers=XML,
    )
    reprint = [*PARAGRAPHS, "Источник: outlet-a.", "Просмотров: 57"]
    http_server.route(
        "/b/2026/11/27/copy.html", body=page("Копия", reprint, ld=False), headers=HTML
    )
    config = tmp_path / "config"
    write_evidence_config(config, http_server, tmp_path / "data")

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
    counted = [*reprint[:-1], "Просмотров: 1 204"]  # only the view counter moved: no edit
    http_server.route(
        "/b/2026/11/27/copy.html", body=page("Копия", counted, ld=False), headers=HTML
    )
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
    http_server.route("/a/feed.xml", body=rss([(TITLE, article, TEASER)]), headers=XML)
    http_server.route("/a/news/61234.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    http_server.route(
        "/b/feed.xml", body=rss([("Другое", http_server.url("/b/x"), "—")]), headers=XML
    )
    config = tmp_path / "config"
    write_evidence_config(config, http_server, tmp_path / "data")
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
