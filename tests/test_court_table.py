"""The court_table spider: its pure parts, its config, and a real crawl against 127.0.0.1.

Its callback over saved pages is covered by tests/test_spiders.py
(``tests/fixtures/spiders/court_table/``).
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.load import load_config
from pipeline.config.sources import Source
from pipeline.items import FetchReport, FetchSpec, RawHearing, ScanWindow
from pipeline.parse.court_table import MAX_PAGES, Scan, printed_date
from spiders.base import sources_from_config, specs_from_config
from spiders.court_table import CourtTableSpider

from support.crawling import crawl_in_subprocess
from support.http_server import LocalHTTPServer
from support.ports import free_port

KINDS = CourtTableSpider.kinds

ROOT = Path(__file__).resolve().parent.parent
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.02.2024", "2024-02-12"),
        ("1.2.2024 10:00", "2024-02-01"),
        ("с 05.03.2024 г.", "2024-03-05"),
        ("31.02.2024", None),
        ("2024-02-12", None),
        ("12 февраля 2024", None),
        ("112.02.20245", None),
        ("", None),
    ],
)
def test_printed_date(text: str, expected: str | None) -> None:
    assert printed_date(text) == expected


def hearing(day: str) -> RawHearing:
    return RawHearing(source_id="s", url="u", date=day)


@pytest.mark.parametrize(
    ("pages", "window"),
    [
        ([["12.02.2024", "10.02.2024"], ["14.02.2024 09:00", ""]],
         ScanWindow(date(2024, 2, 10), date(2024, 2, 14))),
        ([["12.02.2024"], ["Tue 13 Feb 2024"]], None),
        ([[]], None),
        ([["", ""]], None),
    ],
)  # fmt: skip
def test_scan_window_only_when_every_date_reads(
    pages: list[list[str]], window: ScanWindow | None
) -> None:
    scan = Scan()
    for number, days in enumerate(pages):
        scan = scan.add(f"https://c.test/{number}", [hearing(d) for d in days])
    assert scan.window("printed") == window
    assert scan.window() == (window and ScanWindow(date.min, date.max))  # upcoming: every date
    assert scan.pages == len(pages)
    assert scan.items == sum(len(days) for days in pages)


def write_sources(folder: Path, text: str) -> Path:
    (folder / "sources.yaml").write_text(text, encoding="utf-8")
    return folder


def test_specs_from_config_enabled_only_unless_asked(tmp_path: Path) -> None:
    config = load_config(
        write_sources(
            tmp_path,
            """
sources:
  - {id: live, kind: court_table, url: "https://a.test/", court: A, timezone: Asia/Almaty}
  - {id: paused, kind: court_table, url: "https://b.test/", court: B, enabled: false}
  - {id: news, kind: feed, url: "https://c.test/rss"}
