"""``kind: telegram``: the preview's addresses, how far a read goes, the row's checks, and what
ingest makes of a read — edits, deletions (once, only of posts stored, only inside the range
read), nothing on a failed or unchanged read. The spider over saved pages is in
tests/test_spiders.py; the real CLI against a served channel in tests/test_e2e_telegram.py."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.kinds import kind_problems
from pipeline.config.load import load_config
from pipeline.config.sources import Source
from pipeline.fetch.plan import due_rechecks, with_newest
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.items import ArticlePage, ArticleTarget, FetchReport, FetchSpec, PostRange, RawArticle
from pipeline.parse.telegram import (
    ChannelPage,
    Post,
    page_url,
    post_number,
    post_text,
    post_title,
    url_problem,
)
from pipeline.parse.telegram_scan import ChannelScan, older_page
from pipeline.store.models import ArticleRow, CaptureRow, EventRow

from support.crawling import crawl_in_subprocess
from support.http_server import LocalHTTPServer
from support.telegram_pages import FakePost, serve_channel

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PAGE = "http://127.0.0.1:9/s/demo_kz_news"
TRIAL = (
    "В Талдыкоргане начался суд над полицейскими, обвиняемыми в пытках задержанных\n"
    "Подсудимые, бывшие сотрудники департамента полиции, обвиняются по статье 146 УК."
)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://t.me/s/orda_kz", ""),
        ("https://t.me/s/orda_kz/", ""),
        ("http://127.0.0.1:8080/s/demo_kz_news", ""),  # the path is checked, not the host
        ("https://t.me/orda_kz", "expected a channel's public preview"),
        ("https://t.me/s/orda_kz?before=10", "expected a channel's public preview"),
        ("https://t.me/s/orda_kz/123", "expected a channel's public preview"),
        ("https://t.me/s/abc", "is not a public channel's name"),
        ("https://t.me/s/1orda", "is not a public channel's name"),
    ],
)
def test_url_problem(url: str, problem: str) -> None:
    found = url_problem(url)
    assert (problem in found) if problem else found == ""


def test_page_and_post_addresses() -> None:
    assert page_url("https://t.me/s/orda_kz/") == "https://t.me/s/orda_kz"
    assert (
        page_url("http://127.0.0.1:9/s/orda_kz", 4310) == "http://127.0.0.1:9/s/orda_kz?before=4310"
    )
    assert Post(12, "Orda_KZ").url == "https://t.me/orda_kz/12"
    assert post_number("https://t.me/orda_kz/12") == 12
    assert post_number("https://orda.kz/12") is None
    assert post_number("https://t.me/s/orda_kz") is None


@pytest.mark.parametrize(
    ("markup", "links", "title", "appended"),
    [
        ("<b>Заголовок</b><br/>Текст", (), "Заголовок", ""),
        ("⚡️<br/>Суд над полицейскими", (), "Суд над полицейскими", ""),  # an emoji line is no title
        ('Читать <a href="https://a.kz/x">далее</a>', ("https://a.kz/x",), "Читать далее",
         "https://a.kz/x"),  # a link its words hide is written out
        ("Смотрите a.kz/x", ("https://a.kz/x",), "Смотрите a.kz/x", ""),  # shown already
        ("", ("https://a.kz/x",), "https://a.kz/x", "https://a.kz/x"),  # only a link preview
        ("слово " * 40, (), ("слово " * 23).strip() + "…", ""),
    ],
)  # fmt: skip
def test_post_title_and_text(
    markup: str, links: tuple[str, ...], title: str, appended: str
) -> None:
    post = Post(1, "demo_kz_news", markup=markup, links=links)
    assert post_title(post) == title
    written_out = f"<br><br>{appended}" if markup else appended
    assert post_text(post) == markup + (written_out if appended else "")


def page(*numbers: int, older: bool = True) -> ChannelPage:
    return ChannelPage(tuple(Post(n, "demo_kz_news") for n in numbers), older)


@pytest.mark.parametrize(
    ("pages", "known", "expected", "note"),
    [
        ([page(*range(81, 101))], None, 81, ""),  # first read, depth 30 not reached
        ([page(*range(81, 101)), page(*range(61, 81))], None, None, ""),  # depth reached
        ([page(*range(81, 101), older=False)], None, None, ""),  # the channel's first post
        ([page(*range(81, 101))], 90, 81, ""),  # newest stored reached, recheck 25 not yet
        ([page(*range(81, 101)), page(*range(61, 81))], 90, None, ""),
        ([page(*range(81, 101)), page(*range(61, 81)), page(*range(41, 61))], 10, None,
         "stopped at max_pages (3): posts after #10, the newest stored, and before #41 were not read"),
        ([page(older=True)], 10, None, ""),  # an empty page ends the read
    ],
)  # fmt: skip
def test_how_far_a_read_goes(
    pages: list[ChannelPage], known: int | None, expected: int | None, note: str
) -> None:
    scan = ChannelScan()
    for shown in pages:
        scan.pages += 1
        scan.seen |= {p.number for p in shown.posts}
        scan.lowest = min([*scan.seen]) if scan.seen else None
    found = older_page(scan, pages[-1], known, depth=30, recheck=25, max_pages=3)
    assert (found, scan.note) == (expected, note)


def test_a_row_with_a_wrong_address_or_key_is_named() -> None:
    good = Source(id="tg", kind="telegram", url="https://t.me/s/orda_kz", depth=50)
    assert kind_problems(good) == []
    wrong = Source(id="tg", kind="telegram", url="https://t.me/orda_kz")
    assert kind_problems(wrong)[0][0] == ".url"
    assert "https://t.me/s/NAME" in kind_problems(wrong)[0][1]
    typo = Source(id="tg", kind="telegram", url="https://t.me/s/orda_kz", dept=5)
    assert kind_problems(typo)[0][0] == ".dept"
    too_deep = Source(id="tg", kind="telegram", url="https://t.me/s/orda_kz", depth=0)
    assert kind_problems(too_deep)[0][0] == ".depth"


# ---------------------------------------------------------------- the spider in a real crawl


def test_a_read_goes_out_whole_or_not_at_all(http_server: LocalHTTPServer) -> None:
    posts = [FakePost(n, weather(n), T0 + timedelta(minutes=n)) for n in range(100, 160)]
    serve_channel(http_server, "whole_chan", posts)
    serve_channel(http_server, "known_chan", posts)
    broken = serve_channel(http_server, "broken_chan", posts)[1]  # its second page
    http_server.route(broken, body="<html><body>oops</body></html>",
                      headers={"Content-Type": "text/html"})  # fmt: skip
    rows = [{"id": n.replace("_", "-"), "kind": "telegram", "url": http_server.url(f"/s/{n}"),
             "depth": 30, "recheck": 5} for n in ("whole_chan", "known_chan", "broken_chan")]  # fmt: skip
    specs = [{"source_id": r["id"], "url": r["url"], "kind": "telegram"} for r in rows]
    specs[1]["newest_url"] = "https://t.me/known_chan/150"
    settings = {"DOWNLOAD_DELAY": 0, "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING"}
    items = crawl_in_subprocess("spiders.telegram:TelegramSpider", settings, sources=rows,
                                specs=specs)  # fmt: skip

    stored = {r["id"]: 0 for r in rows}
    for item in items:
        if item["_type"] == "RawArticle":
            stored[item["source_id"]] += 1
    reports = {i["source_id"]: i for i in items if i["_type"] == "FetchReport"}
    assert stored == {"whole-chan": 40, "known-chan": 20, "broken-chan": 0}
    assert reports["whole-chan"]["posts"]["lowest"] == 120 and reports["whole-chan"]["ok"]
    assert reports["known-chan"]["posts"]["lowest"] == 140  # one page reached #150
    error = reports["broken-chan"]["error"]
    assert not reports["broken-chan"]["ok"] and reports["broken-chan"]["posts"] is None
    assert error.startswith("broken-chan: ") and "/s/broken_chan?before=140" in error
    assert "no posts container" in error


# ---------------------------------------------------------------- ingest, through the store


@pytest.fixture
def ctx(tmp_path: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    shutil.copy(REPO / "config" / "cases.yaml", tmp_path / "cases.yaml")
    (tmp_path / "sources.yaml").write_text(
        f"sources:\n  - {{id: tg, kind: telegram, url: '{PAGE}', language: ru}}\n",
        encoding="utf-8",
    )
    (tmp_path / "settings.yaml").write_text(
        "news_search: {enabled: false}\nevidence: {recheck_every: 0s}\n", encoding="utf-8"
    )
    return build_deps(config=load_config(tmp_path, environ={}), sessions=sessions)


def post(number: int, text: str) -> RawArticle:
    url = f"https://t.me/demo_kz_news/{number}"
    seen = ArticlePage(ArticleTarget(0, url, "tg"), 200, PAGE, body=f"<html>{text}</html>".encode())
    published = (T0 + timedelta(minutes=number)).isoformat()
    return RawArticle("tg", url, title=text.split("\n")[0], published=published, text=text,
                      language="ru", page=seen)  # fmt: skip


def read(
    ctx: IngestDeps, posts: dict[int, str], lowest: int, *, also_seen: Sequence[int] = (),
    ok: bool = True, not_modified: bool = False, hour: int = 0,
) -> None:  # fmt: skip
    at = T0 + timedelta(hours=hour)
    seen = tuple(sorted({*posts, *also_seen}))
    report = FetchReport("tg", PAGE, status=200, ok=ok, not_modified=not_modified,
                         items=len(posts), posts=PostRange(lowest, seen))  # fmt: skip
    deps = IngestDeps(ctx.config, ctx.sessions, ctx.matcher, clock=lambda: at,
                      channels_for=ctx.channels_for)  # fmt: skip
    ingest_fetch(deps, report, [post(n, t) for n, t in posts.items()], at)


def events(ctx: IngestDeps) -> list[tuple[str, str]]:
    with ctx.sessions() as session:
        rows = session.execute(select(EventRow.kind, EventRow.payload).order_by(EventRow.id))
        return [(kind, payload.get("url", "")) for kind, payload in rows]


def weather(n: int) -> str:
    return f"Погода в Алматы, выпуск {n}: без осадков."


def test_edits_and_deletions_of_a_channel(ctx: IngestDeps) -> None:
    channel = {n: weather(n) for n in range(10, 30) if n % 7}  # 14, 21, 28 never existed
    channel[20] = TRIAL
    read(ctx, channel, 10, also_seen=[21])  # 21: a service line, seen and never stored
    assert events(ctx) == [("article.new", "https://t.me/demo_kz_news/20")]

    edited = {**channel, 20: TRIAL.replace("146", "146 части 2")}
    read(ctx, edited, 10, hour=1)
    assert events(ctx)[1:] == [("article.changed", "https://t.me/demo_kz_news/20")]
    with ctx.sessions() as session:
        kinds = list(session.scalars(select(CaptureRow.kind).order_by(CaptureRow.id)))
        assert kinds == ["first", "changed"]
        (payload,) = session.scalars(
            select(EventRow.payload).where(EventRow.kind == "article.changed")
        )
        assert "+Подсудимые" in payload["diff"] and "146 части 2" in payload["diff"]

    read(ctx, edited, 10, hour=2)  # read again, unchanged: nothing
    assert len(events(ctx)) == 2

    # 20 (matched) and 25 deleted; 11 is below the range read; 14 was never stored
    later = {n: t for n, t in edited.items() if n not in (11, 20, 25)}
    later |= {30: weather(30), 31: weather(31)}
    read(ctx, later, 12, hour=3)
    assert events(ctx)[2:] == [("article.removed", "https://t.me/demo_kz_news/20")]
    with ctx.sessions() as session:
        removed = set(session.scalars(select(ArticleRow.canonical_url).where(
            ArticleRow.removed_at.is_not(None))))  # fmt: skip
        assert removed == {"https://t.me/demo_kz_news/20", "https://t.me/demo_kz_news/25"}
        (reason,) = session.scalars(
            select(EventRow.payload["reason"]).where(EventRow.kind == "article.removed")
        )
        assert "#20" in str(reason) and "#12" in str(reason)

    read(ctx, later, 12, hour=4)  # once: a removed post is not removed again
    assert len(events(ctx)) == 3


def test_a_failed_or_unchanged_read_removes_nothing(ctx: IngestDeps) -> None:
    read(ctx, {20: TRIAL, 22: weather(22)}, 20)
    read(ctx, {}, 10, ok=False, hour=1)
    read(ctx, {}, 10, not_modified=True, hour=2)
    with ctx.sessions() as session:
        assert (
            session.scalar(select(ArticleRow.id).where(ArticleRow.removed_at.is_not(None))) is None
        )
    assert [k for k, _ in events(ctx)] == ["article.new"]


def test_the_next_read_knows_the_newest_post_and_posts_are_not_rechecked(ctx: IngestDeps) -> None:
    read(ctx, {20: TRIAL, 22: weather(22), 23: weather(23)}, 20)
    spec = FetchSpec("tg", PAGE, "telegram")
    assert with_newest(ctx, [spec])[0].newest_url == "https://t.me/demo_kz_news/23"
    assert with_newest(ctx, [FetchSpec("other", PAGE, "telegram")])[0].newest_url == ""
    assert due_rechecks(ctx) == []  # the matched post is the channel's to re-read, not a page's
