"""Evidence pieces: page verdicts and diffs, which items get their page read, the WARC export."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.config.cases import Case, Person
from pipeline.config.settings import EvidenceSettings
from pipeline.evidence.compare import text_diff, verdict
from pipeline.ingest.fulltext import choose_targets, partial_matcher
from pipeline.records import Article, Change
from pipeline.store.articles import Upserted

TEXT = (
    "Суд допросил потерпевшего Азамата Батырбаева. Он рассказал о пытках в департаменте.\n\n"
    "Следующее заседание назначено на 4 декабря."
)


@pytest.mark.parametrize(
    ("old_title", "old_text", "new_title", "new_text", "expected"),
    [
        ("T", TEXT, "T", TEXT, "same"),
        ("T", TEXT, "T", TEXT.replace("\n\n", "\n   \n"), "same"),  # re-flowed, not edited
        ("T", TEXT, "T", TEXT.replace("4 декабря", "11 декабря"), "changed"),
        ("T", TEXT, "T2", TEXT + " Дополнено.", "changed"),
        ("T", TEXT + "\nViews: 120", "T", TEXT + "\nViews: 1 245", "same"),  # a counter
        ("T", TEXT + " Просмотров: 57", "T", TEXT + " Просмотров: 58", "same"),
        ("T", "Обновлено 5 мин назад\n" + TEXT, "T", "Обновлено 12 мин назад\n" + TEXT, "same"),
        ("T", "12.03.2027 10:45\n" + TEXT, "T", "12.03.2027 11:02\n" + TEXT, "same"),
        ("T", TEXT + "\nПриговор: 7 лет", "T", TEXT + "\nПриговор: 8 лет", "changed"),
        ("T", TEXT + "\nViews: 120", "T", TEXT + "\nViews: 120\nДополнено.", "changed"),
        ("T", TEXT, "T", "", "gone"),
        ("T", TEXT, "Главная — Новости", "Курс валют. Погода в Алматы. Реклама на сайте.", "gone"),
    ],
)
def test_verdict(old_title, old_text, new_title, new_text, expected) -> None:
    assert verdict(old_title, old_text, new_title, new_text) == expected


def test_diff_shows_the_edited_sentence() -> None:
    diff = text_diff("T", TEXT, "T", TEXT.replace("4 декабря", "11 декабря"))
    assert "-Следующее заседание назначено на 4 декабря." in diff
    assert "+Следующее заседание назначено на 11 декабря." in diff
    assert diff.count("\n-С") == 1  # only the edited sentence, not its paragraph


CASE = Case(
    slug="t",
    title="T",
    keywords={"ru": ("пытки",)},
    require={"ru": ("Талдыкорган",)},
    people=(Person(name="Азамат Батырбаев", alone=False),),
)


def article(i: int, title: str, summary: str, url: str = "") -> Upserted:
    a = Article(
        source_id="s", url=url or f"https://e.kz/{i}", canonical_url=url or f"https://e.kz/{i}",
        title=title, summary=summary, text="", language="ru", published_at=None, author="",
        content_hash=str(i), title_key=str(i),
    )  # fmt: skip
    return Upserted(Change.NEW, i, a)


LONG = "Подробный текст о городском благоустройстве. " * 20


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("auto", [1, 2, 3]),  # matched, partly matched (a context word), short; not long+unrelated
        ("always", [3, 2, 1, 4]),  # feed order
        ("never", []),
    ],
)
def test_choose_targets(policy: str, expected: list[int]) -> None:
    items = [
        article(3, "Новости дня", "Коротко."),
        article(2, "В Талдыкоргане открыли парк", LONG),
        article(1, "Пытки в Талдыкоргане", LONG),
        article(4, "Погода", LONG),
        article(5, "Пытки", "x", url="https://news.google.com/rss/articles/CBMi?oc=5"),
    ]
    chosen = choose_targets(
        items, {1}, partial_matcher([CASE]), policy=policy, settings=EvidenceSettings()
    )
    assert [t.article_id for t in chosen] == expected


def test_choose_targets_is_capped() -> None:
    items = [article(i, "Пытки", "x") for i in range(1, 6)]
    settings = EvidenceSettings(max_per_source=2)
    chosen = choose_targets(items, set(), None, policy="always", settings=settings)
    assert [t.article_id for t in chosen] == [1, 2]


def test_warc_export_round_trip(tmp_path: Path) -> None:
    from pipeline.evidence.warc import export_evidence
    from pipeline.store.models import ArticleRow, CaptureRow

    body = "<html><body><p>Батырбаев</p></body></html>".encode()
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    capture = CaptureRow(
        kind="first", url="https://e.kz/a?utm=1", final_url="https://e.kz/a", status=200,
        request_headers=[["User-Agent", "casewatch"]],
        headers=[["Content-Type", "text/html"], ["Transfer-Encoding", "chunked"],
                 ["Content-Encoding", "gzip"]],
        body=zlib.compress(body), body_size=len(body), sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=at, title="A", text="Батырбаев", text_sha256="x",
        record_id="<urn:uuid:11111111-2222-3333-4444-555555555555>",
    )  # fmt: skip
    row = ArticleRow(canonical_url="https://e.kz/a", title="A")
    result = export_evidence([(capture, row)], tmp_path, "t", at)
    with result.warc.open("rb") as fh:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.content_stream().read())
            for r in ArchiveIterator(fh)
        ]
    kinds = [k for k, _, _ in records]
    assert kinds == ["warcinfo", "response", "request"]
    _, record_id, payload = records[1]
    assert record_id == capture.record_id and payload == body
    assert result.entries[0].sha256 == hashlib.sha256(payload).hexdigest()
    assert "sha256" in result.manifest_csv.read_text(encoding="utf-8").splitlines()[0]
