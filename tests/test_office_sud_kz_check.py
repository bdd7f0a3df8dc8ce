"""office.sud.kz diagnosing its own first live run (issue 11), through the real ``casewatch``.

Against the fake site on 127.0.0.1 (:mod:`support.jsf_server`), whole or with one piece the
spider expects taken away (the form id, the court <select> or option, the results table, the
pager): a run fails naming the step and the missing piece, keeps the raw response under the
data folder (no cookie in it), ``casewatch sources`` shows where, and nothing is removed; and
``casewatch crawl SOURCE --check`` prints each step of the whole site (exit 0) or stops at the
broken one with the same message (exit 1), without a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import parsel
import pytest
from scrapy import Request
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from pipeline.items import RawResponse
from pipeline.parse.jsf import Pager, PagerView
from pipeline.store.responses import KEEP, MAX_BODY, keep_response, kept_path
from spiders.office_sud_kz import OfficeSudKzSpider

from support.cli import Cli, run_casewatch, write_config
from support.jsf_server import Court, FakeSite, JsfServer, Row

SOURCE = "office-zhetysu"
DAY = (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=1)).date().isoformat()
TOMORROW = datetime.fromisoformat(DAY).strftime("%d.%m.%Y")
"""The second day of the window, as the check prints it and as the date field takes it."""
TALDYKORGAN = Court("4301", {"ru": "Талдыкорганский городской суд области Жетісу",
                             "kk": "Жетісу облысы Талдықорған қалалық соты"}, "22")  # fmt: skip
KAPAL = Court("4302", {"ru": "Капальский районный суд", "kk": "Қапал аудандық соты"}, "22")
NUMBERS = ("1917-22-00-1/215", "1917-22-00-1/216", "1917-22-00-1/217", "1917-22-00-1/218")
ROWS = [Row(TOMORROW, f"{10 + n}:00", number, "Дуйсенбеков Б.", "Токташ, Буханов, Жумашев",
            "ст. 146 ч. 2 УК РК", "Зал №3", case_type="CRIMINAL")
        for n, number in enumerate(NUMBERS)]  # fmt: skip
"""Four hearings tomorrow: two result pages (the fake prints three rows a page)."""
CASES = f"""
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {{ru: [пытки]}}
    case_numbers: {json.dumps(list(NUMBERS))}
