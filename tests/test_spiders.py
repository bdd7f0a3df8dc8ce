"""Every spider over its saved responses, and the feed spider for real against a local server.

Fixtures: ``tests/fixtures/spiders/<spider>/<callback>--<label>.<xml|html|json>`` with
``<stem>.expected.json`` beside (what the callback yields), optionally ``<stem>.headers.json``
(response headers) and ``<stem>.request.json`` (``{"url", "status", "meta"}`` of the response).
A follow-up request is summarised (its form as "key=value" lines, the headers it sets,
``meta["step"]``). Files named ``README*`` in a fixture folder are notes, not fixtures.
``UPDATE_FIXTURES=1`` rewrites the expected files; a missing one is written and the test fails
until someone reviews it (the git diff is the review).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import hashlib
import importlib
import inspect
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from scrapy import Request, Spider
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler

from support.crawling import crawl_in_subprocess
from support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "spiders"
SIDE_FILES = (".expected.json", ".headers.json", ".request.json")
UPDATE = os.environ.get("UPDATE_FIXTURES") == "1"


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("pipeline.scrapy_settings", priority="project")
    return settings


def callback_settings() -> dict[str, Any]:
    """The project's settings without the reactor choice (callbacks run without a reactor)."""
    module = importlib.import_module("pipeline.scrapy_settings")
    return {k: v for k, v in vars(module).items() if k.isupper() and k != "TWISTED_REACTOR"}


def spider_classes() -> dict[str, type[Spider]]:
    loader = SpiderLoader.from_settings(project_settings())
    return {name: loader.load(name) for name in loader.list()}


def fixture_files() -> list[Path]:
    return sorted(
        path
        for path in FIXTURES.glob("*/*")
        if path.is_file()
        and not path.name.endswith(SIDE_FILES)
        and not path.name.startswith("README")
    )


def side_file(fixture: Path, suffix: str) -> Path:
    return fixture.with_name(fixture.stem + suffix)


