"""`casewatch cases` and `cases show SLUG`: every configured case with what the store holds for
it — on a database that does not exist yet, after a real `run --once` of a local feed, and on
rows written straight to SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.models import ArticleRow, HearingRow, MatchRow, SourceRow

from support.cli import Cli, run_casewatch, write_config
from support.http_server import LocalHTTPServer

ALMATY = ZoneInfo("Asia/Almaty")
TORTURE, KUDEBAYEV, OLD = "taldykorgan-torture", "kudebayev-trial", "old-case"
CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки], en: [torture]}
    require: {ru: [Талдыкорган]}
    courts: [Талдыкорганский городской суд]
    people: [{name: Azamat Batyrbayev, role: victim, variants: [Азамат Батырбаев]}]
    articles: ["146"]
    timezone: Asia/Almaty
  - slug: kudebayev-trial
    title: Trial of Serik Kudebayev
    people: [{name: Serik Kudebayev, role: defendant, variants: [Кудебаев]}]
  - slug: old-case
    title: A case no longer followed
    keywords: {en: [closed]}
    enabled: false
"""
RU_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
NEWS_TITLE = "В Талдыкоргане продолжился суд над полицейскими, обвиняемыми в пытках"


def _config(folder: Path, sources: str = "sources: []\n") -> Path:
    return write_config(
        folder,
        cases=CASES,
        sources=sources,
        settings=f"data_dir: {folder.parent / 'data'}\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\n",
    )


def _by_slug(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(row["slug"]): row for row in rows}


def test_cases_on_a_database_that_does_not_exist_yet_lists_every_configured_case(
    tmp_path: Path,
) -> None:
    database = tmp_path / "new" / "casewatch.db"
    cli = Cli(_config(tmp_path / "config"), f"sqlite:///{database}")
    rows = cli.json("cases")
    assert [row["slug"] for row in rows] == [TORTURE, KUDEBAYEV, OLD]
    for row in rows:
        assert row["articles"] == row["hearings"] == 0
        assert row["next_hearing"] is None and row["last_article_at"] is None
    assert _by_slug(rows)[OLD]["enabled"] is False
    assert _by_slug(rows)[TORTURE]["timezone"] == "Asia/Almaty"

    code, table = cli.run("cases")
    assert code == 0, table
    assert "Taldykorgan police torture trials" in table and "3 rows" in table
    assert "A case no longer followed (disabled)" in table

    code, shown = cli.run("cases", "show", KUDEBAYEV)
    assert code == 0, shown
    assert "Serik Kudebayev (defendant; named alone identifies the case) — also Кудебаев" in shown
    assert "0 articles, 0 hearings" in shown
    assert "next hearings: none ahead" in shown and "latest articles: none yet" in shown


def test_cases_show_an_unknown_slug_exits_2_naming_the_configured_cases(tmp_path: Path) -> None:
    cli = Cli(_config(tmp_path / "config"), f"sqlite:///{tmp_path / 'casewatch.db'}")
    code, output = cli.run("cases", "show", "taldykorgan")
    assert code == 2
    assert "unknown case 'taldykorgan'" in output
    assert f"{TORTURE}, {KUDEBAYEV}, {OLD}" in output
    assert "Traceback" not in output


def _said_in_russian(day: date) -> str:
    return f"{day.day} {RU_MONTHS[day.month - 1]} {day.year} года"


def _serve_news(http: LocalHTTPServer, hearing_day: date) -> None:
    """One matching article that announces the next hearing, one that matches nothing."""
    now = format_datetime(datetime.now(UTC))
    items = [
        (NEWS_TITLE, "https://vlast.kz/novosti/1.html",
         f"Следующее заседание назначено на {_said_in_russian(hearing_day)} в 10:00."),
        ("В Талдыкоргане открыли новый парк", "https://vlast.kz/novosti/2.html",
         "Парк открыли в микрорайоне Жастар."),
    ]  # fmt: skip
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid><pubDate>{now}</pubDate>"
        f"<description>{d}</description></item>"
        for t, u, d in items
    )
    http.route(
        "/news.xml",
        body=f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{body}</channel></rss>',
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )


