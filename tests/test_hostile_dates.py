"""Dates no site can mean (year 9999, year 0001, 2099) and alerts that cannot be rendered:
neither may hold back a legitimate alert or make a healthy channel look broken."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.alerts import Channel, Route
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.items import RawArticle
from pipeline.normalize.article import normalize_article
from pipeline.normalize.dates import in_window, parse_date
from pipeline.notify import deliver_pending
from pipeline.notify.render import format_time
from pipeline.records import Event
from pipeline.store.engine import open_store
from pipeline.store.events import add_events
from pipeline.store.models import ArticleRow, ChannelStateRow, DeliveryRow

from support.cli import run_casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer

CASEWATCH = Path(sys.executable).with_name("casewatch")
FETCHED = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
TRIAL = "В Талдыкоргане продолжился суд над полицейскими, обвиняемыми в пытках, день {n}"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Fri, 31 Dec 9999 23:00:00 +0000", None),
        ("9999-12-31T23:59:59Z", None),
        ("Mon, 01 Jan 0001 00:00:00 +0000", None),  # was read as 2001
        ("0001-01-01T00:00:00Z", None),
        ("Thu, 01 Jan 2099 00:00:00 +0000", None),
        ("Sat, 05 Dec 2026 10:00:00 +0500", datetime(2026, 12, 5, 5, 0, tzinfo=UTC)),
        ("1999-03-01T00:00:00Z", datetime(1999, 3, 1, tzinfo=UTC)),
    ],
)
def test_dates_outside_the_window_are_stored_as_none(
    printed: str, expected: datetime | None
) -> None:
    raw = RawArticle(
        source_id="hostile",
        url="https://example.kz/a/1",
        title="Суд над полицейскими",
        published=printed,
    )
    article = normalize_article(raw, fetched_at=FETCHED, default_tz="Asia/Almaty")
    assert article is not None
    assert article.published_at == expected


def test_the_window_bounds() -> None:
    assert in_window(datetime(1990, 1, 1, tzinfo=UTC), FETCHED) is not None
    assert in_window(datetime(1989, 12, 31, tzinfo=UTC), FETCHED) is None
    assert in_window(FETCHED + timedelta(days=366), FETCHED) is not None
    assert in_window(FETCHED + timedelta(days=367), FETCHED) is None
    # parsing alone keeps what was printed; the window is ingest's rule
    assert parse_date("9999-12-31T23:59:59Z") == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_a_time_at_the_calendars_edge_renders_in_an_eastern_zone() -> None:
    shown = format_time("9999-12-31T23:59:00+00:00", "Asia/Almaty")
    assert shown.startswith("9999-12-31 23:59")


def feed(items: list[tuple[int, str]]) -> str:
    body = "".join(
        f"<item><title>{TRIAL.format(n=n)}</title><link>https://vlast.kz/n/{n}.html</link>"
        f"<guid>https://vlast.kz/n/{n}.html</guid><pubDate>{date}</pubDate>"
        "<description>Процесс по делу о пытках задержанных в январе 2022 года.</description>"
        "</item>"
        for n, date in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>{body}</channel></rss>'


def test_year_9999_items_beside_normal_ones_deliver_everything_on_the_first_run(
    tmp_path: Path, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    poisoned = [(n, "Fri, 31 Dec 9999 23:00:00 +0000") for n in range(6)]
    normal = [(n, "Mon, 07 Dec 2026 09:00:00 +0500") for n in range(6, 10)]
    http_server.route("/feed.xml", body=feed(poisoned + normal))
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\ntimezone: Asia/Almaty\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\nevidence: {max_per_source: 0, recheck_per_run: 0}\n"
        "delivery: {breaker: 2, channel_failing_after: 2}\n",
        encoding="utf-8",
    )
    (config / "sources.yaml").write_text(
        f"sources:\n  - {{id: hostile, kind: feed, url: '{http_server.url('/feed.xml')}'}}\n",
        encoding="utf-8",
    )
    (config / "cases.yaml").write_text(
        "cases:\n  - slug: taldykorgan-torture\n    title: Taldykorgan\n"
        "    timezone: Asia/Almaty\n    keywords: {ru: [пытки]}\n",
        encoding="utf-8",
    )
    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=cw@example.org&to=m@example.org"
    (config / "alerts.yaml").write_text(
        f"channels:\n  - id: team-email\n    url: '{mail}'\n"
        "routes:\n  - cases: ['*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"

    run = run_casewatch(config, database, "run", "--once", "--all", "-v")

    assert run.returncode == 0, run.stdout + run.stderr
    assert len(smtp_server.messages) == 10, run.stdout + run.stderr
    assert "out of range" in run.stderr
    sessions = open_store(database)
    with sessions() as session:
        assert session.scalars(select(ChannelStateRow.consecutive_failures)).all() in ([], [0])
        assert set(session.scalars(select(DeliveryRow.status))) == {"sent"}
        dates = session.scalars(select(ArticleRow.published_at)).all()
    assert sorted(d is None for d in dates) == [False] * 4 + [True] * 6
    sessions.kw["bind"].dispose()


def test_an_alert_that_cannot_be_rendered_fails_alone_and_spares_the_channel(
    sessions: sessionmaker[Session],
    smtp_server: LocalSMTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stored alert that breaks the template (here: made to) fails for good with the
    reason; the others go out in the same run and the channel is never counted failing."""
    import pipeline.notify.compose as compose  # renders each batch's message

    real_render = compose.render

    def render(event, **kwargs):  # type: ignore[no-untyped-def]
        if "POISON" in str(event.payload.get("title")):
            raise OverflowError("date value out of range")
        return real_render(event, **kwargs)

    monkeypatch.setattr(compose, "render", render)
    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=cw@example.org&to=m@example.org"
    config = Config(
        directory=Path("."),
        settings=Settings(delivery=DeliverySettings(min_interval=timedelta(0), breaker=1)),
        sources=(),
        cases=(),
        channels=(Channel(id="team-email", url=mail),),
        routes=(Route(channels=["team-email"]),),
    )
    titles = ["POISON 1", "ok 1", "POISON 2", "ok 2", "ok 3"]
    events = [
        Event(kind="article.new", case=None, dedupe_key=t, payload={"title": t, "url": ""})
        for t in titles
    ]
    with sessions.begin() as session:
        add_events(session, events, lambda kind, case: ("team-email",), FETCHED)

    report = deliver_pending(sessions, config, clock=lambda: FETCHED + timedelta(minutes=1))

    assert len(smtp_server.messages) == 3
    assert report.sent == 3 and report.failed == 2
    with sessions() as session:
        rows = session.execute(select(DeliveryRow.status, DeliveryRow.last_error)).all()
        state = session.scalars(select(ChannelStateRow.consecutive_failures)).all()
    failed = [error for status, error in rows if status == "failed"]
    assert len(failed) == 2
    assert all("cannot render this alert: OverflowError" in e for e in failed)
    assert state in ([], [0])
