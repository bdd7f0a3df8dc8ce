"""The web app over a store filled by the real pipeline: pages, JSON API, auth, headers,
escaping, hostile search input. SQLite and PostgreSQL for the API."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html import escape as html_escape
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from pipeline.cli.context import configured_sources
from pipeline.cli.main import main
from pipeline.events.kinds import BY_NAME, KINDS, EventKind
from pipeline.items import ArticlePage, ArticleTarget
from pipeline.store.captures import add_capture
from pipeline.web import WebDeps, create_app
from pipeline.web.i18n import LANGUAGES, pick_language
from pipeline.web.security import http_url, token_ok

from support.web_data import CASE_A, CASE_B, HOSTILE, Filled, fill

TOKEN = "s3cret-Token_42~"


def client_for(filled: Filled, token: str | None = None) -> TestClient:
    deps = WebDeps(
        sessions=filled.sessions,
        sources=configured_sources(filled.config),
        token=token,
        clock=lambda: filled.now,
        domain="test.casewatch",
    )
    return TestClient(create_app(deps))


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    result = fill(tmp_path_factory.mktemp("web"))
    yield result
    result.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def client(filled: Filled) -> TestClient:
    return client_for(filled)


def page(client: TestClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={"accept": "text/html", **headers})
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


# ---------------------------------------------------------------- pages


def test_home_lists_upcoming_hearings_soonest_first_and_cases(client: TestClient) -> None:
    html = page(client, "/")
    upcoming = html[html.index('id="upcoming"') : html.index('id="cases"')]
    assert upcoming.index("2026-12-03 11:30") < upcoming.index("2026-12-07 14:00")
    assert "2026-12-07 14:00 (Asia/Qostanay" in upcoming
    assert "2026-12-10" not in upcoming  # cancelled
    assert "2026-11-18" not in upcoming  # past
    assert 'href="/cases/taldykorgan-torture"' in html and 'href="/cases/kostanay-case"' in html


def test_case_dashboard_next_hearing_history_chart_articles(client: TestClient) -> None:
    html = page(client, "/cases/taldykorgan-torture")
    next_card = html[html.index('id="next-hearing"') : html.index('id="timeline"')]
    assert "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)" in next_card
    assert "зал 5" in next_card and CASE_A in next_card
    timeline = html[html.index('id="timeline"') : html.index('id="coverage"')]
    assert (
        "rescheduled 2026-12-01 10:00 (Asia/Almaty, UTC+05:00) → "
        "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)"
    ) in timeline
    assert "courtroom: зал 3 → зал 5" in timeline
    assert re.search(r'<li class="off">\s*<span class="when">2026-12-10 15:00', timeline)
    assert 'class="change-cancelled"' in timeline
    bars = re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', html)
    assert len(bars) == 26 and sum(float(h) > 0 for h in bars) == 3  # 4 articles in 3 weeks
    assert "Torture trial in Taldykorgan resumes" in html
    assert "hearing.rescheduled" in html


def test_times_on_pages_are_local_in_the_cases_zone_with_the_zone_named(
    client: TestClient,
) -> None:
    """Published 19 Nov 09:00 +05:00 in Taldykorgan reads 09:00 in Almaty, not 04:00 UTC;
    the Kostanay case's events read in Asia/Qostanay; sources in settings.timezone."""
    case = page(client, "/cases/taldykorgan-torture")
    assert "2026-11-19 09:00 (Asia/Almaty, UTC+05:00)" in case  # latest articles
    events = case[case.index('id="events"') :]
    assert "2026-11-21 11:00 (Asia/Almaty, UTC+05:00)" in events  # created at T1, 06:00 UTC
    assert "2026-11-21 11:00 (Asia/Qostanay, UTC+05:00)" in page(client, "/cases/kostanay-case")
    assert "2026-11-19 09:00 (Asia/Almaty, UTC+05:00)" in page(client, "/articles/1")
    assert "(Asia/Almaty, UTC+05:00)" in page(client, "/search?q=пытки")
    deliveries = page(client, "/deliveries")
    assert "(Asia/Qostanay, UTC+05:00)" in deliveries and "(Asia/Almaty, UTC+05:00)" in deliveries
    for html in (case, deliveries, page(client, "/sources")):
        assert not re.search(r"\d:\d\d UTC\b", html)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_event_kind_has_a_label_in_every_page_language(kind: EventKind, lang: str) -> None:
    """A kind added to the registry without its ``labels`` fails here, before a Russian page
    shows ``hearing.scheduled`` to a reader."""
    assert kind.labels.get(lang), f"{kind.name}: no label in {lang!r} (EventKind.labels)"
    assert kind.label(lang) != kind.name


