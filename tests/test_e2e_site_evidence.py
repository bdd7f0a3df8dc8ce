"""A site source end to end: the spider reads the article page once, and a matched article
keeps that very response as its evidence (no second fetch for its full text)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow, CaptureRow

from support.e2e import PARAGRAPHS, TITLE, casewatch, write_evidence_config
from support.feeds import HTML, page
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer

pytestmark = pytest.mark.e2e

OTHER = [
    "В Астане открылся международный инвестиционный форум с участием министров и компаний.",
    "Участники обсудили транспортные коридоры и цифровизацию таможни.",
]


def test_matched_site_article_is_fetched_once_and_captured(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    listing = "".join(f'<li><a class="t" href="/s/{n}.html">{n}</a></li>' for n in ("a1", "a2"))
    http_server.route(
        "/s/news/", body=f"<html><body><ul>{listing}</ul></body></html>", headers=HTML
    )
    matched_body = page(TITLE, PARAGRAPHS).encode()
    http_server.route("/s/a1.html", body=matched_body, headers=HTML)
    http_server.route("/s/a2.html", body=page("Форум в Астане", OTHER), headers=HTML)
    config = tmp_path / "config"
    write_evidence_config(config, http_server, tmp_path / "data")
    (config / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: site-s, kind: site, url: '{http_server.url('/s/news/')}', every: 1h,\n"
        "      link_selector: 'a.t', language: ru}\n",
        encoding="utf-8",
    )

    run = casewatch(config, db_url, smtp_server, "run", "--once", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(http_server.requests_to("/s/a1.html")) == 1, run.stdout  # no full-text re-fetch
    assert len(http_server.requests_to("/s/a2.html")) == 1
    assert len(smtp_server.wait_for(1)) == 1

    sessions = open_store(db_url)
    with sessions.begin() as s:
        rows = {r.canonical_url: r for r in s.scalars(select(ArticleRow))}
        matched = rows[http_server.url("/s/a1.html")]
        found = list(s.scalars(select(CaptureRow)))
        assert [(c.article_id, c.kind) for c in found] == [(matched.id, "first")]
        assert found[0].sha256 == hashlib.sha256(matched_body).hexdigest()
        assert found[0].status == 200 and "Батырбаева" in found[0].text
        assert matched.full_text_at is not None and matched.raw_sha256 == found[0].sha256
    sessions.kw["bind"].dispose()
