"""Several sources' fetches stored in one transaction (``ingest.batch.ingest_fetches``, what a
``run --once`` crawl does): the store ends exactly as with one transaction per source, and a
source the store refuses fails alone — the others are kept, nothing is alerted twice."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.fetch.pipeline import Pending
from pipeline.ingest import batch
from pipeline.ingest.batch import Fetch, ingest_fetch, ingest_fetches
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.items import FetchReport, RawArticle
from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow, MatchRow, SourceRow

REPO = Path(__file__).resolve().parent.parent
AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PUBLISHED = "Mon, 07 Dec 2026 08:00:00 +0500"
SOURCES = ("vlast-ru", "azattyq-ru", "tengri-ru")
TITLE = "В Талдыкоргане суд вынес приговор полицейским по делу о пытках задержанных"
STORY = (
    "Специализированный межрайонный суд Талдыкоргана приговорил бывших сотрудников полиции "
    "к срокам от пяти до девяти лет по статье 146 УК за пытки задержанных в январе 2022 года. "
    "Потерпевшие рассказали в суде, как их избивали и пытали током в здании департамента. "
    "Процесс шёл больше года, защита настаивала на оправдании, а прокурор просил для "
    "подсудимых от шести до десяти лет лишения свободы в колонии средней безопасности."
)


def _deps(folder: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text("news_search: {enabled: false}\n", encoding="utf-8")
    rows = "".join(
        f"  - {{id: {s}, kind: feed, url: 'http://127.0.0.1:9/{s}.xml', full_text: never}}\n"
        for s in SOURCES
    )
    (folder / "sources.yaml").write_text(f"sources:\n{rows}", encoding="utf-8")
    return build_deps(config=load_config(folder, environ={}), sessions=sessions, clock=lambda: AT)


def _fetches() -> list[Fetch]:
    """Three feeds: the same story told by two outlets (a repeat of one story), the same
    headline under two addresses, and news about nothing followed."""
    stories = {
        "vlast-ru": [
            (TITLE, STORY),
            ("Аким области открыл новую школу", "В городе построили школу на 600 мест."),
        ],
        "azattyq-ru": [
            (f"{TITLE} — Азаттык", f"{STORY} Приговор можно обжаловать."),
            ("Цены на бензин выросли", "Литр АИ-92 подорожал на 5 тенге."),
            ("Цены на бензин выросли", "Литр АИ-92 подорожал на 5 тенге за неделю."),
        ],
        "tengri-ru": [("Погода на выходные", "Ожидается снег и гололёд.")],
    }
    out = []
    for source, items in stories.items():
        url = f"https://{source}.example/news/"
        raws = [
            RawArticle(source, f"{url}{n}.html", title, f"<p>{text}</p>", PUBLISHED)
            for n, (title, text) in enumerate(items)
        ]
        report = FetchReport(source, f"http://127.0.0.1:9/{source}.xml", status=200, etag=source)
        out.append(Fetch(report, raws, AT))
    return out


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """What a monitor would see of the store: articles and their stories, matches, alerts."""
    with sessions() as session:
        return {
            "articles": sorted(
                session.execute(
                    select(ArticleRow.source_id, ArticleRow.canonical_url, ArticleRow.content_hash)
                ).all()
            ),
            "stories": sorted(
                len(group)
                for group in _groups(session.execute(select(ArticleRow.story_id, ArticleRow.id)))
            ),
            "matches": session.query(MatchRow).count(),
            "events": sorted(session.execute(select(EventRow.kind, EventRow.dedupe_key)).all()),
            "deliveries": session.query(DeliveryRow).count(),
            "validators": sorted(session.execute(select(SourceRow.id, SourceRow.etag)).all()),
        }


def _groups(rows: Any) -> list[list[int]]:
    found: dict[Any, list[int]] = {}
    for story, article in rows:
        found.setdefault(story if story is not None else f"alone-{article}", []).append(article)
    return list(found.values())


def test_stored_together_the_store_ends_as_stored_one_by_one(tmp_path: Path) -> None:
    together = open_store(f"sqlite:///{tmp_path / 'together.db'}")
    apart = open_store(f"sqlite:///{tmp_path / 'apart.db'}")
    deps_together = _deps(tmp_path / "a", together)
    deps_apart = _deps(tmp_path / "b", apart)

    grouped = ingest_fetches(deps_together, _fetches())
    single = [ingest_fetch(deps_apart, f.report, f.raws, f.started_at) for f in _fetches()]

    assert grouped == single
    assert [r.status for r in grouped] == ["ok", "ok", "ok"]
    shown = snapshot(together)
    assert shown == snapshot(apart)
    assert shown["events"], "the Taldykorgan story is alerted"
    assert max(shown["stories"]) == 2, "the two outlets' copies are one story"


def test_a_group_is_one_commit(tmp_path: Path) -> None:
    sessions = open_store(f"sqlite:///{tmp_path / 'casewatch.db'}")
    deps = _deps(tmp_path / "config", sessions)
    commits: list[int] = []
    event.listen(sessions.kw["bind"], "commit", lambda conn: commits.append(1))
    ingest_fetches(deps, _fetches())
    assert len(commits) == 1


def test_a_source_the_store_refuses_fails_alone(
    tmp_path: Path,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The group is rolled back and each fetch stored on its own: the refused one is
    recorded as that source's failure (validators not advanced), the others are kept, and
    the alert of the story is queued once."""
    deps = _deps(tmp_path / "config", sessions)
    real = batch.judge_fetch

    def refuse_azattyq(session: Session, report: FetchReport, *args: Any) -> FetchReport:
        if report.source_id == "azattyq-ru" and report.ok:
            raise RuntimeError("disk I/O error")
        return real(session, report, *args)

    monkeypatch.setattr(batch, "judge_fetch", refuse_azattyq)
    with caplog.at_level(logging.WARNING, logger="pipeline.ingest.batch"):
        results = ingest_fetches(deps, _fetches())

    assert [(r.source_id, r.status) for r in results] == [
        ("vlast-ru", "ok"),
        ("azattyq-ru", "error"),
        ("tengri-ru", "ok"),
    ]
    assert "could not store 3 item(s): disk I/O error" in results[1].error
    assert "could not store 3 sources together" in caplog.text
    shown = snapshot(sessions)
    assert {source for source, _, _ in shown["articles"]} == {"vlast-ru", "tengri-ru"}
    assert dict(shown["validators"]) == {
        "vlast-ru": "vlast-ru",
        "azattyq-ru": None,
        "tengri-ru": "tengri-ru",
    }
    assert len(shown["events"]) == len(set(shown["events"])) > 0

    monkeypatch.setattr(batch, "judge_fetch", real)  # the next run stores it; no alert twice
    again = ingest_fetches(deps, _fetches())
    assert [r.status for r in again] == ["ok", "ok", "ok"]
    after = snapshot(sessions)
    assert len(after["events"]) == len(set(after["events"]))
    assert {source for source, _, _ in after["articles"]} == set(SOURCES)


def test_pending_fetches_are_due_by_size_or_age(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 100.5, 101.0, 200.0, 206.0])
    monkeypatch.setattr("pipeline.fetch.pipeline.time.monotonic", lambda: next(clock))
    pending = Pending(items=4, seconds=5.0)
    (small, big, *_) = _fetches()[::-1] + _fetches()
    assert pending.add(small) is False  # 1 item, 0 s
    assert pending.add(small) is False  # 2 items, 0.5 s
    assert pending.add(big) is True  # 4 items
    assert len(pending.take()) == 3 and pending.fetches == []
    assert pending.add(small) is False  # a new group starts its clock
    assert pending.add(small) is True  # 6 s later: due by age
