"""The office.sud.kz schedule spider: real crawls against the fake JSF site, and its fixtures.

The crawls run the spider for real (Scrapy in a fresh process, the fake site on 127.0.0.1)
and check both sides: what the site saw (headers, ViewState, the cascade) and what the
spider yielded. The fixtures under ``tests/fixtures/spiders/office_sud_kz/`` are answers of
the same fake site, saved step by step by :func:`replay`; ``test_fixtures_match_the_fake_site``
keeps them in step with it (``UPDATE_FIXTURES=1`` rewrites them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import parsel
import pytest
import yaml
from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from pipeline.config.sources import Source
from pipeline.items import FetchSpec
from pipeline.parse.jsf import Pager, read_partial
from pipeline.parse.office_sud_kz import KIND, scan_of
from pipeline.scrapy_settings import USER_AGENT
from spiders.office_sud_kz import OfficeSudKzSpider

from support.crawling import crawl_in_subprocess
from support.jsf_server import PAGE_PATH, Court, FakeSite, JsfServer, Row, Seen

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "spiders" / KIND
UPDATE = os.environ.get("UPDATE_FIXTURES") == "1"
REAL_URL = "https://office.sud.kz" + PAGE_PATH
TODAY = "2023-02-09"

TALDYKORGAN = Court("4301", {"ru": "Талдыкорганский городской суд области Жетісу",
                             "kk": "Жетісу облысы Талдықорған қалалық соты"}, "22")  # fmt: skip
ZHETYSU = Court("437", {"ru": "Суд области Жетісу", "kk": "Жетісу облысының соты"}, "22",
                layout="reordered")  # fmt: skip
KAPAL = Court("4302", {"ru": "Капальский районный суд", "kk": "Қапал аудандық соты"}, "22")
TRIAL = [
    Row("10.02.2023", "10:00", "1917-22-00-1/215", "Дуйсенбеков Б.", "Токташ, Буханов, Жумашев",
        "ст. 146 ч. 2 УК РК", "Зал №3", case_type="CRIMINAL"),
    Row("10.02.2023", "11:30", "1917-22-00-1/216", "Дуйсенбеков Б.", "Кудебаев С.\nпотерпевшие: 7",
        "ст. 362 ч. 4 УК РК", "Зал №3", case_type="CRIMINAL"),
    Row("10.02.2023", "14:00", "1917-22-00-1/217", "Иванова А.", "Петров П.", "ст. 188 ч. 2 УК РК",
        "Зал №5", case_type="CRIMINAL"),
    Row("10.02.2023", "15:00", "1917-22-00-1/218", "Иванова А.", "Сидоров С.", "ст. 190 ч. 1 УК РК",
        "Зал №5", case_type="CRIMINAL"),
    Row("10.02.2023", "09:00", "1917-22-00-2/1543", "Ахметова Г.", "ТОО «Альфа» – ИП «Бета»",
        "взыскание долга", "Зал №1", case_type="CIVIL"),
]  # fmt: skip
APPEAL = [
    Row("10.02.2023", "10:00", "3300-23-00-1а/12", "Сейтова С.", "Токташ А. и др.", "ст. 146 ч. 2 УК РК",
        "Зал №1", "Нурланова Д."),
    Row("в течение дня", "", "3300-23-00-1а/13", "Сейтова С.", "Буханов Е.", "ст. 146 ч. 2 УК РК",
        "Зал №1", "Нурланова Д."),
    Row(),
]  # fmt: skip


def source(**fields: Any) -> Source:
    base = {"id": "office-zhetysu", "kind": KIND, "url": REAL_URL, "region": "22",
            "court_ids": ["4301", "437"], "case_types": ["CRIMINAL"], "days_ahead": 1}  # fmt: skip
    return Source.model_validate(base | fields)


def site(**kwargs: Any) -> FakeSite:
    fake = FakeSite(**kwargs)
    for court in (TALDYKORGAN, ZHETYSU, KAPAL):
        fake.add_court(court)
    fake.set_rows("4301", "10.02.2023", TRIAL)
    fake.set_rows("437", "10.02.2023", APPEAL)
    return fake


# ---------------------------------------------------------------- in-process replay (fixtures)


def as_response(request: Request, status: int, headers: dict[str, str], body: bytes) -> Response:
    scrapy_headers = Headers(headers)
    cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
    return cls(url=request.url, status=status, headers=scrapy_headers, body=body, request=request)


Step = Callable[[Request, Response, list[Any]], None]


def replay(fake: FakeSite, spider: OfficeSudKzSpider, on_step: Step) -> list[Any]:
    """Run the spider's walk against ``fake`` without a network (cookies kept per jar)."""
    queue: list[Any] = list(_drain_start(spider))
    out: list[Any] = []
    jars: dict[str, dict[str, str]] = {}
    while queue:
        request = queue.pop(0)
        if not isinstance(request, Request):
            out.append(request)
            continue
        jar = jars.setdefault(request.meta["cookiejar"], {})
        headers = {k.decode(): v[-1].decode() for k, v in request.headers.items()}
        headers |= {"Host": urlsplit(request.url).netloc}
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        answer = fake.handle(request.method, urlsplit(request.url).path, headers, request.body)
        name, _, value = answer.headers.get("Set-Cookie", "").split(";")[0].partition("=")
        if name:
            jar[name] = value
        response = as_response(request, answer.status, answer.headers, answer.body)
        produced = list(getattr(spider, request.callback.__name__)(response))
        on_step(request, response, produced)
        queue = produced + queue
    return out


