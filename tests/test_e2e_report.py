"""`casewatch report` end to end: the shipped Taldykorgan case, a court schedule and a news
feed with article pages on 127.0.0.1, two real `casewatch run --once`, then the report in
Markdown and HTML compared with the database — every hearing (date, court, status), every
move and removal, every capture's sha256 and WARC record id (as `export-evidence` names them).

The schedule lists two past hearings, one ahead and one more ahead; the second scan moves
the third (the news reports why) and drops the fourth (removed). An article reports a past
hearing and announces the next.
"""

from __future__ import annotations

import html
import json
import shutil
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from pipeline.normalize.dates import readable_value
from pipeline.normalize.hearing_time import local_text
from pipeline.store.engine import open_store
from pipeline.store.models import CaptureRow, HearingChangeRow, HearingRow, MatchRow

from support.cli import run_casewatch
from support.e2e import REPO
from support.feeds import HTML, page
from support.http_server import LocalHTTPServer

pytestmark = pytest.mark.e2e

CASE = "taldykorgan-torture"
COURT = "Талдыкорганский городской суд области Жетісу"
NUMBER, OTHER = "3310-26-00-1/215", "3310-26-00-1/216"
ALMATY = ZoneInfo("Asia/Almaty")
TODAY = datetime.now(ALMATY).date()
PAST1, PAST2 = TODAY - timedelta(days=20), TODAY - timedelta(days=6)
NEXT, MOVED_TO, GONE = (TODAY + timedelta(days=n) for n in (8, 12, 5))
MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


def said(day: date) -> str:
    return f"{day.day} {MONTHS.split()[day.month - 1]} {day.year} года"


REPORTED = (
    f"{said(PAST2)} в Талдыкорганском городском суде по делу о пытках допросили потерпевшего "
    "Азамата Батырбаева."
)
ANNOUNCED = f"Следующее заседание назначено на {said(NEXT)}."
POSTPONED = (
    f"Суд отложил рассмотрение дела о пытках в Талдыкоргане на {said(MOVED_TO)} в связи с "
    "болезнью адвоката подсудимого."
)