def test_cases_after_a_run_counts_what_was_matched_and_shows_the_next_hearing(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    hearing_day = datetime.now(ALMATY).date() + timedelta(days=30)
    _serve_news(http_server, hearing_day)
    config = _config(
        tmp_path / "config",
        sources="sources:\n"
        f"  - {{id: news, kind: feed, url: '{http_server.url('/news.xml')}', full_text: never}}\n",
    )
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"
    run = run_casewatch(config, database, "run", "--once", "--all")
    assert run.returncode == 0, run.stdout + run.stderr

    listed = run_casewatch(config, database, "cases", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = _by_slug(json.loads(listed.stdout))
    torture = rows[TORTURE]
    assert (torture["articles"], torture["hearings"]) == (1, 1)
    hearing = torture["next_hearing"]
    assert isinstance(hearing, dict)
    assert hearing["local_time"] == f"{hearing_day.isoformat()}T10:00"
    assert hearing["scheduled_at"] == f"{hearing_day.isoformat()}T10:00:00+05:00"
    assert hearing["article_url"] == "https://vlast.kz/novosti/1.html"
    assert str(torture["last_article_at"]).endswith("+05:00")
    assert (rows[KUDEBAYEV]["articles"], rows[KUDEBAYEV]["next_hearing"]) == (0, None)

    table = run_casewatch(config, database, "cases")
    assert f"{hearing_day.isoformat()} 10:00 (Asia/Almaty, UTC+05:00)" in table.stdout

    shown = run_casewatch(config, database, "cases", "show", TORTURE)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "keywords       ru: пытки" in out and "code articles  146" in out
    assert "require        ru: Талдыкорган" in out
    assert "courts         Талдыкорганский городской суд" in out
    assert "1 articles, 1 hearings" in out
    assert f"  {hearing_day.isoformat()} 10:00 (Asia/Almaty, UTC+05:00)  scheduled" in out
    assert "    https://vlast.kz/novosti/1.html" in out  # the hearing's link: the article
    assert NEWS_TITLE in out


NOW = datetime.now(UTC).replace(microsecond=0)


def _populate(session: Session) -> None:
    session.add(
        SourceRow(id="news", kind="feed", url="http://127.0.0.1:9/x", consecutive_failures=0)
    )
    session.flush()
    articles = [
        ArticleRow(url=f"http://127.0.0.1:9/{n}", canonical_url=f"http://127.0.0.1:9/{n}",
                   title=f"Статья {n}", language="ru", published_at=published,
                   first_seen_at=NOW - timedelta(days=1), last_seen_at=NOW, source_id="news",
                   content_hash="0" * 64, title_key=f"statia {n}")
        for n, published in ((1, NOW - timedelta(days=10)), (2, NOW - timedelta(days=3)), (3, None))
    ]  # fmt: skip
    day = (NOW + timedelta(days=5)).astimezone(ALMATY).date()
    wall = datetime.combine(day, time(11, 30))
    hearings = [
        HearingRow(identity=name, slot=name, fingerprint="f", court="Талдыкорганский городской суд",
                   case_number="1917-22-00-1/215", scheduled_at=at, local_time=local,
                   timezone="Asia/Almaty", courtroom="зал 3", judge="", parties="", category="",
                   status=status, source_id="news", source_url="http://127.0.0.1:9/schedule",
                   first_seen_at=NOW, last_seen_at=NOW, cells={})
        for name, at, local, status in (
            ("ahead", wall.replace(tzinfo=ALMATY).astimezone(UTC), wall.isoformat(timespec="minutes"), "scheduled"),
            ("sooner-but-cancelled", NOW + timedelta(days=1), "x", "cancelled"),
            ("past", NOW - timedelta(days=30), "x", "held"),
        )
    ]  # fmt: skip
    session.add_all([*articles, *hearings])
    session.flush()
    session.add_all(
        MatchRow(article_id=a.id, case_slug=TORTURE, score=0.5, why=[], created_at=NOW)
        for a in articles
    )
    session.add_all(
        MatchRow(hearing_id=h.id, case_slug=TORTURE, score=1.0, why=[], created_at=NOW)
        for h in hearings
    )
    session.add(MatchRow(article_id=articles[0].id, case_slug=KUDEBAYEV, score=0.5, why=[],
                         created_at=NOW))  # fmt: skip


def test_counts_newest_article_and_next_hearing_from_the_store(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        _populate(session)
    cli = Cli(_config(tmp_path / "config"), db_url)
    rows = _by_slug(cli.json("cases"))
    torture, kudebayev = rows[TORTURE], rows[KUDEBAYEV]
    assert (torture["articles"], torture["hearings"]) == (3, 3)
    newest = datetime.fromisoformat(str(torture["last_article_at"]))
    assert newest == NOW - timedelta(days=1)  # the undated article, by its first sighting
    assert newest.utcoffset() == timedelta(hours=5)
    assert isinstance(torture["next_hearing"], dict)
    assert torture["next_hearing"]["identity"] == "ahead"  # not the cancelled one, not the past
    assert (kudebayev["articles"], kudebayev["hearings"], kudebayev["next_hearing"]) == (1, 0, None)
    assert datetime.fromisoformat(str(kudebayev["last_article_at"])) == NOW - timedelta(days=10)

    shown = cli.invoke("cases", "show", TORTURE, "--format", "json")
    assert shown.exit_code == 0, shown.output
    obj = json.loads(shown.stdout)
    assert obj["config"]["require"] == {"ru": ["Талдыкорган"]}
    assert [h["identity"] for h in obj["next_hearings"]] == ["ahead"]
    assert [a["title"] for a in obj["latest_articles"]] == ["Статья 3", "Статья 2", "Статья 1"]
    assert obj["articles"] == 3 and obj["last_article_at"] == torture["last_article_at"]
    inherited = cli.invoke("cases", "--format", "json", "show", TORTURE)
    assert json.loads(inherited.stdout) == obj  # `cases --format json show` is json too


def test_cases_as_csv(tmp_path: Path) -> None:
    cli = Cli(_config(tmp_path / "config"), f"sqlite:///{tmp_path / 'casewatch.db'}")
    _, rows = cli.csv("cases")
    assert [r["slug"] for r in rows] == [TORTURE, KUDEBAYEV, OLD]
    assert rows[0]["articles"] == "0" and rows[0]["next_hearing"] == ""