def _drain_start(spider: OfficeSudKzSpider) -> list[Any]:
    async def drain() -> list[Any]:
        return [r async for r in spider.start()]

    return asyncio.run(drain())


def make_spider(src: Source) -> OfficeSudKzSpider:
    crawler = get_crawler(OfficeSudKzSpider, {"CASEWATCH_CONFIG": None})
    spec_kwargs = {"specs": [_spec(src)], "sources": {src.id: src}, "today": TODAY}
    return OfficeSudKzSpider.from_crawler(crawler, **spec_kwargs)


def _spec(src: Source) -> FetchSpec:
    return FetchSpec(source_id=src.id, url=src.url, kind=src.kind)


def meta_json(meta: dict[str, Any]) -> dict[str, Any]:
    keep = {k: v for k, v in meta.items() if k in (KIND, "step", "cookiejar", "dont_redirect")}
    keep[KIND] = dataclasses.asdict(scan_of(meta))
    return keep


def _expired_site() -> FakeSite:
    fake = site(base=34, seed=3)
    fake.fault("expire", "search", times=-1)
    return fake


def _not_form_site() -> FakeSite:
    fake = site(base=34, seed=4)
    fake.not_a_form = True
    return fake


SCENARIOS: dict[str, tuple[Callable[[], FakeSite], Source, dict[tuple[str, int], str]]] = {
    "ru": (lambda: site(base=34, seed=1), source(), {
        ("parse", 0): "page-ru", ("parse_region", 0): "courts", ("parse_court", 0): "case-types",
        ("parse_case_type", 0): "chosen", ("parse_date", 0): "date-set",
        ("parse_results", 0): "empty-ru", ("parse_results", 1): "ru-page1",
        ("parse_results", 2): "ru-page2", ("parse_results", 4): "reordered-extra-column"}),
    "kk": (lambda: site(base=34, seed=2), source(interface_language="kk", court_ids=["4301"], case_types=[]), {
        ("parse", 0): "page-kk-switch", ("parse_language", 0): "switched", ("parse", 1): "page-kk",
        ("parse_court", 0): "case-types-kk", ("parse_results", 0): "empty-kk", ("parse_results", 1): "kk"}),
    "expired": (_expired_site, source(court_ids=["4301"], days_ahead=0), {
        ("parse_results", 0): "view-expired", ("parse_results", 1): "view-expired-again"}),
    "not-form": (_not_form_site, source(), {("parse", 0): "not-a-form"}),
}  # fmt: skip


