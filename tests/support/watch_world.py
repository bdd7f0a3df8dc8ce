"""A store with candidates: a court on one day's schedule and a feed, through the real ingest
(``ingest_fetch``) with one watch and one case — for the candidate tests and the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.items import FetchReport, RawArticle, RawHearing

from .cli import write_config

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DAY = (NOW + timedelta(days=9)).date()

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки]}
    articles: ["146"]
    require: {ru: [Талдыкорган]}
    courts: [Талдыкорганский городской суд]
"""
WATCHES = """
watches:
  - id: torture-kz
    title: Torture prosecutions in Kazakhstan
    keywords: {ru: [пытки, пытать], en: [torture]}
    articles: ["146"]
    regions: [Казахстан, Шымкент, Караганда, Талдыкорган]
"""
SOURCES = """
sources:
  - {id: court, kind: court_table, url: 'http://127.0.0.1:9/s.html', court: 'Шымкентский городской суд', every: 6h}
  - {id: news, kind: feed, url: 'http://127.0.0.1:9/f.xml', every: 1h}
"""


def watch_deps(
    tmp_path: Path, sessions: sessionmaker[Session], sources: str = SOURCES
) -> IngestDeps:
    root = write_config(
        tmp_path / "config",
        cases=CASES,
        watches=WATCHES,
        sources=sources,
        settings="news_search: {enabled: false}\n",
    )
    return build_deps(config=load_config(root, environ={}), sessions=sessions, clock=lambda: NOW)


def row(n: int, number: str, parties: str, category: str, court: str = "") -> RawHearing:
    return RawHearing(
        "court", "http://127.0.0.1:9/s.html", court=court or "Шымкентский городской суд",
        date=f"{DAY:%d.%m.%Y}", time=f"1{n}:00", case_number=number, judge="Сеитова С.",
        parties=parties, category=category, timezone="Asia/Almaty", row=n,
    )  # fmt: skip


def scan(deps: IngestDeps, rows: list[RawHearing]) -> None:
    report = FetchReport("court", "http://127.0.0.1:9/s.html", items=len(rows))
    ingest_fetch(deps, report, [], NOW, rows)


def news(deps: IngestDeps, *items: tuple[str, str]) -> None:
    raws = [
        RawArticle("news", f"https://news.kz/{i}", title=title, summary=summary, language="ru")
        for i, (title, summary) in enumerate(items)
    ]
    ingest_fetch(deps, FetchReport("news", "http://127.0.0.1:9/f.xml", items=len(raws)), raws, NOW)
