"""The news path end to end: real `casewatch run --once` against feeds and SMTP on 127.0.0.1.

Feeds in the shapes of the real ones (RSS in UTF-8, Atom, RSS in cp1251 with no declared
charset, a Google News search with redirect links) plus every kind of broken source. The
shipped cases decide what is relevant. The SMTP server must receive exactly one email per new
relevant article; a second run sends nothing; an outage loses nothing and sends nothing twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.e2e import TALDY_RU, VLAST_URL, casewatch
from support.feeds import atom, google_link, google_news, rss
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
TALDY_EN = "Kazakhstan: three police officers jailed in Taldykorgan torture case"
EN_URL = (
    "https://eurasianet.org/kazakhstan-three-police-officers-jailed-in-taldykorgan-torture-case"
)
KUDEBAYEV = "Суд над бывшим начальником полиции Кудебаевым снова отложен"
KOSHMAMBET = "Дело о пытках в Кошмамбете: суд допросил потерпевших"
LATER = "Потерпевший Азамат Батырбаев дал показания против полицейских"


ENCRYPTED_GOOGLE = (
    "https://news.google.com/rss/articles/CBMiVkFVX3lxTE4zaGU2bTY2ZGkzdTRkSkJ0cFpsTGlDUjkx"
    "U2FBRURaTWU0c3QzVWZ1MHZZNkZ5Vzk1ZVBnTDFHY2R6ZmdCUkpUTUJsS1pqQTlCRzlzbHV3?oc=5"
)


GOOD_SOURCES = ["rss-ru", "atom-en", "cp1251-ru", "gnews-ru"]
BAD_SOURCES = {
    "truncated": "malformed",
    "html-page": "not a feed",
    "empty": "empty body",
    "missing": "HTTP 404",
    "broken": "HTTP 500",
    "slow": "timed out",
    "huge": "cap",
}


def serve_feeds(http: LocalHTTPServer, extra_ru: list[tuple[str, str, str]] | None = None) -> None:
    ru_items = [
        (
            TALDY_RU,
            VLAST_URL + "?utm_source=rss&utm_medium=feed",
            "Подсудимые, бывшие сотрудники ДП Алматинской области, обвиняются в пытках по статье 146 УК.",
        ),
        (
            "В Талдыкоргане открыли новый парк",
            "https://vlast.kz/novosti/61235-park.html",
            "Парк на 10 гектаров открыли в микрорайоне Жастар.",
        ),
        (
            "В Шымкенте осуждены полицейские за пытки",
            "https://vlast.kz/novosti/61236-shymkent.html",
            "Суд Шымкента приговорил четверых полицейских за пытки задержанного в 2023 году.",
        ),
        *(extra_ru or []),
    ]
    http.route(
        "/rss-ru.xml",
        body=rss(ru_items),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    http.route(
        "/atom-en.xml",
        body=atom(
            [
                (
                    TALDY_EN,
                    EN_URL,
                    "A court in Taldykorgan sentenced three former officers for torturing detainees.",
                ),
                (
                    "Astana hosts an investment forum",
                    "https://eurasianet.org/astana-forum",
                    "Ministers met investors.",
                ),
            ]
        ),
        headers={"Content-Type": "application/atom+xml"},
    )
    http.route(
        "/cp1251.xml",
        body=rss(
            [
                (
                    KUDEBAYEV,
                    "https://kz.kursiv.media/2026-11-27/kudebaev/",
                    "Заседание по делу Серика Кудебаева перенесено на следующую неделю.",
                )
            ],
            encoding_decl="",
        ).encode("cp1251"),
        headers={"Content-Type": "text/xml"},
    )
    http.route(
        "/gnews.xml",
        body=google_news(
            [
                (TALDY_RU, ENCRYPTED_GOOGLE, "Vlast.kz"),  # the same story as rss-ru
                (
                    TALDY_EN,
                    google_link(EN_URL + "?utm_campaign=x"),
                    "Eurasianet.org",
                ),  # same as atom-en
                (KOSHMAMBET, google_link("https://orda.kz/koshmambet-sud-12345/"), "Orda.kz"),
            ]
        ),
        headers={"Content-Type": "application/xml; charset=UTF-8"},
    )
    http.route(
        "/truncated.xml",
        body=rss([("Новость", "https://e.kz/1", "текст")])[:60],
        headers={"Content-Type": "application/rss+xml"},
    )
    http.route(
        "/page.html",
        body="<!doctype html><html><head><title>Vlast</title></head><body>Hi</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    http.route("/empty.xml", body=b"", headers={"Content-Type": "application/rss+xml"})
    http.route("/broken.xml", body="oops", status=500)
    http.route("/slow.xml", body=rss([]), delay=5.0)
    http.route(
        "/huge.xml", body=rss([("x" * 100, f"https://e.kz/{i}", "y" * 2000) for i in range(200)])
    )


def write_config(folder: Path, http: LocalHTTPServer, smtp: LocalSMTPServer, data: Path) -> None:
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {data}\n"
        "download_timeout: 2s\ndownload_delay: 0s\nmax_body_bytes: 100000\n"
        "news_search: {enabled: false}\n"
        "evidence: {max_per_source: 0, recheck_per_run: 0}\n"  # the feeds link off 127.0.0.1
        "delivery: {backoff: 0s, max_attempts: 5}\n",
        encoding="utf-8",
    )
    paths = {
        "rss-ru": "/rss-ru.xml",
        "atom-en": "/atom-en.xml",
        "cp1251-ru": "/cp1251.xml",
        "gnews-ru": "/gnews.xml",
        "truncated": "/truncated.xml",
        "html-page": "/page.html",
        "empty": "/empty.xml",
        "missing": "/missing.xml",
        "broken": "/broken.xml",
        "slow": "/slow.xml",
        "huge": "/huge.xml",
    }
    sources = "".join(
        f"  - {{id: {sid}, kind: feed, url: '{http.url(p)}', every: 1h}}\n"
        for sid, p in paths.items()
    )
    bad = "  - {id: typo-feed, kind: feed, url: 'http://127.0.0.1:1/x', every: soon}\n"
    (folder / "sources.yaml").write_text("sources:\n" + sources + bad, encoding="utf-8")
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: [article.new]\n    channels: [team-email]\n",
        encoding="utf-8",
    )


@pytest.fixture
def world(tmp_path: Path, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer):
    serve_feeds(http_server)
    config = tmp_path / "config"
    write_config(config, http_server, smtp_server, tmp_path / "data")
    return config


def test_news_path_end_to_end(
    world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    first = casewatch(world, db_url, smtp_server, "run", "--once")
    assert first.returncode == 0, first.stderr
    assert (
        "sources.yaml: sources[11] (typo-feed).every" in first.stderr
    )  # named, and the run went on
    for source in GOOD_SOURCES:
        assert source in first.stdout
    for source, problem in BAD_SOURCES.items():
        line = next(line for line in first.stdout.splitlines() if source in line)
        assert problem in line.lower() or problem in line, line

    mails = bodies(smtp_server.wait_for(4))
    assert len(mails) == 4, "\n---\n".join(mails)
    expectations = [
        (TALDY_RU, "Taldykorgan police torture trials", "vlast.kz"),
        (TALDY_EN, "Taldykorgan police torture trials", "eurasianet.org"),
        (KUDEBAYEV, "Kudebayev", "kursiv.media"),
        (KOSHMAMBET, "Koshmambet", "orda.kz"),  # decoded from the Google redirect link
    ]
    for title, case, link in expectations:
        mail = next((m for m in mails if title in m), None)
        assert mail is not None, f"no email for {title!r}"
        assert case in mail and link in mail
        assert "keyword" in mail or "person" in mail or "context" in mail  # why it matched

    articles = json.loads(
        casewatch(world, db_url, smtp_server, "articles", "--format", "json").stdout
    )
    urls = [a["url"] for a in articles]
    assert (
        sum("61234" in u for u in urls) == 1
    )  # the Google copy of the Vlast story is the same story
    assert sum("taldykorgan-torture-case" in u for u in urls) == 1
    kudebayev = next(a for a in articles if a["title"] == KUDEBAYEV)  # cp1251 decoded right
    assert kudebayev["cases"] == ["kudebayev-trial"] and kudebayev["language"] == "ru"

    health = {
        s["id"]: s
        for s in json.loads(
            casewatch(world, db_url, smtp_server, "sources", "--format", "json").stdout
        )
    }
    for source in BAD_SOURCES:
        assert health[source]["consecutive_failures"] == 1 and health[source]["last_error"]
    assert health["rss-ru"]["last_success_at"] and not health["rss-ru"]["last_error"]

    again = casewatch(world, db_url, smtp_server, "run", "--once", "--all")
    assert again.returncode == 0, again.stderr
    assert len(smtp_server.messages) == 4  # a second run sends nothing


def test_outage_loses_nothing_and_sends_once(
    world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    assert casewatch(world, db_url, smtp_server, "run", "--once").returncode == 0
    assert len(smtp_server.wait_for(4)) == 4

    serve_feeds(
        http_server,
        extra_ru=[
            (
                LATER,
                "https://vlast.kz/novosti/61240-batyrbaev.html",
                "Бывшие полицейские обвиняются в пытках в Талдыкоргане.",
            )
        ],
    )
    smtp_server.stop()
    down = casewatch(world, db_url, smtp_server, "run", "--once", "--all")
    assert down.returncode == 0, down.stderr  # a failed send is not a failed run
    assert "pending" in down.stdout

    smtp_server.start()
    up = casewatch(world, db_url, smtp_server, "run", "--once")
    assert up.returncode == 0, up.stderr
    mails = bodies(smtp_server.wait_for(5))
    assert len(mails) == 5 and LATER in mails[-1]
    assert casewatch(world, db_url, smtp_server, "run", "--once", "--all").returncode == 0
    assert len(smtp_server.messages) == 5