"""name → (site, source, {(callback, nth call): fixture label}): the steps saved as fixtures."""


def fixture_files(name: str) -> dict[str, bytes]:
    """The files a scenario saves: body, ``.headers.json`` and ``.request.json`` per step."""
    fake, src, labels = SCENARIOS[name]
    counts: dict[str, int] = {}
    files: dict[str, bytes] = {}

    def save(request: Request, response: Response, produced: list[Any]) -> None:
        callback = request.callback.__name__
        nth = counts.get(callback, 0)
        counts[callback] = nth + 1
        label = labels.get((callback, nth))
        if label is None:
            return
        ext = "xml" if b"<partial-response" in response.body[:200] else "html"
        stem = f"{callback}--{label}"
        files[f"{stem}.{ext}"] = response.body
        headers = {"Content-Type": response.headers.get("Content-Type", b"").decode()}
        files[f"{stem}.headers.json"] = _json(headers)
        doc = {"url": response.url, "status": response.status, "meta": meta_json(request.meta)}
        files[f"{stem}.request.json"] = _json(doc)

    replay(fake(), make_spider(src), save)
    missing = set(labels.values()) - {n.split("--", 1)[1].split(".")[0] for n in files}
    assert not missing, f"scenario {name}: steps never reached: {missing}"
    return files


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fixtures_match_the_fake_site(name: str) -> None:
    for filename, content in fixture_files(name).items():
        path = FIXTURES / filename
        if UPDATE or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        assert path.read_bytes() == content, f"{path}: differs from what the fake site plays"


# ---------------------------------------------------------------- real crawls

RETRIES = 2
SETTINGS = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_TIMEOUT": 5, "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING",
            "RETRY_TIMES": RETRIES, "OFFICE_SUD_KZ_RETRY_BACKOFF": 0.01}  # fmt: skip


def _faulty(*faults: tuple[str, str, int], not_a_form: bool = False) -> FakeSite:
    fake = site()
    for kind, step, times in faults:
        fake.fault(kind, step, times)
    fake.not_a_form = not_a_form
    return fake


ASTANA = Court(
    "2301", {"ru": "Есильский районный суд города Астаны", "kk": "Есіл аудандық соты"}, "2"
)


def _country() -> FakeSite:
    """Courts in two regions: a country-wide scan visits both."""
    fake = site()
    fake.add_court(ASTANA)
    fake.set_rows("2301", "10.02.2023", [
        Row("10.02.2023", "12:00", "7110-23-00-1/55", "Омарова Ж.", "Сапаров Е.К.",
            "ст. 146 ч. 1 УК РК", "Зал №2", case_type="CRIMINAL"),
    ])  # fmt: skip
    return fake


CRAWLS: dict[str, tuple[FakeSite, dict[str, Any]]] = {
    "all-regions": (_country(), {"region": "all", "court_ids": []}),
    "ru": (site(), {}),
    "kk": (site(), {"interface_language": "kk", "court_ids": ["4301"]}),
    "expire-once": (_faulty(("expire", "page", 1)), {}),
    "expire-always": (_faulty(("expire", "search", -1)), {}),
    "redirect-once": (_faulty(("redirect", "court", 1)), {}),
    "drop-once": (_faulty(("drop", "date", 1)), {}),
    "drop-always": (_faulty(("drop", "search", -1)), {}),
    "not-form": (_faulty(not_a_form=True), {}),
    "missing-court": (site(), {"court_ids": ["9999", "4301"], "days_ahead": 0}),
}
"""One crawl, one fake site per source: each source meets its own behaviour of the site."""


@dataclasses.dataclass(frozen=True)
class Crawl:
    sites: dict[str, FakeSite]
    items: list[dict[str, Any]]

    def of(self, name: str, kind: str = "RawHearing") -> list[dict[str, Any]]:
        return [i for i in self.items if i["source_id"] == f"office-{name}" and i["_type"] == kind]

    def report(self, name: str) -> dict[str, Any]:
        reports = self.of(name, "FetchReport")
        assert len(reports) == 1, f"{name}: {len(reports)} reports"
        return reports[0]

    def seen(self, name: str) -> list[Seen]:
        """What the site saw at the page's path (robots.txt left out)."""
        return [s for s in self.sites[name].seen if s.path == PAGE_PATH]

    def steps(self, name: str) -> list[str]:
        return [s.step for s in self.seen(name)]