def schedule(rows: list[tuple[date, str, str]]) -> str:
    """Our hearings (day, time, case number) among another case's, as a court prints them."""
    ours = "Токташ Е., Буханов А. (ст. 146 ч. 2 УК РК, пытки)"
    body = "".join(
        f"<tr><td>{d:%d.%m.%Y}</td><td>{t}</td><td>{number}</td><td>Дуйсенбеков Б.</td>"
        f"<td>{parties}</td><td>Зал № 3</td></tr>"
        for d, t, number, parties in sorted(
            [(d, t, number, ours) for d, t, number in rows]
            + [(PAST2, "09:00", "3310-26-00-2/101", "Иванов И.И. к ТОО «Береке»")]
        )
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'></head><body><table class='schedule'>"
        "<thead><tr><th>Дата</th><th>Время</th><th>Номер дела</th><th>Судья</th>"
        f"<th>Стороны</th><th>Зал</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def feed(http: LocalHTTPServer, items: list[tuple[str, date, int, str]]) -> None:
    """Articles (path, local day, hour, sentence) in a feed, each with its page."""
    entries = ""
    for path, day, hour, sentence in items:
        url = http.url(path)
        title = f"Суд по делу о пытках в Талдыкоргане: {day:%d.%m}"
        published = datetime.combine(day, time(hour), ALMATY).astimezone(UTC)
        entries += (
            f"<item><title>{title}</title><link>{url}</link><guid>{url}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>Процесс о пытках в Талдыкоргане.</description></item>"
        )
        paragraphs = ["Процесс над полицейскими, обвиняемыми в пытках, продолжается.", sentence]
        http.route(path, body=page(title, paragraphs, ld=False), headers=HTML)
    http.route(
        "/news.xml",
        body=f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{entries}'
        "</channel></rss>",
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )


@pytest.fixture
def world(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\ndownload_delay: 0s\ndownload_timeout: 5s\n"
        "news_search: {enabled: false}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: court, kind: court_table, url: '{http_server.url('/schedule.html')}',"
        f" court: '{COURT}', timezone: Asia/Almaty, every: 6h}}\n"
        f"  - {{id: news, kind: feed, url: '{http_server.url('/news.xml')}', every: 1h}}\n",
        encoding="utf-8",
    )
    return folder


def test_the_report_matches_the_database(
    world: Path, db_url: str, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    def casewatch(*args: str) -> str:
        done = run_casewatch(world, db_url, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    first = [(PAST1, "10:00", NUMBER), (PAST2, "11:00", NUMBER), (NEXT, "10:00", NUMBER)]
    first.append((GONE, "09:00", OTHER))  # a second case of the same defendants
    http_server.route("/schedule.html", body=schedule(first), headers=HTML)
    feed(http_server, [("/a/1.html", PAST2, 18, f"{REPORTED} {ANNOUNCED}")])
    casewatch("run", "--once", "--all")

    second = [(PAST1, "10:00", NUMBER), (PAST2, "11:00", NUMBER), (MOVED_TO, "14:30", NUMBER)]
    http_server.route("/schedule.html", body=schedule(second), headers=HTML)
    yesterday = TODAY - timedelta(days=1)
    feed(
        http_server,
        [
            ("/a/1.html", PAST2, 18, f"{REPORTED} {ANNOUNCED}"),
            ("/a/2.html", yesterday, 12, POSTPONED),
        ],
    )
    casewatch("run", "--once", "--all")

    md = casewatch("report", CASE, "--format", "md")
    page_html = casewatch("report", CASE, "--format", "html")
    text = html.unescape(page_html)
    (tmp_path / "report.md").write_text(md, encoding="utf-8")
    casewatch("export-evidence", "--case", CASE, "--out", str(tmp_path / "evidence"))
    manifest = json.loads((tmp_path / "evidence" / "manifest.json").read_text(encoding="utf-8"))

    sessions = open_store(db_url)
    with sessions() as s:
        matched = select(MatchRow.hearing_id).where(MatchRow.case_slug == CASE)
        rows = list(s.scalars(select(HearingRow).where(HearingRow.id.in_(matched))))
        ids = [r.id for r in rows]
        changes = list(
            s.scalars(select(HearingChangeRow).where(HearingChangeRow.hearing_id.in_(ids)))
        )
        captures = list(s.scalars(select(CaptureRow)))
    sessions.kw["bind"].dispose()

    court_rows = [r for r in rows if not r.article_url]
    assert sorted(r.local_time[:10] for r in court_rows) == sorted(
        d.isoformat() for d in (PAST1, PAST2, MOVED_TO, GONE)
    )
    for document in (md, text):
        hearings = document.split("## Hearings")[-1] if document is md else document
        for r in court_rows:  # each court-listed hearing: when, court, status as stored
            when = local_text(r.scheduled_at, r.local_time, r.timezone)
            block = _block(hearings, when)
            assert r.court in block and f"{r.status}" in block, (when, block[:400])
        for r in rows:  # a date the news announced is quoted with its article
            assert r.local_time[:10] in document
            if r.article_url:
                assert r.article_url in document
        for c in changes:  # the moves and the removal, old → new
            if c.field in ("scheduled_at", "status"):
                assert readable_value(c.new, "Asia/Almaty") in document or c.new in document
        for capture in captures:
            assert capture.sha256 in document and capture.record_id in document
        assert {e["warc_record_id"] for e in manifest["captures"]} == {
            c.record_id for c in captures
        }
        assert POSTPONED in document and REPORTED in document and ANNOUNCED in document

    assert captures, "the article pages were captured"
    assert (
        f"From {PAST1} to {MOVED_TO}, two hearings have taken place; hearings were postponed or "
        "moved once; one hearing was cancelled or removed from the court's schedule." in md
    )
    moved_to = local_text(datetime.combine(MOVED_TO, time(14, 30), ALMATY), "", "Asia/Almaty")
    assert f"The next hearing is set for {moved_to}, {COURT}" in md
    postponements = md.split("## Postponements and moves")[1].split("## Next hearing")[0]
    old = local_text(datetime.combine(NEXT, time(10), ALMATY), "", "Asia/Almaty")
    assert f"**{old}** → **{moved_to}**" in postponements and POSTPONED in postponements
    assert "<script" not in page_html and "@media print" in page_html


def _block(document: str, when: str) -> str:
    """The part of a report about the hearing whose heading shows ``when``."""
    at = document.index(f". {when} — ")
    following = [document.find(mark, at + 1) for mark in ("\n### ", '<div class="hearing">')]
    end = min([f for f in following if f > 0], default=len(document))
    return document[at:end]
