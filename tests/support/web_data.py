"""A small store filled through casewatch's own pipeline (``ingest_fetch``), for web tests.

Two cases, a court schedule in Asia/Almaty scanned twice (one hearing moved, one gone: removed),
a second court in Asia/Qostanay, news articles in ru/en — one of them hostile (scripts in its
title and text). The clock is injected, so every test sees the same store.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import Config, load_config
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import build_deps
from pipeline.items import FetchReport, RawArticle, RawHearing, ScanWindow
from pipeline.store.engine import open_store

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
WINDOW = ("2026-11-20", "2026-12-31")
NOW = T1 + timedelta(hours=2)
COURT = "Талдыкорганский городской суд"
COURT_URL = "https://court.example/taldykorgan/schedule"
KOSTANAY_URL = "https://court.example/kostanay/schedule"
CASE_A = "1917-22-00-1/215"
CASE_B = "3910-26-00-1/44"
CASE_C = "1917-22-00-1/216"
HOSTILE = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
"""Stored literally: the page printed them as text (escaped), so ingest unescapes them."""


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SOURCES = """
sources:
  - id: taldykorgan-court
    name: Taldykorgan city court schedule
    kind: court_table
    url: https://court.example/taldykorgan/schedule
    court: Талдыкорганский городской суд
    timezone: Asia/Almaty
  - id: kostanay-court
    kind: court_table
    url: https://court.example/kostanay/schedule
    court: Костанайский городской суд
    timezone: Asia/Qostanay
  - id: news-ru
    kind: feed
    url: https://news.example/rss
    language: ru
"""

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    description: Police officers tried in Taldykorgan for torture after January 2022.
    keywords: {ru: [пытки], en: [torture]}
    require: {ru: [Талдыкорган], en: [Taldykorgan]}
    case_numbers: ["1917-22-00-1/215", "1917-22-00-1/216"]
    timezone: Asia/Almaty
  - slug: kostanay-case
    title: Kostanay detention case
    case_numbers: ["3910-26-00-1/44"]
    timezone: Asia/Qostanay
"""


@dataclass(frozen=True, slots=True)
class Filled:
    url: str
    config: Config
    sessions: sessionmaker[Session]
    now: datetime


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text(textwrap.dedent(SOURCES), encoding="utf-8")
    (folder / "cases.yaml").write_text(textwrap.dedent(CASES), encoding="utf-8")
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team\n    url: json://127.0.0.1:9/hook\nroutes:\n"
        "  - cases: ['*']\n    events: ['*']\n    channels: [team]\n",
        encoding="utf-8",
    )
    return folder


def hearing(case: str, day: str, at: str, room: str, row: int, **extra: str) -> RawHearing:
    return RawHearing(
        source_id=extra.pop("source_id", "taldykorgan-court"),
        url=extra.pop("url", COURT_URL),
        court=extra.pop("court", COURT),
        date=day,
        time=at,
        case_number=case,
        judge=extra.pop("judge", "Дуйсенбеков Б."),
        parties="Токташ и др. (ст. 146 ч. 2 УК РК)",
        category="ст. 146 ч. 2 УК РК",
        courtroom=room,
        row=row,
        cells={"Дата": day, "Время": at, "Номер дела": case},
        **extra,
    )


def articles() -> list[RawArticle]:
    base = "https://news.example/a/"
    return [
        RawArticle("news-ru", base + "1", "Суд по делу о пытках в Талдыкоргане отложен",
                   "Заседание по делу о пытках задержанных в Талдыкоргане перенесли.",
                   "Thu, 19 Nov 2026 09:00:00 +0500"),
        RawArticle("news-ru", base + "2", "Потерпевшие рассказали о пытках в Талдыкоргане",
                   "Пытки в изоляторе Талдыкоргана: показания потерпевших.",
                   "Mon, 09 Nov 2026 12:00:00 +0500"),
        RawArticle("news-ru", base + "3", f"<b>Пытки в Талдыкоргане</b> {_escaped(HOSTILE)}",
                   f"<p>Текст о пытках в Талдыкоргане {_escaped(HOSTILE_IMG)} конец.</p>",
                   "Tue, 17 Nov 2026 08:00:00 +0500",
                   text=f"<p>Пытки в Талдыкоргане. {_escaped(HOSTILE)} {_escaped(HOSTILE_IMG)}</p>"),
        RawArticle("news-ru", base + "4", "Torture trial in Taldykorgan resumes",
                   "The torture trial of police officers in Taldykorgan resumes.",
                   "Wed, 28 Oct 2026 10:00:00 +0000", language="en"),
    ]  # fmt: skip


def schedule_report(source: str, url: str, day_from: str, day_to: str) -> FetchReport:
    window = ScanWindow(date.fromisoformat(day_from), date.fromisoformat(day_to))
    return FetchReport(source_id=source, url=url, status=200, window=window)


def _ingest(
    filled: Filled,
    when: datetime,
    report: FetchReport,
    raws: Sequence[RawArticle] = (),
    hearings: Sequence[RawHearing] = (),
) -> None:
    """One fetch through the real pipeline (normalize → store → match → events → outbox)."""
    ctx = build_deps(config=filled.config, sessions=filled.sessions, clock=lambda: when)
    result = ingest_fetch(ctx, report, raws, when, hearings)
    assert result.status == "ok", result


def fill(tmp_path: Path, url: str | None = None, *, moved: bool = True) -> Filled:
    """Build the store: news, then the first schedule scan; with ``moved`` also the second
    scan (T1: one hearing moved, one gone: removed) and the Kostanay court."""
    url = url or f"sqlite:///{tmp_path / 'web.db'}"
    config = load_config(write_config(tmp_path / "config"))
    filled = Filled(url=url, config=config, sessions=open_store(url), now=T0 + timedelta(hours=2))
    news = FetchReport(source_id="news-ru", url="https://news.example/rss", status=200)
    _ingest(filled, T0, news, articles())
    first = [
        hearing(CASE_A, "01.12.2026", "10:00", "зал 3", 1),
        hearing(CASE_C, "10.12.2026", "15:00", "зал 3", 2),
        hearing(CASE_A, "18.11.2026", "09:00", "зал 1", 3),
    ]
    _ingest(filled, T0, schedule_report("taldykorgan-court", COURT_URL, *WINDOW), (), first)
    return move(filled) if moved else filled


def move(filled: Filled) -> Filled:
    """The second scan: CASE_A moved to 3 Dec 11:30 in зал 5, CASE_C gone (removed)."""
    moved = [hearing(CASE_A, "03.12.2026", "11:30", "зал 5", 1)]
    _ingest(filled, T1, schedule_report("taldykorgan-court", COURT_URL, *WINDOW), (), moved)
    kostanay = [
        hearing(CASE_B, "07.12.2026", "14:00", "зал 2", 1, source_id="kostanay-court",
                url=KOSTANAY_URL, court="Костанайский городской суд", judge="Иванова А."),
    ]  # fmt: skip
    _ingest(filled, T1, schedule_report("kostanay-court", KOSTANAY_URL, *WINDOW), (), kostanay)
    return Filled(url=filled.url, config=filled.config, sessions=filled.sessions, now=NOW)
