"""The Candidates page and ``/api/candidates`` over a store the real ingest filled: each
candidate with its courts, case numbers, people, articles of the code and the evidence behind
it with why; scraped text escaped; a candidate that does not exist is a 404."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from pipeline.web import WebDeps, create_app

from support.watch_world import NOW, news, row, scan, watch_deps


def client_for(tmp_path: Path, sessions: sessionmaker[Session]) -> TestClient:
    deps = watch_deps(tmp_path, sessions)
    scan(
        deps,
        [
            row(
                1, "5110-26-00-1/77", "Абенов Н.С., <b>Буханов</b> А. (подсудимые)", "ст. 146 ч. 2"
            ),
            row(2, "5110-26-00-1/90", "Сапаров Е.К. (подсудимый)", "ст. 146 ч. 1 УК РК"),
        ],
    )
    news(deps, ("В Шымкенте судят полицейского Нуржана Абенова за пытки", "Статья 146."))
    web = WebDeps(sessions=sessions, clock=lambda: NOW, config=deps.config)
    return TestClient(create_app(web))


def test_the_candidates_page_shows_each_with_its_evidence_and_why(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    client = client_for(tmp_path, sessions)
    response = client.get("/candidates", headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert 'href="/candidates"' in html  # in the navigation
    start = html.index('id="candidate-1"')
    first = html[start : html.index("</section>", start)]
    assert "5110-26-00-1/77" in first and "Шымкентский городской суд" in first
    assert "Нуржана Абенова" in first
    assert "article &#39;146&#39; (as &#39;ст. 146&#39;) in category" in first
    assert "grouped by: person Нуржана Абенова" in first
    assert "&lt;b&gt;Буханов&lt;/b&gt;" in first and "<b>Буханов</b>" not in html
    assert "casewatch follow 1 --slug SLUG" in first
    russian = client.get("/candidates?lang=ru&status=all").text
    assert "Кандидаты" in russian and "Участники" in russian


def test_one_candidate_the_api_and_the_errors(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    client = client_for(tmp_path, sessions)
    one = client.get("/candidates/2", headers={"accept": "text/html"})
    assert one.status_code == 200 and "5110-26-00-1/90" in one.text
    assert "5110-26-00-1/77" not in one.text
    assert client.get("/candidates/99", headers={"accept": "text/html"}).status_code == 404
    assert (
        client.get("/candidates?status=maybe", headers={"accept": "text/html"}).status_code == 422
    )
    found = client.get("/api/candidates?watch=torture-kz").json()
    assert sorted(c["case_numbers"][0] for c in found) == ["5110-26-00-1/77", "5110-26-00-1/90"]
    abenov = next(c for c in found if c["case_numbers"] == ["5110-26-00-1/77"])
    assert abenov["articles"][0]["grouped"] == "person Нуржана Абенова"
    assert abenov["hearings"][0]["scheduled_at"].endswith("+05:00")
    assert client.get("/api/candidates?status=dismissed").json() == []