"""
FORM_ID = "'schedule-of-case-filter-form'"
BROKEN = {
    "form-id": ("step 1 (open the schedule page)", f"no <form> whose id ends in {FORM_ID}"),
    "court-select": ("step 3 (choose the region)",
                     "no <select> for the court (id ending in 'court-field')"),
    "court-option": ("step 3 (choose the region)",
                     "no option '4301' in the court <select> in the answer from http://127.0.0.1:"),
    "results-table": ("step 7 (search)", "no results table"),
    "pager": ("step 8 (open the next result page)",
              "no pager in the answer to the page-2 click from http://127.0.0.1:"),
    "pager-markup": ("step 7 (search)",
                     "the pager names 2 pages but offers no control to page 2"),
}  # fmt: skip
"""Breakage → (the step the run fails at, what its message names)."""
WALKED = {
    "form-id": [1], "court-select": [1, 3], "court-option": [1, 3],
    "results-table": [1, 3, 4, 5, 6, 7], "pager": [1, 3, 4, 5, 6, 7, 6, 7, 8],
    "pager-markup": [1, 3, 4, 5, 6, 7, 6, 7],
}  # fmt: skip
"""Breakage → the steps a check prints, the broken one last (today: no hearings; tomorrow:
two pages of them)."""


def fake_site(*broken: str) -> FakeSite:
    fake = FakeSite()
    if "court-option" not in broken:  # the region no longer offers the configured court
        fake.add_court(TALDYKORGAN)
    fake.add_court(KAPAL)
    fake.set_rows("4301", TOMORROW, ROWS)
    return fake.break_(*(b for b in broken if b != "court-option"))


@pytest.fixture
def site() -> Iterator[JsfServer]:
    with JsfServer(fake_site()) as server:
        yield server


def make_config(tmp_path: Path, url: str) -> Path:
    settings = (
        f"data_dir: {tmp_path / 'data'}\ndownload_timeout: 5s\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\nevidence: {max_per_source: 0, recheck_per_run: 0}\n"
    )
    sources = f"""
    sources:
      - id: {SOURCE}
        kind: office_sud_kz
        url: {url}
        region: "22"
        court_ids: ["4301"]
        case_types: [CRIMINAL]
        days_ahead: 1
        timezone: Asia/Almaty
        every: 1d
    """
    return write_config(tmp_path / "config", settings=settings, sources=sources, cases=CASES)


def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'casewatch.db'}"


def crawl(config: Path, db: str, *args: str) -> str:
    done = run_casewatch(config, db, "crawl", SOURCE, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def kept_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data" / "responses" / SOURCE
    return sorted(folder.iterdir()) if folder.exists() else []


def replay_kept(body: Path) -> list[Any]:
    """A kept response through the callback its ``.request.json`` names, as a fixture is."""
    request = json.loads(body.with_name(body.stem + ".request.json").read_text())
    headers = Headers(json.loads(body.with_name(body.stem + ".headers.json").read_text()))
    content, url = body.read_bytes(), request["url"]
    cls = responsetypes.from_args(headers=headers, url=url, body=content)
    response = cls(url=url, status=request["status"], headers=headers, body=content,
                   request=Request(url, meta=request["meta"]))  # fmt: skip
    crawler = get_crawler(OfficeSudKzSpider, {"CASEWATCH_CONFIG": None})
    return list(getattr(OfficeSudKzSpider.from_crawler(crawler), request["callback"])(response))


# ---------------------------------------------------------------- runs


@pytest.mark.parametrize("broken", ["form-id", "court-option", "results-table", "pager"])
def test_a_run_on_a_changed_site_fails_naming_the_missing_piece_and_removes_nothing(
    tmp_path: Path, site: JsfServer, broken: str
) -> None:
    config, db = make_config(tmp_path, site.url), database(tmp_path)
    first = crawl(config, db)
    assert "sources      1 fetched, 0 failed" in first, first
    cli = Cli(config, db)
    before = cli.json("hearings", "--all")
    assert sorted(h["case_number"] for h in before) == list(NUMBERS)

    with JsfServer(fake_site(broken)) as changed:
        (config / "sources.yaml").write_text(
            (config / "sources.yaml").read_text().replace(site.url, changed.url)
        )
        second = crawl(config, db)
    step, missing = BROKEN[broken]
    assert "sources      1 fetched, 1 failed" in second, second
    [line] = [line for line in second.splitlines() if line.startswith("error")]
    assert f"{SOURCE}: {step}: {missing}" in line, line
    assert "; raw response kept at " in line

    [row] = cli.json("sources")
    kept = Path(row["raw_response"])
    assert row["consecutive_failures"] == 1 and str(kept) in row["last_error"]
    assert kept.parent == tmp_path / "data" / "responses" / SOURCE and kept.exists()
    assert kept.name.endswith(f"-step{step.split()[1]}{kept.suffix}")
    request = json.loads(kept.with_name(kept.stem + ".request.json").read_text())
    assert request["step"] == int(step.split()[1]) and request["url"] == changed.url
    assert request["meta"]["office_sud_kz"]["plan"]["source_id"] == SOURCE
    headers = json.loads(kept.with_name(kept.stem + ".headers.json").read_text())
    assert headers["Content-Type"].startswith(("text/html", "text/xml"))
    assert not any(name.lower() in ("set-cookie", "cookie") for name in headers)
    assert "JSESSIONID" not in "".join(p.read_text() for p in kept_files(tmp_path))
    table = cli.invoke("sources")
    assert str(kept) in table.stdout, table.stdout
    [replayed] = replay_kept(kept)  # what to send the developers replays as a spider fixture
    assert row["last_error"] == f"{replayed.error}; raw response kept at {kept}"

    after = cli.json("hearings", "--all")
    assert [(h["case_number"], h["status"]) for h in after] == [
        (h["case_number"], h["status"]) for h in before
    ]
    assert {h["status"] for h in after} == {"scheduled"}
    kinds = {e["kind"] for e in cli.json("events")}
    assert "hearing.scheduled" in kinds and not kinds & {"hearing.removed", "hearing.cancelled"}


def test_the_removal_check_above_would_see_a_removal(tmp_path: Path, site: JsfServer) -> None:
    """The control: a whole scan of a site that no longer lists the hearings removes them, so
    the test above would notice a failed scan treated as complete."""
    config, db = make_config(tmp_path, site.url), database(tmp_path)
    crawl(config, db)
    site.site.set_rows("4301", TOMORROW, [])
    out = crawl(config, db)
    assert "sources      1 fetched, 0 failed" in out, out
    assert "hearing.removed" in {e["kind"] for e in Cli(config, db).json("events")}
    assert kept_files(tmp_path) == []


def test_a_later_success_clears_the_kept_path_from_sources(tmp_path: Path, site: JsfServer) -> None:
    config, db = make_config(tmp_path, site.url), database(tmp_path)
    site.site.break_("results-table")
    crawl(config, db)
    cli = Cli(config, db)
    [failed] = cli.json("sources")
    assert failed["raw_response"] and Path(failed["raw_response"]).exists()
    site.site.broken.clear()
    crawl(config, db)
    [row] = cli.json("sources")
    assert row["consecutive_failures"] == 0 and row["raw_response"] is None


# ---------------------------------------------------------------- --check


def check(tmp_path: Path, url: str, name: str = "office-sud-kz") -> tuple[int, str]:
    """``casewatch crawl NAME --check`` with no database anywhere: (exit code, output)."""
    config = make_config(tmp_path, url)
    done = run_casewatch(config, "sqlite:////nonexistent/never/casewatch.db", "crawl", name,
                         "--check")  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, flat(done.stdout)


def flat(out: str) -> str:
    """The output with runs of spaces as one (the check aligns what it found in columns)."""
    return "\n".join(" ".join(line.split()) for line in out.splitlines())


def step_numbers(out: str) -> list[int]:
    return [int(line.split()[1]) for line in out.splitlines() if line.startswith("step ")]


def test_check_walks_the_whole_site_step_by_step(tmp_path: Path, site: JsfServer) -> None:
    code, out = check(tmp_path, site.url)
    assert code == 0, out
    assert step_numbers(out) == [1, 3, 4, 5, 6, 7, 6, 7, 8], out
    for shown in (
        f"checking {SOURCE} (office_sud_kz) at {site.url}",
        "open the schedule page", f"GET {site.url} → HTTP 200",
        f"form {site.site.ids['form']}", "region 22 found: область Жетісу",
        f"POST region=22 {site.url} → HTTP 200",
        "courts offered 2: 4301 Талдыкорганский городской суд области Жетісу; "
        "4302 Капальский районный суд",
        "court 4301 found: Талдыкорганский городской суд области Жетісу",
        "checking case type CRIMINAL Уголовные дела",
        "(the empty-result message)", f"results table 3 row(s) on {DAY}",
        "Номер дела → case_number", "pager yes, 2 page(s) named; next page control ",
        f"results table 1 row(s) on {DAY}", "javax.faces.ViewState renewed",
        f"WHOLE {SOURCE}: every step answered as expected; 4 hearing row(s) read",
    ):  # fmt: skip
        assert shown in out, f"{shown!r} not in:\n{out}"
    assert not (tmp_path / "data" / "casewatch.db").exists(), "a check opens no database"
    assert kept_files(tmp_path) == []


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_check_stops_at_the_broken_step(tmp_path: Path, broken: str) -> None:
    step, missing = BROKEN[broken]
    with JsfServer(fake_site(broken)) as server:
        code, out = check(tmp_path, server.url, SOURCE)
    assert code == 1, out
    assert step_numbers(out) == WALKED[broken], out
    [missing_line] = [line for line in out.splitlines() if line.startswith("MISSING")]
    assert missing_line.startswith(f"MISSING {missing}"), out
    [verdict] = [line for line in out.splitlines() if line.startswith("BROKEN")]
    assert f"BROKEN {SOURCE}: {step}: {missing}" in verdict, out
    [kept] = [p for p in kept_files(tmp_path) if not p.name.endswith(".json")]
    assert f"raw response kept at {kept}" in verdict
    assert f"Send the developers this output and the kept response: {kept}" in out


def test_check_says_what_a_run_would_leave_out(tmp_path: Path, site: JsfServer) -> None:
    config = make_config(tmp_path, site.url)
    sources = (config / "sources.yaml").read_text()
    (config / "sources.yaml").write_text(sources.replace('["4301"]', '["9999", "4301"]'))
    done = run_casewatch(config, database(tmp_path), "crawl", SOURCE, "--check")
    assert done.returncode == 1, done.stdout
    out = flat(done.stdout)
    assert "missing court '9999' not offered" in out
    assert f"INCOMPLETE {SOURCE}: a run would read the site but leave out: court '9999' " in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["crawl", "feed-x", "--check"], "walks step by step only sources of a kind"),
        (["crawl", "nope", "--check"], "no source 'nope' in the config"),
        (["crawl", SOURCE, "feed-x", "--check"], "--check takes one SOURCE"),
        (["crawl", "office-sud-kz", "--check"],
         "2 sources of kind office_sud_kz: office-zhetysu, office-other; name one"),
    ],
)  # fmt: skip
def test_check_usage_errors(tmp_path: Path, args: list[str], fragment: str) -> None:
    config = make_config(tmp_path, "http://127.0.0.1:9/new/scheduleOfCases/index.xhtml")
    with (config / "sources.yaml").open("a") as f:
        f.write("  - {id: feed-x, kind: feed, url: 'http://127.0.0.1:9/feed.xml'}\n"
                "  - {id: office-other, kind: office_sud_kz, region: '2', enabled: false,\n"
                "     url: 'http://127.0.0.1:9/new/scheduleOfCases/index.xhtml'}\n")  # fmt: skip
    code, out = Cli(config).run(*args)
    assert code == 2, out
    assert fragment in out, out


# ---------------------------------------------------------------- kept responses, the pager


def raw(body: bytes = b"<html><body>x</body></html>", **fields: Any) -> RawResponse:
    base = {"url": "https://user:pa55word@office.sud.kz/new/s.xhtml?token=abcd1234", "status": 200,
            "headers": (("Content-Type", "text/html"), ("Set-Cookie", "JSESSIONID=ABCDEF0123; Path=/"),
                        ("cookie", "JSESSIONID=ABCDEF0123"), ("Server", "WildFly")),
            "step": 3, "title": "choose the region", "request": "POST region=22",
            "callback": "parse_region", "meta": {"step": "region=22"}}  # fmt: skip
    return RawResponse(body=body, **(base | fields))


def test_a_kept_response_holds_no_secret(tmp_path: Path) -> None:
    body = b'<form action="/new/s.xhtml;jsessionid=ABCDEF0123?x=1">pa55word</form>'
    at = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    path = keep_response(tmp_path, SOURCE, raw(body), at)
    assert path == tmp_path / "responses" / SOURCE / "2026-12-07T06-30-00Z-step3.html"
    kept = path.read_bytes() + b"".join(path.with_name(path.stem + s).read_bytes()
                                        for s in (".headers.json", ".request.json"))  # fmt: skip
    for secret in (b"ABCDEF0123", b"pa55word", b"abcd1234", b"user:"):
        assert secret not in kept
    assert b";jsessionid=<hidden>?x=1" in path.read_bytes()
    assert json.loads(path.with_name(path.stem + ".headers.json").read_text()) == {
        "Content-Type": "text/html", "Server": "WildFly"}  # fmt: skip
    request = json.loads(path.with_name(path.stem + ".request.json").read_text())
    assert request["callback"] == "parse_region" and request["meta"] == {"step": "region=22"}


def test_kept_responses_are_bounded(tmp_path: Path) -> None:
    start = datetime(2026, 12, 7, tzinfo=UTC)
    paths = [keep_response(tmp_path, SOURCE, raw(), start + timedelta(hours=n))
             for n in range(KEEP + 3)]  # fmt: skip
    folder = tmp_path / "responses" / SOURCE
    assert sorted(folder.glob("*.html")) == paths[-KEEP:]
    assert len(list(folder.iterdir())) == KEEP * 3, "each with its two side files"
    big = keep_response(tmp_path, "other", raw(b"<?xml version='1.0'?>" + b"x" * MAX_BODY), start)
    assert big.suffix == ".xml" and big.stat().st_size == MAX_BODY
    request = json.loads(big.with_name(big.stem + ".request.json").read_text())
    assert request["truncated"] is True and request["size"] > MAX_BODY


@pytest.mark.parametrize(
    ("error", "path"),
    [
        ("x: step 3 (choose the region): no option; raw response kept at /d/r/x/a.xml", "/d/r/x/a.xml"),
        ("x: step 3 (choose the region): no option; raw response not kept (PermissionError)", None),
        ("x: HTTP 503", None),
        (None, None),
    ],
)  # fmt: skip
def test_kept_path_is_read_from_the_error(error: str | None, path: str | None) -> None:
    assert kept_path(error) == path


@pytest.mark.parametrize(
    ("html", "page", "present", "next_control", "last"),
    [
        ('<span class="rf-ds" id="f:ds"><span id="f:ds_ds_1">1</span><a id="f:ds_ds_2">2</a>'
         '<a id="f:ds_ds_next">»</a></span>', 1, True, "f:ds_ds_next", 2),
        ('<span class="rf-ds"><span>1</span><span id="f:ds_ds_next" class="rf-ds-dis">»</span>'
         "</span>", 1, True, "", 1),
        ('<div class="ui-paginator"><a class="ui-paginator-page">1</a><a class="ui-paginator-page">2</a>'
         '<a class="ui-paginator-next">»</a></div>', 1, True, "", 2),
        ('<div class="ui-paginator"><span class="ui-paginator-next ui-state-disabled">»</span>'
         "<select><option>10</option><option>50</option></select></div>", 1, True, "", 0),
        ("<table><tr><td>1</td><td>2</td></tr></table>", 1, False, "", 0),
    ],
)  # fmt: skip
def test_the_pager_as_read(
    html: str, page: int, present: bool, next_control: str, last: int
) -> None:
    assert Pager().view(parsel.Selector(text=html), page) == PagerView(present, next_control, last)