@pytest.fixture(scope="module")
def crawl() -> Iterator[Crawl]:
    servers = {name: JsfServer(fake) for name, (fake, _) in CRAWLS.items()}
    for server in servers.values():
        server.__enter__()
    try:
        sources = [source(id=f"office-{name}", url=servers[name].url, **fields).model_dump(mode="json")
                   for name, (_, fields) in CRAWLS.items()]  # fmt: skip
        items = crawl_in_subprocess(
            "spiders.office_sud_kz:OfficeSudKzSpider", SETTINGS, sources=sources, today=TODAY
        )
        yield Crawl({n: s.site for n, s in servers.items()}, items)
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)


RU_STEPS = ["page", "region", "court", "case_type", "date", "search", "date", "search", "page",
            "court", "case_type", "date", "search", "date", "search"]  # fmt: skip


def test_every_source_reports_once(crawl: Crawl) -> None:
    reports = [i["source_id"] for i in crawl.items if i["_type"] == "FetchReport"]
    assert sorted(reports) == sorted(f"office-{name}" for name in CRAWLS)


def test_the_site_saw_the_cascade_with_the_right_headers_and_view_state(crawl: Crawl) -> None:
    fake = crawl.sites["ru"]
    assert fake.violations == []
    assert crawl.steps("ru") == RU_STEPS
    seen = crawl.seen("ru")
    posts = [s for s in seen if s.method == "POST"]
    assert {s.answer for s in posts} == {"ok"} and len({s.session for s in seen}) == 1
    assert {s.headers["user-agent"] for s in fake.seen} == {USER_AGENT}
    search = next(s.form() for s in posts if s.step == "search")
    assert search[fake.ids["region"]] == "22" and search[fake.ids["court"]] == "4301"
    assert search[fake.ids["case_type"]] == "CRIMINAL" and search[fake.ids["date"]] == "09.02.2023"
    assert search[fake.ids["search"]] == fake.ids["search"]
    assert fake.ids["form"] != crawl.sites["kk"].ids["form"], "j_idtNN prefixes differ per site"


def test_russian_rows_are_read_by_header_across_pages_and_layouts(crawl: Crawl) -> None:
    rows = crawl.of("ru")
    assert [r["case_number"] for r in rows] == [r.case_number for r in TRIAL[:4]] + [
        "3300-23-00-1а/12", "3300-23-00-1а/13"]  # fmt: skip
    first = rows[0]
    assert (first["court"], first["date"], first["time"], first["judge"], first["courtroom"]) == (
        TALDYKORGAN.names["ru"], "10.02.2023", "10:00", "Дуйсенбеков Б.", "Зал №3")  # fmt: skip
    assert first["category"] == "ст. 146 ч. 2 УК РК" and first["timezone"] == "Asia/Almaty"
    appeal = rows[4]
    assert appeal["court"] == ZHETYSU.names["ru"] and appeal["parties"] == "Токташ А. и др."
    assert appeal["cells"]["Секретарь судебного заседания"] == "Нурланова Д."
    assert list(appeal["cells"])[:3] == ["Номер дела", "Время", "Дата"]
    assert rows[5]["date"] == "в течение дня", "an unparseable date is kept as printed"
    report = crawl.report("ru")
    assert report["ok"] and report["items"] == 6
    assert report["window"] == {"date_from": "2023-02-09", "date_to": "2023-02-10"}