def read_json(path: Path, default: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


def fixture_response(fixture: Path) -> Response:
    """The response Scrapy would have built for this body (class chosen like the downloader)."""
    request_doc = read_json(side_file(fixture, ".request.json"), {})
    url = request_doc.get("url", f"https://fixtures.casewatch.test/{fixture.name}")
    headers = Headers(read_json(side_file(fixture, ".headers.json"), {}))
    body = fixture.read_bytes()
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    request = Request(url, meta=request_doc.get("meta", {}))
    status = request_doc.get("status", 200)
    return cls(url=url, status=status, headers=headers, body=body, request=request)


def run_callback(spider: Spider, callback: str, response: Response) -> list[Any]:
    result = getattr(spider, callback)(response)
    if inspect.isasyncgen(result):

        async def drain() -> list[Any]:
            return [item async for item in result]

        return asyncio.run(drain())
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return [] if result is None else list(result)


def to_json(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        doc = {"_type": type(obj).__name__, **dataclasses.asdict(obj)}
        if doc.get("page"):  # the fetched page kept as evidence: its identity, not its bytes
            doc["page"] = page_summary(doc["page"])
        elif "page" in doc:  # an item read from a feed or a table: no page to keep
            del doc["page"]
        if doc.get("response"):  # a failed report's response, to be kept: what, not the bytes
            doc["response"] = response_summary(doc["response"])
        elif "response" in doc:  # a report with no response to keep
            del doc["response"]
        if "posts" in doc and doc["posts"] is None:  # a report of no channel read
            del doc["posts"]
        return doc
    if isinstance(obj, Request):
        callback = getattr(obj.callback, "__name__", None)
        doc = {"_type": "Request", "url": obj.url, "method": obj.method, "callback": callback,
               "body": obj.body.decode("utf-8", "replace")}  # fmt: skip
        return doc | request_summary(obj)
    return obj


def page_summary(page: dict[str, Any]) -> dict[str, Any]:
    body = page.pop("body")
    return {**page, "body_sha256": hashlib.sha256(body).hexdigest(), "body_size": len(body)}


def response_summary(response: dict[str, Any]) -> dict[str, Any]:
    summary = page_summary(response)
    return {k: v for k, v in summary.items() if k != "meta"}


def request_summary(request: Request) -> dict[str, Any]:
    """What makes a follow-up request reviewable: a form body as "key=value" lines, the headers
    the spider set, and the spider's own label of the step (``meta["step"]``), when there are any."""
    doc: dict[str, Any] = {}
    content_type = request.headers.get("Content-Type", b"").decode("latin-1")
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        doc["formdata"] = [f"{key}={value}" for key, value in pairs]
    if request.method != "GET" and request.headers:
        doc["headers"] = {k.decode(): v[-1].decode() for k, v in request.headers.items()}
    if "step" in request.meta:
        doc["step"] = request.meta["step"]
    return doc


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spider_fixture(fixture: Path) -> None:
    classes = spider_classes()
    spider_name = fixture.parent.name
    assert spider_name in classes, f"{fixture.parent}: no spider named {spider_name!r}"
    spider_cls = classes[spider_name]
    spider = spider_cls.from_crawler(get_crawler(spider_cls, callback_settings()))
    callback = fixture.stem.split("--", 1)[0]
    produced = [to_json(item) for item in run_callback(spider, callback, fixture_response(fixture))]
    rendered = json.dumps(produced, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    expected_path = side_file(fixture, ".expected.json")
    if UPDATE or not expected_path.exists():
        existed = expected_path.exists()
        expected_path.write_text(rendered + "\n", encoding="utf-8")
        if not existed:
            pytest.fail(f"{expected_path}: written for the first time; review it and run again")
    assert json.loads(rendered) == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_spider_has_fixtures() -> None:
    missing = [
        name for name in spider_classes() if not any(p.parent.name == name for p in fixture_files())
    ]
    assert not missing, f"spiders without fixtures under {FIXTURES}: {missing}"


def test_feed_fixtures_cover_each_shape() -> None:
    labels = {p.stem.split("--", 1)[1] for p in fixture_files() if p.parent.name == "feed"}
    wanted = {"rss-azattyq-ru", "atom-en", "rdf-ru", "cp1251-undeclared", "google-news-search",
              "malformed-truncated", "html-page", "empty-body"}  # fmt: skip
    assert wanted <= labels


# ---------------------------------------------------------------- the real crawl

GOOD_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local</title><link>http://127.0.0.1/</link>
<item><title>Первая новость</title><link>http://127.0.0.1/a/1.html</link>
<pubDate>Fri, 10 Feb 2023 09:31:12 +0000</pubDate></item>
<item><title>Вторая новость</title><link>http://127.0.0.1/a/2.html</link></item>
</channel></rss>""".encode()
GOOD_SHA = hashlib.sha256(GOOD_FEED).hexdigest()
CAP = 2048
TIMEOUT = 1


@pytest.fixture
def streaming_server() -> Iterator[str]:
    """One HTTP/1.0 answer with no Content-Length: the cap can only bite while it streams."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):  # the listener closes at teardown
            while True:
                conn, _ = listener.accept()
                with conn, contextlib.suppress(OSError):
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
                    for _ in range(8):
                        conn.sendall(b"<!--" + b"x" * 1024 + b"-->")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    listener.close()


def crawl(specs: list[dict[str, str]], settings: dict[str, Any]) -> list[dict[str, Any]]:
    return crawl_in_subprocess("spiders.feed:FeedSpider", settings, specs=specs)


def as_spec(source_id: str, value: str | dict[str, str]) -> dict[str, str]:
    fields = value if isinstance(value, dict) else {"url": value}
    return {"source_id": source_id, "kind": "feed", **fields}


def test_feed_spider_reports_every_source_once(http_server, streaming_server) -> None:  # type: ignore[no-untyped-def]
    rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
    good = http_server.route("/good.xml", body=GOOD_FEED, headers={**rss, "ETag": '"v1"'})
    bomb = gzip.compress(GOOD_FEED + b"<!--" + b" " * CAP * 8 + b"-->")
    specs = {
        "good": good,
        "moved": http_server.route("/moved", status=301, headers={"Location": good}),
        "cached": {"url": good, "etag": '"v1"'},
        "unchanged": {"url": http_server.route("/same.xml", body=GOOD_FEED), "body_sha256": GOOD_SHA},
        "missing": http_server.url("/missing"),
        "broken": http_server.route("/error", body="oops", status=500),
        "slow": http_server.route("/slow", body=GOOD_FEED, delay=60),
        "huge": http_server.route("/big", body=GOOD_FEED + b" " * CAP * 2, headers=rss),
        "huge-stream": streaming_server,
        "gzip-bomb": http_server.route("/bomb", body=bomb, headers={**rss, "Content-Encoding": "gzip"}),
        "page": http_server.route("/page", body="<!DOCTYPE html><html><body>Hi</body></html>",
                                  headers={"Content-Type": "text/html"}),
        "refused": f"http://127.0.0.1:{free_port()}/feed.xml",
    }  # fmt: skip
    settings = {"DOWNLOAD_TIMEOUT": TIMEOUT, "CASEWATCH_MAX_BODY_BYTES": CAP,
                "DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING"}  # fmt: skip
    items = crawl([as_spec(k, v) for k, v in specs.items()], settings)

    reports = {i["source_id"]: i for i in items if i["_type"] == "FetchReport"}
    assert sorted(i["source_id"] for i in items if i["_type"] == "FetchReport") == sorted(specs)
    articles = [i for i in items if i["_type"] == "RawArticle"]
    assert sorted(a["source_id"] for a in articles) == ["good", "good", "moved", "moved"]
    assert reports["good"]["ok"] and reports["good"]["items"] == 2
    assert reports["good"]["etag"] == '"v1"' and reports["good"]["body_sha256"] == GOOD_SHA
    assert reports["cached"]["not_modified"] and reports["cached"]["status"] == 304
    assert reports["unchanged"]["not_modified"]
    assert reports["unchanged"]["extra"] == {"reason": "unchanged body"}
    errors = {k: r["error"] for k, r in reports.items() if not r["ok"]}
    assert errors == {
        "missing": "missing: HTTP 404",
        "broken": "broken: HTTP 500",
        "slow": f"slow: timed out after {TIMEOUT}s",
        "huge": "huge: body over 2 KB cap",
        "huge-stream": "huge-stream: body over 2 KB cap",
        "gzip-bomb": "gzip-bomb: body over 2 KB cap",
        "page": "page: not a feed (HTML page)",
        "refused": "refused: connection refused",
    }
    feed_requests = http_server.requests_to("/good.xml")
    assert {r.headers["User-Agent"] for r in feed_requests} == {project_settings()["USER_AGENT"]}
    assert any(r.headers.get("If-None-Match") == '"v1"' for r in feed_requests)