""",
        )
    )
    assert not config.problems
    assert [s.source_id for s in specs_from_config(config, KINDS)] == ["live"]
    assert [s.source_id for s in specs_from_config(config, KINDS, "paused")] == ["live", "paused"]
    assert sorted(sources_from_config(config, KINDS)) == ["live", "paused"]


def test_shipped_court_table_examples_are_disabled_and_unverified() -> None:
    config = load_config()
    assert not [p for p in config.problems if "court_table" in str(p) or "example" in str(p)]
    examples = [s for s in config.sources if s.kind == "court_table"]
    assert examples
    assert all(not s.enabled and not s.verified and s.court and s.timezone for s in examples)
    assert not [s for s in config.enabled_sources() if s.kind == "court_table"]


def test_a_spec_without_a_source_entry_is_reported() -> None:
    spec = FetchSpec(source_id="lost", url="https://c.test/", kind="court_table")
    spider = CourtTableSpider(specs=[spec], sources={})

    async def drain() -> list[Any]:
        return [item async for item in spider.start()]

    (report,) = asyncio.run(drain())
    assert isinstance(report, FetchReport)
    assert not report.ok
    assert report.error == "lost: no court_table entry with this id in the config"


# ---------------------------------------------------------------- the real crawl

SETTINGS = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_TIMEOUT": 5, "ITEM_PIPELINES": {},
            "LOG_LEVEL": "WARNING", "RETRY_ENABLED": False}  # fmt: skip


def crawl(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return crawl_in_subprocess("spiders.court_table:CourtTableSpider", SETTINGS, sources=sources)


def page(rows: list[tuple[str, str]], next_href: str = "") -> str:
    cells = "".join(f"<tr><td>{day}</td><td>{case}</td><td>Иванов</td></tr>" for day, case in rows)
    link = f'<a rel="next" href="{next_href}">дальше</a>' if next_href else ""
    return (
        "<!DOCTYPE html><html><head><title>График</title></head><body>"
        "<table><tr><th>Дата</th><th>Номер дела</th><th>Стороны</th></tr>"
        f"{cells}</table>{link}</body></html>"
    )


def serve_chain(server: LocalHTTPServer, prefix: str, count: int) -> str:
    """``count`` pages, each one row and a rel=next link to the following one."""
    for n in range(1, count + 1):
        following = f"{prefix}/{n + 1}" if n < count else ""
        server.route(f"{prefix}/{n}", body=page([(f"{n:02d}.03.2024", f"L-{n}")], following),
                     headers=HTML)  # fmt: skip
    return server.url(f"{prefix}/1")


def source(source_id: str, url: str, **extra: Any) -> dict[str, Any]:
    entry = {"id": source_id, "kind": "court_table", "url": url, "court": "Тестовый суд",
             "timezone": "Asia/Almaty", **extra}  # fmt: skip
    Source.model_validate(entry)
    return entry


def test_court_table_spider_reports_every_source_once(http_server: LocalHTTPServer) -> None:
    route = http_server.route
    paged = route("/paged", body=page([("12.02.2024", "A-1"), ("13.02.2024", "A-2")],
                                      "/paged?page=2"), headers=HTML)  # fmt: skip
    route("/paged?page=2", body=page([("20.02.2024 10:00", "A-3")]), headers=HTML)
    broken_next = route("/half", body=page([("01.04.2024", "B-1")], "/half/gone"), headers=HTML)
    loop = route("/loop", body=page([("02.04.2024", "C-1")], "/loop"), headers=HTML)
    sources = [
        source("paged", paged, language="ru", coverage="printed"),
        source("missing", http_server.url("/missing")),
        source(
            "no-table",
            route("/text", body="<html><body><p>Нет данных</p></body></html>", headers=HTML),
        ),
        source("empty", route("/empty", body=page([]), headers=HTML)),
        source(
            "json",
            route("/api", body='{"items": []}', headers={"Content-Type": "application/json"}),
        ),
        source("selector", paged, selector="table.schedule"),
        source("half", broken_next),
        source("loop", loop),
        source("long", serve_chain(http_server, "/long", MAX_PAGES + 1)),
        source("refused", f"http://127.0.0.1:{free_port()}/"),
    ]
    items = crawl(sources)

    reports = [i for i in items if i["_type"] == "FetchReport"]
    assert sorted(r["source_id"] for r in reports) == sorted(s["id"] for s in sources)
    by_id = {r["source_id"]: r for r in reports}
    errors = {k: r["error"] for k, r in by_id.items() if not r["ok"]}
    assert errors == {
        "missing": "missing: HTTP 404",
        "no-table": "no-table: no table on the page",
        "json": "json: not an HTML page (application/json)",
        "selector": "selector: selector 'table.schedule' matched nothing",
        "half": f"half: page 2 ({http_server.url('/half/gone')}): HTTP 404",
        "refused": "refused: connection refused",
    }
    assert by_id["missing"]["status"] == 404

    hearings = [i for i in items if i["_type"] == "RawHearing"]
    paged_rows = [h for h in hearings if h["source_id"] == "paged"]
    assert [(h["case_number"], h["url"], h["row"]) for h in paged_rows] == [
        ("A-1", paged, 1), ("A-2", paged, 2), ("A-3", http_server.url("/paged?page=2"), 1),
    ]  # fmt: skip
    assert {(h["court"], h["timezone"]) for h in paged_rows} == {("Тестовый суд", "Asia/Almaty")}
    assert by_id["paged"]["items"] == 3
    assert by_id["paged"]["extra"] == {"pages": "2"}
    assert by_id["paged"]["window"] == {"date_from": "2024-02-12", "date_to": "2024-02-20"}
    assert by_id["empty"]["extra"] == {"pages": "1"}
    assert by_id["empty"]["window"] is None, "complete, but no date printed: no window stated"
    assert by_id["empty"]["items"] == 0
    whole = {"date_from": "0001-01-01", "date_to": "9999-12-31"}  # coverage: upcoming
    assert by_id["loop"]["window"] == whole
    assert by_id["loop"]["items"] == 1
    assert by_id["long"]["items"] == MAX_PAGES
    assert by_id["long"]["window"] is None
    assert by_id["long"]["extra"]["pages"] == str(MAX_PAGES)
    assert not http_server.requests_to(f"/long/{MAX_PAGES + 1}")
    assert [h["source_id"] for h in hearings].count("half") == 1

    first = http_server.requests_to("/paged")[0]
    assert first.headers["Accept-Language"] == "ru"
    assert "text/html" in first.headers["Accept"]