def test_kazakh_interface(crawl: Crawl) -> None:
    fake = crawl.sites["kk"]
    assert fake.violations == [] and crawl.steps("kk")[:3] == ["page", "language", "page"]
    language = next(s.form() for s in fake.seen if s.step == "language")
    assert language["javax.faces.source"] == "f_l_temp:js_temp_2"
    assert language["param1"] == f"http://{fake.seen[0].headers['host']}{PAGE_PATH}"
    rows = crawl.of("kk")
    assert len(rows) == 4 and {r["court"] for r in rows} == {TALDYKORGAN.names["kk"]}
    assert rows[0]["cells"]["Іс нөмірі"] == rows[0]["case_number"] == "1917-22-00-1/215"
    assert rows[0]["parties"] == "Токташ, Буханов, Жумашев" and rows[0]["courtroom"] == "Зал №3"
    assert crawl.report("kk")["window"] is not None


def test_view_expired_once_starts_over_without_repeating_rows(crawl: Crawl) -> None:
    report = crawl.report("expire-once")
    assert report["ok"] and report["extra"]["restarts"] == "1" and report["window"] is not None
    assert [r["case_number"] for r in crawl.of("expire-once")] == [
        r["case_number"] for r in crawl.of("ru")
    ]
    assert len({s.session for s in crawl.seen("expire-once")}) == 2, "a fresh session after expiry"


def test_view_expired_every_time_is_a_source_error(crawl: Crawl) -> None:
    report = crawl.report("expire-always")
    assert not report["ok"] and report["window"] is None
    assert "step 7 (search): view expired again after 1 restart" in report["error"]
    assert crawl.steps("expire-always").count("page") == 2


def test_a_redirect_to_login_starts_over(crawl: Crawl) -> None:
    report = crawl.report("redirect-once")
    assert report["ok"] and report["extra"]["restarts"] == "1" and report["items"] == 6


def test_a_dropped_connection_is_retried(crawl: Crawl) -> None:
    report = crawl.report("drop-once")
    assert report["ok"] and report["items"] == 6
    assert [s.answer for s in crawl.seen("drop-once") if s.step == "date"][:2] == ["drop", "ok"]


def test_retries_exhausted_is_reported(crawl: Crawl) -> None:
    report = crawl.report("drop-always")
    assert not report["ok"] and f"gave up after {RETRIES} retries" in report["error"]
    assert report["error"].startswith("office-drop-always: step 7 (search): ")
    assert crawl.steps("drop-always").count("search") == RETRIES + 1


def test_a_page_that_is_not_the_form_is_a_source_error(crawl: Crawl) -> None:
    report = crawl.report("not-form")
    assert not report["ok"] and report["error"].startswith(
        "office-not-form: step 1 (open the schedule page): no <form> whose id ends in "
        "'schedule-of-case-filter-form' in the response from http://127.0.0.1:"
    )
    assert report["response"]["step"] == 1 and report["response"]["callback"] == "parse"
    assert crawl.of("not-form") == []


def test_a_court_the_region_does_not_offer_leaves_the_scan_incomplete(crawl: Crawl) -> None:
    report = crawl.report("missing-court")
    assert report["ok"] and report["window"] is None
    assert report["extra"]["gaps"] == "court '9999' not offered"
    assert "court" in crawl.steps("missing-court")


def test_standalone_scrapy_crawl_reads_the_config_folder(tmp_path: Path) -> None:
    with JsfServer(site()) as server:
        entry = source(id="office-cli", url=server.url, court_ids=["4301"]).model_dump(mode="json")
        (tmp_path / "sources.yaml").write_text(
            yaml.safe_dump({"sources": [entry]}), encoding="utf-8"
        )
        out = tmp_path / "items.jsonl"
        command = [sys.executable, "-m", "scrapy", "crawl", KIND, "-a", "source=office-cli",
                   "-a", f"today={TODAY}", "-s", f"CASEWATCH_CONFIG={tmp_path}", "-s", "ITEM_PIPELINES={}",
                   "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING", "-O", str(out)]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
        )
    assert done.returncode == 0, done.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [i["case_number"] for i in items if "case_number" in i] == [
        r.case_number for r in TRIAL[:4]
    ]
    assert [i["window"] for i in items if "window" in i] == [
        {"date_from": "2023-02-09", "date_to": "2023-02-10"}
    ]


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("scroller", "page", "expected"),
    [
        ('<a id="f:ds_ds_next" class="rf-ds-btn">»</a>', 1, "f:ds_ds_next"),
        ('<span id="f:ds_ds_next" class="rf-ds-btn rf-ds-dis">»</span>', 2, ""),
        ('<a id="f:ds_ds_next" class="rf-ds-btn rf-ds-dis">»</a>', 2, ""),
        ('<button id="f:pager:next" disabled="disabled">»</button>', 1, ""),
        ('<a id="f:ds_1">1</a><a id="f:ds_2">2</a>', 1, "f:ds_2"),
        ('<a id="f:ds_1">1</a><a id="f:ds_2">2</a>', 2, ""),
        ("<p>no pager</p>", 1, ""),
    ],
)
def test_pager_finds_the_next_page(scroller: str, page: int, expected: str) -> None:
    assert Pager().next_control(parsel.Selector(text=scroller), page) == expected


