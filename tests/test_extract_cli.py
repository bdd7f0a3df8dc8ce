"""``casewatch extract`` on saved files and on pages served from 127.0.0.1, good and bad."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.cli import Cli

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
PAGE = FIXTURES / "tengrinews-ru-verdict.html"
CP1251 = FIXTURES / "court-cp1251-undeclared.html"
TITLE = "Трое бывших полицейских осуждены в Талдыкоргане за пытки задержанных"


def run(*args: str) -> tuple[int, str]:
    return Cli().run("extract", *args)


def as_json(*args: str) -> dict[str, Any]:
    code, output = run(*args, "--format", "json")
    assert code == 0, output
    return json.loads(output)


def test_saved_file_as_json() -> None:
    found = as_json(str(PAGE), "--url", "https://tengrinews.kz/kazakhstan_news/x-491234/")
    assert {"title", "published_at", "modified_at", "author", "language", "text"} <= set(found)
    assert found["title"] == TITLE
    assert found["published_at"] == "2023-02-10T08:20:00+00:00"
    assert found["author"] == "Алия Ахметова"
    assert found["language"] == "ru"
    assert found["text"].startswith("Талдыкорганский городской суд области Жетісу")
    assert found["sources"]["published"] == "json-ld"


def test_url_option_sets_the_zone_of_a_saved_page() -> None:
    local = as_json(str(CP1251), "--url", "https://zhetisu.sud.kz/rus/news/prigovor-146")
    assert local["published_at"] == "2023-02-10T06:00:00+00:00"  # 12:00 in Almaty, UTC+6 then
    assert as_json(str(CP1251), "--tz", "UTC")["published_at"] == "2023-02-10T12:00:00+00:00"


def test_table_shows_fields_and_their_methods() -> None:
    code, output = run(str(PAGE))
    assert code == 0, output
    assert TITLE in output and "json-ld" in output and "trafilatura" in output


def test_fetched_page(http_server) -> None:  # type: ignore[no-untyped-def]
    body = CP1251.read_bytes()
    url = http_server.route("/ru/news/1", body=body, headers={"Content-Type": "text/html"})
    found = as_json(url)
    assert found["title"] == TITLE  # cp1251 without any declaration, decoded right
    assert found["url"] == url
    assert http_server.requests_to("/ru/news/1")[0].headers["User-Agent"].startswith("casewatch/")


@pytest.mark.parametrize(
    ("route", "problem"),
    [
        ({"status": 404, "body": "gone"}, "HTTP 404"),
        ({"body": b"%PDF-1.7 ...", "headers": {"Content-Type": "application/pdf"}},
         "not an HTML page (Content-Type application/pdf)"),
        ({"body": b"<html><body>" + b"x" * 5000 + b"</body></html>",
          "headers": {"Content-Type": "text/html"}}, "body over 2048 bytes cap"),
        ({"status": 302, "headers": {"Location": "/page"}}, "redirect loop (more than 10 redirects)"),
    ],
)  # fmt: skip
def test_bad_pages_are_named_errors(http_server, route: dict[str, Any], problem: str) -> None:  # type: ignore[no-untyped-def]
    url = http_server.route("/page", **route)
    code, output = run(url, "--max-bytes", "2048")
    assert code == 2
    assert output.strip() == f"casewatch: error: {url}: {problem}"


def test_missing_and_non_html_files_are_named(tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "nope.html"))
    assert code == 2 and f"{tmp_path / 'nope.html'}: cannot read" in output
    data = tmp_path / "data.json"
    data.write_text('{"a": 1}', encoding="utf-8")
    code, output = run(str(data))
    assert (
        code == 2
        and output.strip() == f"casewatch: error: {data}: not an HTML page (no HTML markup)"
    )
