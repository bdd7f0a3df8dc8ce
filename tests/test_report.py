"""The case chronology (``pipeline.report``) on hand-made hearings and articles: the summary a
statement opens with, what counts as held and postponed, what the news said of each hearing,
empty cases, escaping, and the CLI's edges (unknown slug, bad dates, --out)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.report.build import build_report
from pipeline.report.labels import report_language, ru_plural, summary_text
from pipeline.report.model import CaseInfo, Period, Summary
from pipeline.report.render import md_link, md_text, render_report
from pipeline.store.read.hearings import HearingHistoryEntry, HearingListing
from pipeline.store.read.report import ReportArticle, ReportCapture

from support.cli import Cli
from support.web_data import Filled, fill

TZ = "Asia/Almaty"
CASE = CaseInfo("taldykorgan-torture", "Taldykorgan police torture trials", TZ)
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # 13:00 in Almaty
ALL_DAYS = Period()
COURT = "Талдыкорганский городской суд"


def hearing(day: str, at: str = "10:00", **fields: Any) -> HearingListing:
    """A court-listed hearing of the case on ``day`` (local, Asia/Almaty, UTC+5)."""
    local = f"{day}T{at}" if at else day
    moment = datetime.fromisoformat(f"{local}+05:00") if at else None
    base = HearingListing(
        case_number="1917-22-00-1/215", court=COURT, scheduled_at=moment, local_time=local,
        timezone=TZ, status="scheduled", courtroom="зал 3", judge="Дуйсенбеков Б.", parties="",
        category="", stage="", cases=(CASE.slug,), source="court",
        source_url="https://court.example/schedule", article_url="",
        first_seen_at=datetime(2026, 11, 1, 6, tzinfo=UTC),
        last_seen_at=datetime(2026, 11, 20, 6, tzinfo=UTC), identity=f"h-{day}-{at}", history=(),
    )  # fmt: skip
    return replace(base, **fields)


def article(n: int, published: str, text: str, **fields: Any) -> ReportArticle:
    base = ReportArticle(
        id=n, url=f"https://news.example/a/{n}", title=f"Article {n}",
        published_at=datetime.fromisoformat(published), first_seen_at=NOW - timedelta(days=30),
        source="news-ru", publisher="", language="ru", text=text,
        why=("keyword «пытки» in title",), removed_at=None,
    )  # fmt: skip
    return replace(base, **fields)


def report(
    hearings: list[HearingListing],
    articles: list[ReportArticle] | None = None,
    *,
    period: Period = ALL_DAYS,
    lang: str = "en",
    captures: dict[int, list[ReportCapture]] | None = None,
    announced: dict[str, str] | None = None,
) -> Any:
    return build_report(
        CASE, hearings=hearings, announced=announced or {}, articles=articles or [],
        captures=captures or {}, now=NOW, period=period, lang=lang,
    )  # fmt: skip


# ---------------------------------------------------------------- the summary sentence


def summary(held: int, postponed: int, off: int, *, next_day: str | None = "2026-12-03") -> Summary:
    nxt = None
    if next_day:
        nxt = report([hearing(next_day, "11:30", courtroom="зал 5")]).summary.next_hearing
    return Summary(held, postponed, off, 0, nxt, date(2026, 9, 1), date(2026, 11, 30), 0, 0, 0)


@pytest.mark.parametrize(
    ("held", "postponed", "off", "lang", "expected"),
    [
        (4, 0, 0, "en", "From 2026-09-01 to 2026-11-30, four hearings have taken place; "
                        "no hearing was postponed or moved."),
        (1, 1, 1, "en", "one hearing has taken place; hearings were postponed or moved once; "
                        "one hearing was cancelled or removed from the court's schedule."),
        (0, 2, 3, "en", "no hearing has taken place; hearings were postponed or moved twice; "
                        "three hearings were cancelled"),
        (14, 5, 0, "en", "14 hearings have taken place; hearings were postponed or moved five times"),
        (4, 2, 0, "ru", "С 2026-09-01 по 2026-11-30 состоялись 4 заседания; заседания "
                        "откладывались или переносились 2 раза."),
        (5, 1, 1, "ru", "состоялось 5 заседаний; заседания откладывались или переносились 1 раз; "
                        "1 заседание отменено или исчезло из графика суда."),
        (21, 0, 2, "ru", "состоялось 21 заседание; заседания не откладывались и не переносились; "
                         "2 заседания отменены или исчезли из графика суда."),
        (0, 0, 0, "ru", "ни одно заседание не состоялось"),
    ],
)  # fmt: skip
def test_the_summary_reads_like_a_statement(
    held: int, postponed: int, off: int, lang: str, expected: str
) -> None:
    opening, following = summary_text(summary(held, postponed, off), lang)
    assert expected in opening
    where = "2026-12-03 11:30 (Asia/Almaty, UTC+05:00), Талдыкорганский городской суд, зал 5."
    assert following.endswith(where)
    assert following.startswith(
        "The next hearing is set for" if lang == "en" else "Следующее заседание назначено на"
    )


def test_the_summary_without_a_next_hearing_or_any_data() -> None:
    empty = Summary(0, 0, 0, 0, None, None, None, 0, 0, 0)
    assert summary_text(empty, "en") == [
        "casewatch holds no hearings or articles of this case for this period.",
        "No next hearing is known.",
    ]
    assert summary_text(empty, "ru")[1] == "Дата следующего заседания неизвестна."


@pytest.mark.parametrize(
    ("n", "form"), [(1, "a"), (2, "b"), (4, "b"), (5, "c"), (11, "c"), (12, "c"), (21, "a"),
                    (22, "b"), (111, "c"), (0, "c")],
)  # fmt: skip
def test_ru_plural(n: int, form: str) -> None:
    assert ru_plural(n, "a", "b", "c") == form


@pytest.mark.parametrize(
    ("asked", "case", "expected"),
    [
        (None, None, "en"),
        (None, "ru", "ru"),
        ("en", "ru", "en"),
        (None, "kk", "en"),
        ("ru", None, "ru"),
    ],
)
def test_report_language(asked: str | None, case: str | None, expected: str) -> None:
    assert report_language(asked, case) == expected


# ---------------------------------------------------------------- held, postponed, news


def test_held_upcoming_cancelled_removed_and_the_next_hearing() -> None:
    built = report(
        [
            hearing("2026-10-01"),
            hearing("2026-10-15", status="cancelled"),
            hearing("2026-11-21", "09:00"),  # this morning: held
            hearing("2026-11-21", ""),  # a date alone, today: ahead all day (listed first)
            hearing("2026-12-03", "11:30"),
            hearing("2026-12-10", status="removed"),
        ]
    )
    outcomes = [(e.day.isoformat(), e.outcome) for e in built.hearings]
    assert outcomes == [
        ("2026-10-01", "held"), ("2026-10-15", "cancelled"), ("2026-11-21", "upcoming"),
        ("2026-11-21", "held"), ("2026-12-03", "upcoming"), ("2026-12-10", "removed"),
    ]  # fmt: skip
    s = built.summary
    assert (s.held, s.off, s.upcoming, s.postponed) == (2, 2, 2, 0)
    assert s.next_hearing is not None and s.next_hearing.hearing.local_time == "2026-11-21"
    assert (s.first, s.last) == (date(2026, 10, 1), date(2026, 12, 10))


def test_an_article_reporting_a_postponement_puts_off_that_days_hearing() -> None:
    """Published the day after the hearing: it is not held, and the sentence is the reason."""
    said = "Заседание по делу о пытках в Талдыкоргане отложено в связи с неявкой свидетелей."
    built = report(
        [hearing("2026-11-10"), hearing("2026-11-18", "09:00")],
        [article(1, "2026-11-19T09:00:00+05:00", said)],
    )
    first, second = built.hearings
    assert (first.outcome, second.outcome) == ("held", "postponed")
    assert [m.kind for m in second.news] == ["postponed"]
    [postponement] = built.postponements
    assert postponement.how == "news" and postponement.new == ""
    assert postponement.old == "2026-11-18 09:00 (Asia/Almaty, UTC+05:00)"
    assert [m.sentence for m in postponement.reasons] == [said]
    assert postponement.hearing is second
    assert (built.summary.held, built.summary.postponed) == (1, 1)


def test_a_postponement_of_a_hearing_casewatch_never_saw_is_still_listed() -> None:
    said = "Заседание по делу о пытках в Талдыкоргане отложено на 2 декабря."
    built = report([], [article(1, "2026-11-19T09:00:00+05:00", said)])
    [postponement] = built.postponements
    assert (postponement.how, postponement.old, postponement.new) == ("news", "", "2026-12-02")
    assert postponement.hearing is None and postponement.day == date(2026, 11, 19)
    md = render_report(built, "md")
    assert "**a hearing not in the database** → **2026-12-02** · reported in the news" in md
    assert built.summary.postponed == 1


def test_a_court_move_and_the_article_that_reported_it_are_one_postponement() -> None:
    moved = hearing(
        "2026-12-03", "11:30",
        history=(
            HearingHistoryEntry("scheduled_at", "2026-12-01T10:00:00+05:00",
                                "2026-12-03T11:30:00+05:00", NOW - timedelta(days=1)),
            HearingHistoryEntry("local_time", "2026-12-01T10:00", "2026-12-03T11:30",
                                NOW - timedelta(days=1)),
            HearingHistoryEntry("courtroom", "зал 3", "зал 5", NOW - timedelta(days=1)),
        ),
    )  # fmt: skip
    said = "Суд отложил рассмотрение дела о пытках на 3 декабря в связи с болезнью адвоката."
    built = report([moved], [article(1, "2026-11-20T12:00:00+05:00", said)])
    [postponement] = built.postponements
    assert postponement.how == "moved"
    assert postponement.old == "2026-12-01 10:00 (Asia/Almaty, UTC+05:00)"
    assert postponement.new == "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)"
    assert [m.sentence for m in postponement.reasons] == [said]
    [entry] = built.hearings
    assert entry.outcome == "upcoming"
    assert [s.kind for s in entry.steps] == ["listed", "moved", "changed"]
    assert [m.kind for m in entry.news] == ["postponed_to"]
    md = render_report(built, "md")
    assert "moved 2026-12-01 10:00 (Asia/Almaty, UTC+05:00) → 2026-12-03 11:30" in md
    assert "courtroom: зал 3 → зал 5" in md


def test_an_announced_date_the_court_then_listed_is_one_hearing_quoting_the_news() -> None:
    said = "Следующее заседание назначено на 3 декабря 2026 года."
    news_row = hearing(
        "2026-12-03", "", status="superseded", source="news-ru", identity="announced",
        article_url="https://news.example/a/1", first_seen_at=datetime(2026, 10, 30, tzinfo=UTC),
    )  # fmt: skip
    court_row = hearing("2026-12-03", "11:30")
    built = report(
        [court_row, news_row],
        [article(1, "2026-10-30T10:00:00+05:00", f"Суд продолжился. {said}")],
        announced={"announced": said},
    )
    [entry] = built.hearings
    assert entry.hearing is court_row
    assert [s.kind for s in entry.steps] == ["announced", "listed"]
    assert [(m.kind, m.sentence) for m in entry.news] == [("announced", said)]


def test_a_date_only_the_news_announced_is_a_hearing_with_its_sentence() -> None:
    said = "Следующее заседание назначено на 3 декабря 2026 года."
    news_row = hearing(
        "2026-12-03", "", source="news-ru", identity="announced",
        article_url="https://news.example/a/1",
    )  # fmt: skip
    # the article was edited since: the stored sentence is still quoted
    built = report(
        [news_row], [article(1, "2026-10-30T10:00:00+05:00", "Суд продолжился.")],
        announced={"announced": said},
    )  # fmt: skip
    [entry] = built.hearings
    assert [(m.kind, m.sentence) for m in entry.news] == [("announced", said)]
    assert entry.outcome == "upcoming" and [s.kind for s in entry.steps] == ["announced"]
    assert "2026-12-03 (Asia/Almaty)" in render_report(built, "md")


def test_an_article_on_the_day_reports_that_hearing() -> None:
    text = "14 ноября в Талдыкорганском городском суде допросили потерпевшего Азамата Батырбаева."
    built = report(
        [hearing("2026-11-14"), hearing("2026-11-28")],
        [article(1, "2026-11-14T18:00:00+05:00", text), article(2, "2026-08-01T10:00:00+05:00", text)],
    )  # fmt: skip
    first, second = built.hearings
    assert [(m.kind, m.article.id) for m in first.news] == [("reported", 1)]  # not August's
    assert second.news == ()


def test_the_period_keeps_its_days_and_the_next_hearing_stays() -> None:
    built = report(
        [hearing("2026-10-01"), hearing("2026-11-10"), hearing("2026-12-03")],
        [article(1, "2026-09-30T23:30:00+05:00", "x"), article(2, "2026-10-01T00:30:00+05:00", "y")],
        period=Period(date(2026, 10, 1), date(2026, 10, 31)),
    )  # fmt: skip
    assert [e.day for e in built.hearings] == [date(2026, 10, 1)]
    assert [a.ref.id for a in built.articles] == [2]  # days in the case's zone
    assert built.summary.next_hearing is not None
    assert built.summary.next_hearing.day == date(2026, 12, 3)
    assert (built.summary.first, built.summary.last) == (date(2026, 10, 1), date(2026, 10, 31))


# ---------------------------------------------------------------- empty cases, escaping


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_case_with_nothing_yet_still_makes_a_document(lang: str) -> None:
    built = report([], [], lang=lang)
    md, html = render_report(built, "md"), render_report(built, "html")
    words = {
        "en": ["No hearings in this period.", "No articles in this period.",
               "No next hearing is known.", "No postponements or moves in this period."],
        "ru": ["Заседаний за этот период нет.", "Публикаций за этот период нет.",
               "Дата следующего заседания неизвестна."],
    }[lang]  # fmt: skip
    for text in words:
        assert text in md and text in html


def test_hearings_without_articles_and_articles_without_hearings() -> None:
    only_hearings = render_report(report([hearing("2026-10-01")]), "md")
    assert (
        "No articles in this period." in only_hearings
        and "one hearing has taken place" in only_hearings
    )
    capture = ReportCapture(
        1, NOW, "first", 200, "https://news.example/a/1", "ab" * 32, 10, "<urn:uuid:x>"
    )
    only_news = render_report(
        report([], [article(1, "2026-11-01T10:00:00+05:00", "текст")], captures={1: [capture]}), "md"
    )  # fmt: skip
    assert "No hearings in this period." in only_news
    assert f"sha256: `{'ab' * 32}`" in only_news and "WARC-Record-ID: `<urn:uuid:x>`" in only_news


HOSTILE_TITLE = "[click](javascript:alert(1)) <script>alert(1)</script> **bold** `code`"


def test_scraped_text_is_escaped_and_links_are_only_http() -> None:
    bad = article(1, "2026-11-01T10:00:00+05:00", "текст", title=HOSTILE_TITLE,
                  url="javascript:alert(1)", publisher="<b>Outlet</b>")  # fmt: skip
    built = report([hearing("2026-10-01", source_url="javascript:alert(2)")], [bad])
    md, html = render_report(built, "md"), render_report(built, "html")
    assert "<script" not in html.lower()
    assert all(h.startswith(("http://", "https://")) for h in re.findall(r'href="([^"]*)"', html))
    assert "&lt;script&gt;" in html and "&lt;b&gt;Outlet&lt;/b&gt;" in html
    assert not re.search(r"(?<!\\)\]\(", md.split("## Evidence")[0].replace("](<https://", ""))
    assert "<script>" not in md and "(<javascript" not in md
    assert md_text(HOSTILE_TITLE) == (
        r"\[click\](javascript:alert(1)) \<script\>alert(1)\</script\> \*\*bold\*\* \`code\`"
    )
    assert md_link("title", "javascript:alert(1)") == "title"
    assert (
        md_link("a [b]", "https://x.example/a b<c>")
        == "[a \\[b\\]](<https://x.example/a%20b%3Cc%3E>)"
    )


def test_the_html_prints_one_page_a_section_without_script_or_external_files() -> None:
    html = render_report(report([hearing("2026-10-01")]), "html")
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "@media print" in html and "page-break-before:always" in html
    sections = re.findall(r'<section class="([^"]*)"|<section id=', html)
    assert len(sections) == 7 and sections[0] == "first"  # summary, then a page each


# ---------------------------------------------------------------- the command's edges


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    result = fill(tmp_path_factory.mktemp("report"))
    yield result
    result.sessions.kw["bind"].dispose()


def cli(filled: Filled) -> Cli:
    return Cli(config_dir=filled.config.directory, database=filled.url)


def test_unknown_case_exits_2_naming_the_known_ones(filled: Filled) -> None:
    code, output = cli(filled).run("report", "nope")
    assert code == 2
    assert "unknown case 'nope'" in output and "taldykorgan-torture" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--from", "2026-13-01"), "expected a date YYYY-MM-DD"),
     (("--from", "2026-12-01", "--to", "2026-11-01"), "is after --to")],
)  # fmt: skip
def test_bad_dates_are_usage_errors(filled: Filled, args: tuple[str, ...], message: str) -> None:
    code, output = cli(filled).run("report", "taldykorgan-torture", *args)
    assert code == 2 and message in output


def test_out_writes_the_file_in_the_language_asked(filled: Filled, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, output = cli(filled).run(
        "report", "taldykorgan-torture", "--format", "html", "--lang", "ru", "--out", str(target)
    )
    assert code == 0, output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="ru">' in html
    assert "Хронология дела" in html
