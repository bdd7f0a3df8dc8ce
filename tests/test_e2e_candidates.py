"""Watches and candidates end to end: a court page and a feed on 127.0.0.1, the real
``casewatch`` command, a local SMTP server.

The court lists two torture prosecutions no case follows (one on two days), a trial a case
claims and a civil suit; the feed names one defendant in full («Нуржана Абенова» — the court
prints «Абенов Н.С.») and carries near misses (torture abroad, another trial in the same
city). One candidate per prosecution; their ``candidate.new`` go out in a daily digest;
``dismiss`` keeps one out of it (and its later rows quiet); ``follow`` writes a case file
that loads and claims the candidate's past evidence, and the next run follows it as a case.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update

from pipeline.store.engine import open_store
from pipeline.store.models import DeliveryRow, EventRow

from support.e2e import casewatch
from support.feeds import HTML, XML, rss
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies

pytestmark = pytest.mark.e2e

COURT = "Шымкентский городской суд"
TODAY = date.today()
D1, D2, D3 = (TODAY + timedelta(days=n) for n in (8, 10, 15))
ABENOV = ("5110-26-00-1/77", "Абенов Н.С., Буханов А. (подсудимые)", "ст. 146 ч. 2 УК РК")
SAPAROV = ("5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК")
ZHUMABAEV = ("5110-26-00-1/95", "Жумабаев Т.О. (подсудимый)", "ст. 146 ч. 2 УК РК")
FOLLOWED = ("5110-26-00-1/12", "Токтаров Д.Е. (подсудимый)", "ст. 146 ч. 2 УК РК")
CIVIL = ("5110-26-00-2/80", "Иванов И.И. к ТОО «Береке»", "взыскание долга")
NEWS = [
    (
        "В Шымкенте судят полицейского Нуржана Абенова за пытки задержанного",
        "https://news.example.kz/abenov",
        "Бывшему полицейскому вменяют пытки. Суд начнётся в декабре.",
    ),
    (
        "В Бишкеке милиционеров осудили за пытки задержанного",  # abroad: a near miss
        "https://news.example.kg/bishkek",
        "Октябрьский районный суд Бишкека вынес приговор.",
    ),
    (
        "В Шымкенте начался суд по делу о краже скота",  # the same city, another trial
        "https://news.example.kz/theft",
        "Подсудимым грозит до пяти лет.",
    ),
]


def schedule(rows: list[tuple[date, str, tuple[str, str, str]]]) -> str:
    body = "".join(
        f"<tr><td>{d:%d.%m.%Y}</td><td>{at}</td><td>{number}</td><td>Сеитова С.</td>"
        f"<td>{parties}</td><td>{category}</td><td>Зал № 2</td></tr>"
        for d, at, (number, parties, category) in rows
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>График</title></head><body>"
        "<table><thead><tr><th>Дата</th><th>Время</th><th>Номер дела</th><th>Судья</th>"
        f"<th>Стороны</th><th>Категория</th><th>Зал</th></tr></thead><tbody>{body}</tbody>"
        "</table></body></html>"
    )


def serve(http: LocalHTTPServer, rows: list[tuple[date, str, tuple[str, str, str]]]) -> None:
    http.route("/schedule.html", body=schedule(rows), headers=HTML)
    http.route("/feed.xml", body=rss(NEWS), headers=XML)


FIRST = [(D1, "10:00", ABENOV), (D2, "10:00", ABENOV), (D1, "11:00", SAPAROV),
         (D1, "12:00", FOLLOWED), (D1, "15:00", CIVIL)]  # fmt: skip


@pytest.fixture
def world(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    files = {
        "settings": f"data_dir: {tmp_path / 'data'}\ndownload_delay: 0s\ntimezone: UTC\n"
        "news_search: {enabled: false}\ndelivery: {backoff: 0s}\n",
        "sources": "sources:\n"
        f"  - {{id: court, kind: court_table, url: '{http_server.url('/schedule.html')}',"
        f" court: '{COURT}', timezone: Asia/Almaty, every: 6h}}\n"
        f"  - {{id: news, kind: feed, url: '{http_server.url('/feed.xml')}', every: 1h,"
        " full_text: never}\n",
        "cases": "cases:\n  - slug: toktarov-trial\n    title: Toktarov trial\n"
        f"    case_numbers: ['{FOLLOWED[0]}']\n",
        "watches": "watches:\n  - id: torture-kz\n    title: Torture prosecutions in Kazakhstan\n"
        "    keywords: {ru: [пытки, пытать], en: [torture]}\n    articles: ['146']\n"
        "    regions: [Казахстан, Шымкент, Караганда]\n",
        "alerts": "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - id: candidates\n    events: ['candidate.new']\n    channels: [team-email]\n"
        "    mode: digest\n    every: daily\n    at: '08:00'\n    zone: UTC\n",
    }
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    serve(http_server, FIRST)
    return folder


def a_day_passes(db_url: str) -> None:
    """The digest's time comes: the pending alerts were made yesterday (no test waits a day)."""
    sessions = open_store(db_url)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with sessions.begin() as session:
        session.execute(update(EventRow).values(created_at=yesterday))
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.status == "pending")
            .values(created_at=yesterday, next_attempt_at=yesterday)
        )
    sessions.kw["bind"].dispose()