def test_event_kinds_read_in_the_pages_language(client: TestClient) -> None:
    ru = page(client, "/cases/taldykorgan-torture?lang=ru")
    shown = re.findall(r'<span class="tag kind" title="([a-z_.]+)">([^<]*)</span>', ru)
    assert {name for name, _ in shown} >= {"article.new", "hearing.rescheduled"}
    assert all(label == BY_NAME[name].labels["ru"] for name, label in shown), shown
    assert "заседание перенесено" in page(client, "/deliveries?lang=ru")


def test_pages_in_russian_by_query_or_accept_language(client: TestClient) -> None:
    assert "Следующее заседание" in page(client, "/cases/taldykorgan-torture?lang=ru")
    html = page(client, "/", **{"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in html and "Ближайшие заседания" in html
    assert '<html lang="en">' in page(client, "/?lang=en", **{"accept-language": "ru"})


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "en"),
        ("ru", "en", "ru"),
        ("xx", "ru-RU,en;q=0.8", "ru"),
        (None, "de;q=1.0, en;q=0.5", "en"),
        (None, "kk-KZ", "ru"),
        (None, "en;q=0.2, ru;q=0.9", "ru"),
        (None, "ru;q=bad", "en"),
    ],
)
def test_pick_language(query: str | None, header: str | None, expected: str) -> None:
    assert pick_language(query, header) == expected


def test_article_page_escapes_scraped_text_and_shows_why(client: TestClient) -> None:
    html = page(client, "/articles/3")
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert "keyword «пытки» in title" in html
    assert 'id="captures"' in html


def test_article_page_lists_its_evidence_captures(tmp_path: Path) -> None:
    filled = fill(tmp_path)
    body = b"<html><body><h1>Evidence</h1></body></html>"
    target = ArticleTarget(article_id=2, url="https://example.kz/a/2", source_id="s")
    page_ = ArticlePage(target=target, status=200, final_url=target.url, body=body)
    with filled.sessions.begin() as session:
        row = add_capture(session, page_, kind="first", title="E", text="t", now=filled.now)
        record_id = row.record_id
    html = page(client_for(filled), "/articles/2")
    captures = html[html.index('id="captures"') :]
    assert hashlib.sha256(body).hexdigest() in captures
    assert html_escape(record_id) in captures and ">first<" in captures
    filled.sessions.kw["bind"].dispose()


def test_sources_and_deliveries_pages(client: TestClient) -> None:
    sources = page(client, "/sources")
    assert "taldykorgan-court" in sources and "news-taldykorgan-torture-ru" in sources
    deliveries = page(client, "/deliveries")
    assert "hearing.rescheduled" in deliveries and "team" in deliveries
    assert "pending" in deliveries


def test_not_found_is_a_page_for_people_and_json_for_the_api(client: TestClient) -> None:
    response = client.get("/cases/<b>nope</b>", headers={"accept": "text/html"})
    assert response.status_code == 404 and "<b>nope" not in response.text
    assert client.get("/api/cases/nope").json() == {"detail": "no case 'nope'"}
    assert client.get("/articles/999999", headers={"accept": "text/html"}).status_code == 404


