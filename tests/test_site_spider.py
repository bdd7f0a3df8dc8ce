"""The config-driven listing spider (``kind: site``): shipped sources against the layouts their
selectors assume, fixture coverage, and a real crawl of a local site on 127.0.0.1 with good
and bad pages (the callbacks themselves are replayed over saved pages in test_spiders.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.load import load_config
from pipeline.config.sources import Source

from support.crawling import crawl_in_subprocess

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "spiders" / "site"
EXTRACT = Path(__file__).parent / "fixtures" / "extract"
CAP = 20_000


def shipped_sites() -> list[Source]:
    return [s for s in load_config(ROOT / "config").sources if s.kind == "site"]


def labels() -> set[str]:
    return {p.stem.split("--", 1)[1] for p in FIXTURES.glob("*--*.*") if ".expected" not in p.name
            and ".request" not in p.name and ".headers" not in p.name}  # fmt: skip


def test_fixtures_cover_listing_article_and_bad_input() -> None:
    wanted = {"generic", "paginated-last-page", "selector-finds-nothing", "not-html", "http-503",
              "json-ld", "no-json-ld", "cp1251-undeclared", "field-selectors", "http-404"}  # fmt: skip
    assert wanted <= labels()


@pytest.mark.parametrize("source", shipped_sites(), ids=lambda s: s.id)
def test_each_shipped_site_has_a_listing_fixture_with_its_config(source: Source) -> None:
    """The fixture replays the shipped entry itself, so a changed selector changes the test."""
    stem = FIXTURES / f"parse_listing--{source.id}"
    request = json.loads(stem.with_suffix(".request.json").read_text(encoding="utf-8"))
    assert Source.model_validate(request["meta"]["source"]) == source
    assert request["url"] == source.url
    expected = json.loads(Path(f"{stem}.expected.json").read_text(encoding="utf-8"))
    articles = [r for r in expected if r["_type"] == "Request" and r["callback"] == "parse_article"]
    assert len(articles) == 3, source.id
    assert not source.verified, f"{source.id}: selectors are guesses until checked live"


def test_shipped_sites_cover_the_groups_without_feeds() -> None:
    hosts = {s.url.split("/")[2].removeprefix("www.") for s in shipped_sites()}
    assert {"bureau.kz", "iphronline.org", "omct.org", "notorture.kz", "kaztag.kz"} <= hosts


# ---------------------------------------------------------------- a real crawl


def listing(links: list[str], next_href: str = "") -> str:
    items = "".join(
        f'<li><h2><a href="{href}">Статья {i}</a></h2></li>' for i, href in enumerate(links)
    )
    pager = f'<a class="next" href="{next_href}">Далее</a>' if next_href else ""
    return f'<html><body><nav><a href="/">Главная</a></nav><ul class="news">{items}</ul>{pager}</body></html>'


def site_entry(source_id: str, url: str, **fields: Any) -> dict[str, Any]:
    return {"id": source_id, "kind": "site", "url": url, "link_selector": "ul.news h2 a",
            "next_selector": "a.next", "max_pages": 3, "timezone": "Asia/Almaty", **fields}  # fmt: skip


@pytest.fixture
def local_site(http_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = {"Content-Type": "text/html; charset=utf-8"}
    route = http_server.route
    route("/a/jsonld", body=(EXTRACT / "tengrinews-ru-verdict.html").read_bytes(), headers=html)
    route("/a/meta", body=(EXTRACT / "vlast-ru-verdict2024.html").read_bytes(), headers=html)
    route("/a/cp1251", body=(EXTRACT / "court-cp1251-undeclared.html").read_bytes(),
          headers={"Content-Type": "text/html"})  # fmt: skip
    route(
        "/a/huge", body=b"<html><body>" + b"<p>x</p>" * (CAP // 4) + b"</body></html>", headers=html
    )
    route("/a/pdf", body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    route("/a/loop", status=302, headers={"Location": "/a/loop"})
    route("/news/", body=listing(["/a/jsonld", "/a/meta", "/a/jsonld#c", "/a/huge"], "/news/2"),
          headers=html)  # fmt: skip
    route("/news/2", body=listing(["/a/cp1251", "/a/pdf", "/a/loop", "/a/missing"]), headers=html)
    route("/empty/", body="<html><body><div class='other'><a href='/a/1'>x</a></div></body></html>",
          headers=html)  # fmt: skip
    route("/feed-like/", body='{"items": []}', headers={"Content-Type": "application/json"})
    route("/listing-loop/", status=301, headers={"Location": "/listing-loop/"})
    route("/bad-only/", body=listing(["/a/pdf"]), headers=html)
    return {"good": http_server.url("/news/"), "empty": http_server.url("/empty/"),
            "feed-like": http_server.url("/feed-like/"), "loop": http_server.url("/listing-loop/"),
            "bad-only": http_server.url("/bad-only/")}  # fmt: skip


def test_site_spider_reports_every_source_once(local_site: dict[str, str], http_server) -> None:  # type: ignore[no-untyped-def]
    sources = [site_entry(key, url) for key, url in local_site.items()]
    settings = {"CASEWATCH_MAX_BODY_BYTES": CAP, "DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": {},
                "LOG_LEVEL": "WARNING", "DOWNLOAD_TIMEOUT": 5}  # fmt: skip
    items = crawl_in_subprocess("spiders.site:SiteSpider", settings, sources=sources)

    reports = [i for i in items if i["_type"] == "FetchReport"]
    assert sorted(r["source_id"] for r in reports) == sorted(local_site)
    by_id = {r["source_id"]: r for r in reports}
    articles = {a["url"].rsplit("/", 1)[-1]: a for a in items if a["_type"] == "RawArticle"}
    assert sorted(articles) == ["cp1251", "jsonld", "meta"]
    assert {a["source_id"] for a in articles.values()} == {"good"}
    assert articles["jsonld"]["published"] == "2023-02-10T08:20:00+00:00"
    assert (
        articles["meta"]["title"]
        == "В Талдыкоргане вынесен второй приговор полицейским по делу о пытках"
    )
    assert "Талдыкорганский городской суд" in articles["cp1251"]["text"]
    assert articles["cp1251"]["text"].count("\n\n") >= 3

    good = by_id["good"]
    assert good["ok"] and good["items"] == 3 and good["extra"]["pages"] == "2"
    base = local_site["good"].removesuffix("/news/")
    for problem in (f"{base}/a/huge: body over", f"{base}/a/pdf: not an HTML page",
                    f"{base}/a/loop: redirect loop", f"{base}/a/missing: HTTP 404"):  # fmt: skip
        assert problem in good["error"], good["error"]
    assert good["error"].startswith("good: 4 of 7 article page(s) failed: ")

    errors = {k: r["error"] for k, r in by_id.items() if not r["ok"]}
    assert errors == {
        "empty": f"empty: listing {local_site['empty']}: link selector 'ul.news h2 a' matched no "
        "article link (71 bytes; check the selector and `allow`)",
        "feed-like": f"feed-like: listing {local_site['feed-like']}: not an HTML page (application/json)",
        "loop": f"loop: {local_site['loop']}: redirect loop (too many redirects)",
        "bad-only": f"bad-only: 1 of 1 article page(s) failed: {base}/a/pdf: not an HTML page "
        "(Content-Type application/pdf)",
    }
    assert len(http_server.requests_to("/a/jsonld")) == 1  # the #fragment duplicate is not fetched


def test_unchanged_listing_fetches_no_article(http_server) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    body = listing(["/a/1"]).encode()
    url = http_server.route("/same/", body=body, headers={"Content-Type": "text/html"})
    spec = {
        "source_id": "same",
        "url": url,
        "kind": "site",
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    settings = {"DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING"}
    items = crawl_in_subprocess(
        "spiders.site:SiteSpider", settings, specs=[spec], sources=[site_entry("same", url)]
    )
    assert [i["_type"] for i in items] == ["FetchReport"]
    assert items[0]["not_modified"] and items[0]["ok"]
    assert http_server.requests_to("/a/1") == []
