"""The web app under careless and hostile requests: ids and offsets no database can hold, a
Host header that is not ours, HEAD, and `serve` started on a look-alike of a loopback name or
with a token anyone could guess."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.cli.context import configured_sources
from pipeline.web import WebDeps, create_app
from pipeline.web.security import is_loopback

from support.cli import Cli
from support.web_data import Filled, fill, write_config
from support.web_server import UvicornThread

HUGE = "99999999999999999999999"
"""Past any 64-bit integer: SQLite and PostgreSQL cannot even bind it."""
JUST_OVER = str(2**63)
JSON, HTML = {"accept": "application/json"}, {"accept": "text/html"}


def app_for(filled: Filled, **deps: object) -> TestClient:
    return TestClient(
        create_app(
            WebDeps(
                sessions=filled.sessions,
                sources=configured_sources(filled.config),
                clock=lambda: filled.now,
                domain="test.casewatch",
                **deps,  # type: ignore[arg-type]
            )
        ),
        raise_server_exceptions=False,
    )


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    result = fill(tmp_path_factory.mktemp("hostile-web"))
    yield result
    result.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def client(filled: Filled) -> TestClient:
    return app_for(filled)


# ---------------------------------------------------------------- huge ids and offsets


@pytest.mark.parametrize("article_id", [HUGE, JUST_OVER, "0", "-1"])
@pytest.mark.parametrize("headers", [HTML, JSON], ids=["page", "json"])
def test_an_article_id_no_database_can_hold_is_a_404(
    client: TestClient, article_id: str, headers: dict[str, str]
) -> None:
    response = client.get(f"/articles/{article_id}", headers=headers)

    assert response.status_code == 404, response.text[:300]
    assert f"no article {article_id}" in response.text


@pytest.mark.parametrize(
    "query",
    [
        f"/api/articles?offset={HUGE}",
        f"/api/articles?offset={JUST_OVER}",
        f"/api/articles?limit={HUGE}",
        f"/api/search?q=пытки&offset={HUGE}",
        f"/api/events?limit={HUGE}",
        f"/api/cases/taldykorgan-torture/hearings?limit={HUGE}",
        f"/search?q=пытки&page={HUGE}",
        "/api/articles?since=0001-01-01T00:00:00%2B05:00",
        "/api/articles?until=9999-12-31T23:00:00-05:00",
        "/api/events?since=0001-01-01T00:00:00%2B05:00",
    ],
)
def test_a_query_value_out_of_range_is_a_422_not_a_500(client: TestClient, query: str) -> None:
    for headers in (JSON, HTML):
        response = client.get(query, headers=headers)
        assert response.status_code == 422, (query, response.status_code, response.text[:300])


def test_the_deepest_offset_served_still_answers(client: TestClient) -> None:
    response = client.get("/api/articles?offset=1000000", headers=JSON)
    assert response.status_code == 200 and response.json() == []


# ---------------------------------------------------------------- the Atom feed and Host


def _links(body: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="(self|alternate)" type="[^"]+" href="([^"]*)"', body))


def test_the_feed_never_echoes_the_host_header(client: TestClient) -> None:
    response = client.get(
        "/cases/taldykorgan-torture/feed.atom", headers={"host": "evil.example:666"}
    )

    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert _links(response.text) == {
        "self": "/cases/taldykorgan-torture/feed.atom",
        "alternate": "/cases/taldykorgan-torture",
    }


def test_the_feed_links_come_from_the_configured_base_url(filled: Filled) -> None:
    client = app_for(filled, base_url="https://watch.example.org/cw")

    response = client.get("/cases/taldykorgan-torture/feed.atom", headers={"host": "evil.example"})

    assert "evil.example" not in response.text
    assert _links(response.text) == {
        "self": "https://watch.example.org/cw/cases/taldykorgan-torture/feed.atom",
        "alternate": "https://watch.example.org/cw/cases/taldykorgan-torture",
    }


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example", "https://", "x"])
def test_serve_refuses_a_base_url_that_is_not_http(tmp_path: Path, url: str) -> None:
    cli = Cli(write_config(tmp_path / "config"), f"sqlite:///{tmp_path / 'x.db'}")

    code, output = cli.run("serve", "--base-url", url)

    assert code == 2
    assert "--base-url" in output and "http(s) URL" in output


# ---------------------------------------------------------------- HEAD


GETS = [
    "/",
    "/cases/taldykorgan-torture",
    "/search?q=пытки",
    "/articles/1",
    "/sources",
    "/deliveries",
    "/healthz",
    "/hearings.ics",
    "/cases/taldykorgan-torture/hearings.ics",
    "/cases/taldykorgan-torture/feed.atom",
    "/api/cases",
    "/api/cases/taldykorgan-torture/hearings",
    "/api/articles",
    "/api/events",
    "/api/search?q=пытки",
    "/openapi.json",
]


@pytest.mark.parametrize("path", GETS)
def test_head_answers_wherever_get_does(client: TestClient, path: str) -> None:
    got = client.get(path, headers=HTML)
    head = client.head(path, headers=HTML)

    assert got.status_code == 200
    assert head.status_code == 200, head.text[:300]
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers.get("etag") == got.headers.get("etag")
    assert "content-security-policy" in head.headers


def test_head_of_a_missing_page_is_a_404_and_a_token_still_applies(filled: Filled) -> None:
    client = app_for(filled, token="a-long-enough-token-42")
    assert client.head("/cases/taldykorgan-torture").status_code == 401
    assert client.head("/cases/nope?token=a-long-enough-token-42").status_code == 404


def test_head_over_a_real_connection_sends_no_body(filled: Filled) -> None:
    """A HEAD answered with a body would corrupt the next response on a kept-alive connection."""
    deps = WebDeps(sessions=filled.sessions, clock=lambda: filled.now, domain="test.casewatch")
    with UvicornThread(create_app(deps)) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            for path in ("/cases/taldykorgan-torture", "/hearings.ics", "/api/cases"):
                connection.request("HEAD", path)
                head = connection.getresponse()
                assert head.status == 200 and head.read() == b""
                connection.request("GET", path)
                got = connection.getresponse()
                body = got.read()
                assert got.status == 200 and len(body) == int(head.headers["content-length"])
        finally:
            connection.close()


# ---------------------------------------------------------------- serve: loopback and token


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost.", True),
        ("::ffff:127.0.0.1", True),
        ("127.evil.example", False),
        ("127.0.0.1.nip.io", False),
        ("localhost.evil.example", False),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
    ],
)
def test_only_real_loopback_addresses_count(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_on_a_name_that_starts_with_127_needs_a_token(tmp_path: Path) -> None:
    cli = Cli(write_config(tmp_path / "config"), f"sqlite:///{tmp_path / 'x.db'}")

    code, output = cli.run(
        "serve", "--host", "127.evil.example", "--token-env", "CASEWATCH_TEST_NO_SUCH_TOKEN"
    )

    assert code == 2
    assert "127.evil.example: not a loopback address" in output
    assert "CASEWATCH_TEST_NO_SUCH_TOKEN" in output


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
def test_serve_refuses_a_short_token_naming_its_variable(tmp_path: Path, host: str) -> None:
    cli = Cli(write_config(tmp_path / "config"), f"sqlite:///{tmp_path / 'x.db'}")

    code, output = cli.run(
        "serve", "--host", host, "--token-env", "CW_TEST_TOKEN", env={"CW_TEST_TOKEN": "x"}
    )

    assert code == 2
    assert "CW_TEST_TOKEN: the access token is too short (1 characters)" in output
    assert "at least 16" in output
