"""Candidates through ingest and the store: what a watch matches and no case claims becomes
evidence, grouped by case number, story and people; one ``candidate.new`` per candidate, in
the batch's transaction; dismissed or merged ones alert no more."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.pages import ingest_page
from pipeline.items import ArticlePage, ArticleTarget
from pipeline.store.candidate_models import CandidateEvidenceRow, CandidateRow
from pipeline.store.candidates import dismiss
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow, HearingRow

from support.watch_world import NOW, SOURCES, news, row, scan, watch_deps


@pytest.fixture
def deps(tmp_path: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    return watch_deps(tmp_path, sessions)


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


def test_a_scan_that_keeps_matched_rows_stores_only_what_a_case_or_watch_wants(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    sources = SOURCES.replace("every: 6h}", "every: 6h, keep_rows: matched}")
    deps = watch_deps(tmp_path, sessions, sources)
    scan(
        deps,
        [
            row(1, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК"),
            row(2, "5110-26-00-2/80", "Иванов И.И. к ТОО «Береке»", "взыскание долга"),
            row(3, "5110-26-00-1/91", "Петров П.П.", "ст. 188 ч. 2 УК РК (кража)"),
            row(4, "3310-26-00-1/215", "Токташ Е.", "ст. 146 ч. 2 УК РК",
                court="Талдыкорганский городской суд"),
        ],
    )  # fmt: skip
    with sessions() as session:
        stored = sorted(session.scalars(select(HearingRow.case_number)))
    assert stored == ["3310-26-00-1/215", "5110-26-00-1/90"]
    assert [c.case_numbers for c in candidates(sessions)] == [["5110-26-00-1/90"]]


def test_a_teaser_the_watch_misses_is_read_again_in_full(
    deps: IngestDeps, sessions: sessionmaker[Session]
) -> None:
    news(deps, ("Суд продолжил рассмотрение резонансного дела", "Подробности позже."))
    assert candidates(sessions) == []
    with sessions() as session:
        article_id, url = session.execute(select(ArticleRow.id, ArticleRow.canonical_url)).one()
    text = (
        "В Шымкенте продолжился процесс над полицейскими, которых обвиняют "
        "в пытках задержанного. Подсудимый Сапаров Ержан Каримович вину не признал. "
    ) * 3
    html = (
        f"<html><head><title>Суд</title></head><body><article><p>{text}</p></article></body></html>"
    )
    page = ArticlePage(
        ArticleTarget(article_id, url, "news"), 200, url, html.encode(),
        (("Content-Type", "text/html; charset=utf-8"),),
    )  # fmt: skip
    assert ingest_page(deps, page).events == 1
    [found] = candidates(sessions)
    assert [p[0] for p in found.people] == ["saparov:e"]
