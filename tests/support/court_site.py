"""A Taldykorgan court schedule page and a news feed on a local server, and the config that
watches them: what the end-to-end tests of hearings (court, news, both) share.

:func:`write_court_config` writes a config folder (the shipped cases, one ``court_table``
source on ``/schedule.html``, ``hearing.*`` alerts to ``${E2E_SMTP_URL}``); :func:`serve`
puts the schedule up with or without the tracked case's row, :func:`serve_news` a feed of one
article at ``/news.xml`` (add it with :func:`add_news_source`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from .e2e import SHIPPED_CASES
from .http_server import LocalHTTPServer

COURT = "Талдыкорганский городской суд области Жетісу"
CASE_NUMBER = "3310-26-00-1/215"
TODAY = date.today()
D0, D1, D2, D3 = (TODAY + timedelta(days=n) for n in (8, 10, 12, 20))

OTHERS = [
    (D0, "09:00", "3310-26-00-2/101", "Иванов И.И. к ТОО «Береке»", "взыскание долга"),
    (D3, "15:00", "3310-26-00-2/102", "Ахметова А. к Ахметову Б.", "расторжение брака"),
]
OURS = ("Токташ Е., Буханов А., Жумашев Н.", "ст. 146 ч. 2 УК РК (пытки)")
ROOM = "Зал № 3"


def schedule(rows: list[tuple[date, str, str, str, str]]) -> str:
    """A court page in the shape of a Kazakh court schedule (columns in Russian)."""
    body = "".join(
        f"<tr><td>{d:%d.%m.%Y}</td><td>{t}</td><td>{number}</td><td>Дуйсенбеков Б.</td>"
        f"<td>{parties}</td><td>{category}</td><td>{ROOM}</td></tr>"
        for d, t, number, parties, category in rows
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>График</title></head><body>"
        "<h1>График судебных заседаний</h1><table class='schedule'><thead><tr>"
        "<th>Дата</th><th>Время</th><th>Номер дела</th><th>Судья</th><th>Стороны</th>"
        "<th>Категория</th><th>Зал</th></tr></thead><tbody>"
        f"{body}</tbody></table></body></html>"
    )


def serve(http: LocalHTTPServer, ours_on: tuple[date, str] | None) -> None:
    """The schedule at ``/schedule.html``: two other cases, and ours on (day, time) if given."""
    rows = list(OTHERS)
    if ours_on:
        rows.append((ours_on[0], ours_on[1], CASE_NUMBER, *OURS))
    http.route(
        "/schedule.html",
        body=schedule(sorted(rows)),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def write_court_config(folder: Path, http: LocalHTTPServer, data: Path) -> Path:
    folder.mkdir()
    (folder / "cases.yaml").write_text(SHIPPED_CASES.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "settings.yaml").write_text(
        f"data_dir: {data}\ndownload_delay: 0s\nnews_search: {{enabled: false}}\n"
        "delivery: {backoff: 0s}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: taldykorgan-court, kind: court_table, url: '{http.url('/schedule.html')}',"
        f" court: '{COURT}', timezone: Asia/Almaty, every: 6h}}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: ['hearing.*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )
    return folder


def add_news_source(folder: Path, http: LocalHTTPServer) -> None:
    """The feed at ``/news.xml`` as a second source of the config in ``folder``."""
    sources = folder / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8")
        + f"  - {{id: news, kind: feed, url: '{http.url('/news.xml')}', every: 1h}}\n",
        encoding="utf-8",
    )


RU_MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
).split()
NEWS_TITLE = "Суд над полицейскими, обвиняемыми в пытках задержанных в Талдыкоргане"


def said_in_russian(day: date) -> str:
    return f"{day.day} {RU_MONTHS[day.month - 1]} {day.year} года"


def serve_news(http: LocalHTTPServer, link: str, description: str, title: str = NEWS_TITLE) -> None:
    """A feed of one article published now, at ``/news.xml``."""
    item = (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate>"
        f"<description>{description}</description></item>"
    )
    http.route(
        "/news.xml",
        body=f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{item}</channel></rss>',
        headers={"Content-Type": "application/rss+xml"},
    )
