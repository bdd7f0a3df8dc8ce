"""Candidates through ingest and the store: what a watch matches and no case claims becomes
evidence, grouped by case number, story and people; one ``candidate.new`` per candidate, in
the batch's transaction; dismissed or merged ones alert no more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.items import FetchReport, RawArticle, RawHearing
from pipeline.store.candidate_models import CandidateEvidenceRow, CandidateRow
from pipeline.store.candidates import dismiss
from pipeline.store.models import DeliveryRow, EventRow

from support.cli import write_config

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


@pytest.fixture
def deps(tmp_path: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    root = write_config(
        tmp_path / "config",
        cases=CASES,
        watches=WATCHES,
        sources=SOURCES,
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


def candidates(sessions: sessionmaker[Session]) -> list[CandidateRow]:
    with sessions() as session:
        found = list(session.scalars(select(CandidateRow).order_by(CandidateRow.id)))
        session.expunge_all()
    return found


def kinds(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(EventRow.kind).order_by(EventRow.id)))


def test_rows_and_news_of_one_prosecution_are_one_candidate(
    deps: IngestDeps, sessions: sessionmaker[Session]
) -> None:
    scan(
        deps,
        [
            row(1, "5110-26-00-1/77", "Абенов Н.С., Буханов А. (подсудимые)", "ст. 146 ч. 2 УК РК"),
            row(2, "5110-26-00-1/77", "Абенов Н.С., Буханов А. (подсудимые)", "ст. 146 ч. 2 УК РК"),
            row(3, "5110-26-00-2/80", "Иванов И.И. к ТОО «Береке»", "взыскание долга"),
            row(4, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК"),
        ],
    )
    news(
        deps,
        ("В Шымкенте судят полицейского Нуржана Абенова за пытки", "Ему вменяют статью 146."),
        ("Новый торговый центр открылся в Шымкенте", "Покупателей ждут скидки."),
    )
    found = candidates(sessions)
    assert [(c.case_numbers, [p[1] for p in c.people]) for c in found] == [
        (["5110-26-00-1/77"], ["Нуржана Абенова", "Буханов А."]),
        (["5110-26-00-1/90"], ["Сапаров Е.К."]),
    ]
    assert found[0].courts == ["Шымкентский городской суд"] and found[0].code_articles == ["146"]
    with sessions() as session:
        evidence = session.scalars(
            select(CandidateEvidenceRow).order_by(CandidateEvidenceRow.id)
        ).all()
        assert [(e.candidate_id, e.grouped) for e in evidence] == [
            (found[0].id, ""),
            (found[0].id, "case number 5110-26-00-1/77"),
            (found[1].id, ""),
            (found[0].id, "person Нуржана Абенова"),
        ]
        assert evidence[3].why[0][:2] == ["keyword", "пытки"]
    assert kinds(sessions).count("candidate.new") == 2


def test_what_a_case_claims_is_no_candidate_and_a_rescan_adds_nothing(
    deps: IngestDeps, sessions: sessionmaker[Session]
) -> None:
    rows = [
        row(1, "3310-26-00-1/215", "Токташ Е. (подсудимый)", "ст. 146 ч. 2 УК РК",
            court="Талдыкорганский городской суд"),
        row(2, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК"),
    ]  # fmt: skip
    scan(deps, rows)
    scan(deps, rows)
    assert [c.case_numbers for c in candidates(sessions)] == [["5110-26-00-1/90"]]
    assert kinds(sessions).count("candidate.new") == 1


def test_news_first_then_the_court_row_merge_into_one(
    deps: IngestDeps, sessions: sessionmaker[Session]
) -> None:
    news(deps, ("В Караганде полицейского Ержана Сапарова судят за пытки", ""))
    news(deps, ("Карагандинский суд: пытки задержанных", "Обвиняемый Сапаров Ержан Каримович."))
    scan(deps, [row(1, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК")])
    found = candidates(sessions)
    assert len(found) == 1 and found[0].case_numbers == ["5110-26-00-1/90"]
    assert kinds(sessions).count("candidate.new") == 1


def test_a_dismissed_candidate_alerts_no_more(
    deps: IngestDeps, sessions: sessionmaker[Session]
) -> None:
    scan(deps, [row(1, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК")])
    with sessions.begin() as session:
        [candidate] = session.scalars(select(CandidateRow)).all()
        assert dismiss(session, candidate, NOW) == 1
    with sessions() as session:
        assert session.scalars(select(DeliveryRow.status)).all() == ["suppressed"]
    news(deps, ("В Шымкенте Сапарова Ержана судят за пытки", ""))
    [only] = candidates(sessions)
    assert only.status == "dismissed"
    assert kinds(sessions).count("candidate.new") == 1