def test_watches_find_follow_and_dismiss_prosecutions(
    world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    def cw(*args: str) -> str:
        done = casewatch(world, db_url, smtp_server, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run = cw("run", "--once", "--all")
    assert "held 2 (digest of route 'candidates'" in run, run

    found = json.loads(cw("candidates", "--format", "json"))
    assert [c["case_numbers"] for c in found] in (
        [[ABENOV[0]], [SAPAROV[0]]],
        [[SAPAROV[0]], [ABENOV[0]]],
    )
    abenov = next(c for c in found if c["case_numbers"] == [ABENOV[0]])
    saparov = next(c for c in found if c["case_numbers"] == [SAPAROV[0]])
    assert abenov["courts"] == [COURT] and abenov["code_articles"] == ["146"]
    assert abenov["people"] == ["Нуржана Абенова", "Буханов А."]  # two forms, one person
    assert [h["local_time"][:10] for h in abenov["hearings"]] == [f"{D1}", f"{D2}"]
    [article] = abenov["articles"]
    assert article["url"] == NEWS[0][1]
    grouped = {article["grouped"], *(h["grouped"] for h in abenov["hearings"])}
    assert grouped & {"person Нуржана Абенова", "person Абенов Н.С."}  # court row ↔ news
    assert "keyword 'пытки'" in article["why"] and "context 'Шымкент'" in article["why"]
    assert abenov["hearings"][0]["why"] == "article '146' (as 'ст. 146') in category"
    table = cw("candidates")
    assert f"#{abenov['id']}  open  watch torture-kz" in table and "2 candidates" in table

    assert f"#{saparov['id']}: dismissed; 1 pending" in cw("dismiss", str(saparov["id"]))
    a_day_passes(db_url)
    assert "sent 1 in 1 message(s)" in cw("deliver")
    [digest] = bodies(smtp_server.wait_for(1))
    assert "Possible new cases (1)" in digest and ABENOV[0] in digest
    assert SAPAROV[0] not in digest and "Бишкек" not in digest

    # later: the dismissed prosecution is listed again, and a new one appears
    serve(http_server, [*FIRST, (D3, "10:00", SAPAROV), (D3, "11:00", ZHUMABAEV)])
    cw("run", "--once", "--all")
    a_day_passes(db_url)
    cw("deliver")
    second = bodies(smtp_server.wait_for(2))[1]
    assert ZHUMABAEV[0] in second and SAPAROV[0] not in second and ABENOV[0] not in second

    followed = cw("follow", str(abenov["id"]), "--slug", "abenov-trial")
    case_file = world / "cases.d" / "abenov-trial.yaml"
    assert f"wrote {case_file}" in followed and "claimed 3 item(s)" in followed
    [case] = yaml.safe_load(case_file.read_text(encoding="utf-8"))["cases"]
    assert case["case_numbers"] == [ABENOV[0]] and case["courts"] == [COURT]
    assert case["people"][0] == {
        "name": "Нуржан Абенов", "role": "party (court schedule)", "alone": True,
        "variants": ["Абенов Н.С."],
    }  # fmt: skip
    assert case["keywords"]["ru"] == ["пытки", "пытать"] and case["articles"] == ["146"]
    assert case["title"] == f"Trial of Нуржан Абенов, Буханов А. ({COURT})"
    assert case["search"] == {"ru": ["Нуржан Абенов"], "kk": ["Нуржан Абенов"]}
    assert "regions" not in case and "require" not in case  # never the whole country
    assert "2 cases, 1 watches" in cw("check-config")
    assert len(json.loads(cw("hearings", "--case", "abenov-trial", "--format", "json"))) == 2
    claimed = json.loads(cw("articles", "--case", "abenov-trial", "--format", "json"))
    assert [a["url"] for a in claimed] == [NEWS[0][1]]

    # the next run: a case like any other — its new hearing is claimed, no candidate
    serve(http_server, [*FIRST, (D3, "10:00", SAPAROV), (D3, "15:00", ABENOV)])
    cw("run", "--once", "--all")
    hearings = json.loads(cw("hearings", "--case", "abenov-trial", "--format", "json"))
    assert len(hearings) == 3
    still = json.loads(cw("candidates", "--format", "json"))
    assert [c["case_numbers"] for c in still] == [[ZHUMABAEV[0]]]
    done = json.loads(cw("candidates", "--status", "followed", "--format", "json"))
    assert [(c["id"], c["followed_as"]) for c in done] == [(abenov["id"], "abenov-trial")]