def test_every_response_carries_a_strict_csp(client: TestClient) -> None:
    for path in ("/", "/cases/taldykorgan-torture", "/api/cases", "/hearings.ics", "/nope"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src" not in policy and "unsafe-inline" not in policy
        assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", policy)


def test_external_links_are_only_http(client: TestClient) -> None:
    html = page(client, "/cases/taldykorgan-torture") + page(client, "/sources")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("/", "http://", "https://")) for h in hrefs)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a?b=1", "https://news.example/a?b=1"),
        ("HTTP://x.example/", "HTTP://x.example/"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("http:///nohost", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_http_url(url: str | None, expected: str | None) -> None:
    assert http_url(url) == expected


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] is True


def test_healthz_with_config_reports_sources_and_deliveries(filled: Filled) -> None:
    deps = WebDeps(sessions=filled.sessions, config=filled.config, clock=lambda: filled.now)
    response = TestClient(create_app(deps)).get("/healthz")
    body = response.json()
    assert response.status_code == (200 if body["ok"] else 503)
    assert body["status"] in {"ok", "degraded", "down"} and body["database"] == "ok"
    assert body["sources"]["total"] >= 1 and "pending" in body["deliveries"]


# ---------------------------------------------------------------- search


def test_search_page_finds_inflected_forms_and_links_articles(client: TestClient) -> None:
    html = page(client, "/search?q=пытками&case=taldykorgan-torture")
    assert 'id="total">found: 3' in html
    assert "<mark>пытках</mark>" in html
    assert 'href="/articles/1' in html
    assert HOSTILE not in html


HOSTILE_QUERIES = [
    '"',
    '"ст. 146',
    "ст. 146",
    "1917-22-00-1/215",
    "пытки OR (NEAR(a b",
    "* ^ - + : AND NOT",
    "'; DROP TABLE article; --",
    "\x00\x1f",
    "a" * 5000,
    "<script>alert(1)</script>",
    "%",
    "title:x",
    "‮ ͡ 𝕏",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_search_never_fails(client: TestClient, query: str) -> None:
    response = client.get("/search", params={"q": query}, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    api = client.get("/api/search", params={"q": query})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["total"] >= 0 and isinstance(body["messages"], list)


def test_search_bad_filters_give_a_message(client: TestClient) -> None:
    html = page(client, "/search?q=пытки&since=2026-13-40&case=<x>")
    assert "expected a date like 2026-11-28" in html
    assert client.get("/api/search", params={"q": "x", "limit": 0}).status_code == 422


def test_search_case_number_finds_nothing_but_never_errors(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": CASE_A}).json()
    assert body["query"] == CASE_A and body["total"] >= 0


# ---------------------------------------------------------------- API


@pytest.fixture
def api_client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    filled = fill(tmp_path, db_url)
    yield client_for(filled)
    filled.sessions.kw["bind"].dispose()


def test_api_on_both_databases(api_client: TestClient) -> None:
    cases = api_client.get("/api/cases").json()
    assert [(c["slug"], c["articles"], c["hearings"]) for c in cases] == [
        ("kostanay-case", 0, 1),
        ("taldykorgan-torture", 4, 3),
    ]
    hearings = api_client.get("/api/cases/taldykorgan-torture/hearings").json()
    moved = next(h for h in hearings if h["local_time"] == "2026-12-03T11:30")
    assert moved["scheduled_at"] == "2026-12-03T11:30:00+05:00"
    assert {c["field"] for c in moved["history"]} >= {"scheduled_at", "courtroom"}
    upcoming = api_client.get("/api/cases/taldykorgan-torture/hearings?upcoming=true").json()
    assert [h["local_time"] for h in upcoming] == ["2026-12-03T11:30"]
    kostanay = api_client.get("/api/cases/kostanay-case/hearings").json()
    assert kostanay[0]["timezone"] == "Asia/Qostanay" and kostanay[0]["case_number"] == CASE_B
    articles = api_client.get("/api/articles?case=taldykorgan-torture&language=en").json()
    assert [a["url"] for a in articles] == ["https://news.example/a/4"]
    since = api_client.get("/api/articles", params={"since": "2026-11-15T00:00:00Z"}).json()
    assert {a["url"] for a in since} == {"https://news.example/a/1", "https://news.example/a/3"}
    assert api_client.get("/api/articles", params={"since": "2026-11-15T00:00"}).status_code == 422
    events = api_client.get("/api/events?case=taldykorgan-torture&limit=3").json()
    assert len(events) == 3 and events[0]["kind"].startswith("hearing.")
    found = api_client.get("/api/search", params={"q": "пытка", "language": "ru"}).json()
    assert found["total"] >= 2 and all(h["language"] == "ru" for h in found["hits"])
    assert {h["url"] for h in found["hits"]} >= {
        "https://news.example/a/1",
        "https://news.example/a/2",
    }


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/cases",
        "/api/cases/{slug}",
        "/api/cases/{slug}/hearings",
        "/api/articles",
        "/api/events",
        "/api/search",
    } <= paths
    assert not any(p.startswith("/cases") for p in paths)  # pages are not API
    assert "HearingOut" in spec["components"]["schemas"]


# ---------------------------------------------------------------- token


def test_token_is_required_on_every_request(filled: Filled) -> None:
    client = client_for(filled, token=TOKEN)
    for path in ("/", "/healthz", "/api/cases", "/hearings.ics", "/openapi.json", "/nope"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "content-security-policy" in response.headers
    assert client.get("/api/cases", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/cases", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/api/cases", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401


def test_query_token_sets_a_cookie_for_the_next_pages(filled: Filled) -> None:
    client = client_for(filled, token=TOKEN)
    first = client.get("/", params={"token": TOKEN})
    assert first.status_code == 200
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/cases/taldykorgan-torture").status_code == 200  # cookie carried
    client.cookies.clear()
    assert client.get("/cases/taldykorgan-torture").status_code == 401


@pytest.mark.parametrize(
    ("presented", "ok"),
    [(TOKEN, True), (None, False), ("", False), (TOKEN + "x", False), (TOKEN[:-1], False)],
)
def test_token_ok(presented: str | None, ok: bool) -> None:
    assert token_ok(TOKEN, presented) is ok


def test_serve_refuses_a_public_host_without_a_token(tmp_path: Path) -> None:
    config = tmp_path / "config"
    from support.web_data import write_config

    write_config(config)
    result = CliRunner().invoke(
        main,
        ["--config", str(config), "--database", f"sqlite:///{tmp_path / 'x.db'}",
         "serve", "--host", "0.0.0.0", "--token-env", "CASEWATCH_TEST_NO_SUCH_TOKEN"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "access token is required" in result.output
    assert "CASEWATCH_TEST_NO_SUCH_TOKEN" in result.output