XML = {"Content-Type": "text/xml;charset=UTF-8"}
EXPIRED_BODY = FakeSite(seed=0).handle("POST", PAGE_PATH, {}, b"javax.faces.source=x:search").body


@pytest.mark.parametrize(
    ("status", "headers", "body", "problem"),
    [
        (200, XML, b'<partial-response><changes><update id="a"><![CDATA[<b>x</b>]]></update>'
                   b"</changes></partial-response>", ""),
        (200, XML, EXPIRED_BODY, "view expired (javax.faces.application.ViewExpiredException)"),
        (200, XML, b"<partial-response><error><error-name>javax.faces.FacesException</error-name>"
                   b"<error-message>boom</error-message></error></partial-response>",
         "server error (javax.faces.FacesException: boom)"),
        (200, XML, b'<partial-response><redirect url="/new/auth/login.xhtml"/></partial-response>',
         "view expired (redirected to /new/auth/login.xhtml)"),
        (302, {"Location": "https://auth.sud.kz/"}, b"", "view expired (HTTP 302 to https://auth.sud.kz/)"),
        (503, {}, b"busy", "HTTP 503"),
        (200, {"Content-Type": "text/html"}, b"<html><body>Hi</body></html>",
         "not a partial response (no <partial-response>)"),
    ],
)  # fmt: skip
def test_read_partial(status: int, headers: dict[str, str], body: bytes, problem: str) -> None:
    response = as_response(Request(REAL_URL), status, headers, body)
    found, updates = read_partial(response)
    assert found == problem
    assert updates == ({"a": "<b>x</b>"} if not problem else {})


def test_a_form_without_a_search_button_is_a_source_error() -> None:
    fake = site(base=34)
    page = fake.handle("GET", PAGE_PATH, {}, b"").body.replace(b":search", b":go")
    spider = make_spider(source())
    [request] = _drain_start(spider)
    produced = list(spider.parse(as_response(request, 200, {"Content-Type": "text/html"}, page)))
    assert [type(p).__name__ for p in produced] == ["FetchReport"]
    assert "step 1 (open the schedule page): no search button (id ending in ':search')" in (
        produced[0].error
    )


def test_region_all_visits_every_court_of_every_region(crawl: Crawl) -> None:
    steps = crawl.steps("all-regions")
    assert steps.count("region") == 2 and steps.count("court") == 4  # Astana 1, Zhetysu 3
    courts = {h["court"] for h in crawl.of("all-regions")}
    assert courts == {ASTANA.names["ru"], TALDYKORGAN.names["ru"], ZHETYSU.names["ru"]}
    report = crawl.report("all-regions")
    assert report["ok"] and report["window"] is not None  # a complete scan: removals count
    regions = [
        s.form().get(crawl.sites["all-regions"].ids["region"])
        for s in crawl.seen("all-regions")
        if s.step == "region"
    ]
    assert regions == ["2", "22"]


def test_court_ids_with_several_regions_is_a_plan_problem() -> None:
    spider = make_spider(source(region="all"))
    [failed] = _drain_start(spider)
    assert "court_ids name courts of one region" in failed.error
