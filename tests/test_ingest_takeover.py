"""The publisher's own copy of an article first stored under an undecodable Google News link
takes its place and its unsent alert: one alert per case and channel, carrying the
publisher's link, whichever of the two fetches a run stores first (``pipeline.ingest.takeover``).
An alert already sent, tried or claimed is never changed or sent again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.items import FetchReport, RawArticle
from pipeline.notify.channels import Channel, SendResult
from pipeline.notify.deliver import deliver_pending
from pipeline.notify.render import Message
from pipeline.store import outbox
from pipeline.store.engine import open_store
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow, MatchRow

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=3)
TITLE = "В Талдыкоргане начался суд над полицейскими, обвиняемыми в пытках задержанных"
VLAST = "https://vlast.kz/novosti/61234-v-taldykorgane-nachalsya-sud.html"
GOOGLE = (  # a new-style link: only Google can resolve it
    "https://news.google.com/rss/articles/CBMiVkFVX3lxTE4zaGU2bTY2ZGkzdTRkSkJ0cFpsTGlDUjkx"
    "U2FBRURaTWU0c3QzVWZ1MHZZNkZ5Vzk1ZVBnTDFHY2R6ZmdCUkpUTUJsS1pqQTlCRzlzbHV3?oc=5"
)
GOOGLE_URL = GOOGLE.split("?")[0]  # as stored: Google's parameters dropped
SUMMARY = "Подсудимые, бывшие сотрудники ДП Алматинской области, обвиняются в пытках по статье 146."
CHANNELS = ("team-email", "team-chat")


@pytest.fixture
def deps(tmp_path: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    return _deps(tmp_path / "config", sessions)


def _deps(folder: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text("news_search: {enabled: false}\n", encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "sources:\n"
        "  - {id: vlast-ru, kind: feed, url: 'http://127.0.0.1:9/vlast.xml', every: 1h}\n"
        "  - {id: gnews-ru, kind: feed, url: 'http://127.0.0.1:9/gnews.xml', every: 1h}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n"
        "  - {id: team-email, url: 'json://127.0.0.1:9/mail'}\n"
        "  - {id: team-chat, url: 'json://127.0.0.1:9/chat'}\n"
        "routes:\n  - {cases: ['*'], events: [article.new], channels: [team-email, team-chat]}\n",
        encoding="utf-8",
    )
    return build_deps(config=load_config(folder, environ={}), sessions=sessions, clock=lambda: T0)


def outlet(deps: IngestDeps, at: datetime) -> None:
    raw = RawArticle("vlast-ru", VLAST + "?utm_source=rss", TITLE, f"<p>{SUMMARY}</p>",
                     "Fri, 27 Nov 2026 14:00:00 +0500")  # fmt: skip
    _fetch(deps, at, raw)


def google(deps: IngestDeps, at: datetime) -> None:
    raw = RawArticle("gnews-ru", GOOGLE, f"{TITLE} - Vlast.kz", f'<a href="{GOOGLE}">{TITLE}</a>',
                     "Fri, 27 Nov 2026 09:00:00 GMT", guid=GOOGLE, publisher="Vlast.kz")  # fmt: skip
    _fetch(deps, at, raw)


def _fetch(deps: IngestDeps, at: datetime, raw: RawArticle) -> None:
    report = FetchReport(raw.source_id, f"http://127.0.0.1:9/{raw.source_id}.xml", status=200)
    result = ingest_fetch(replace(deps, clock=lambda: at), report, [raw], at)
    assert result.status == "ok", result.error


ORDERS = {"outlet first": (outlet, google), "google first": (google, outlet)}


def messages(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Channel → the payloads of the alerts it will send (pending) or sent."""
    rows = session.execute(
        select(DeliveryRow.channel, EventRow.payload)
        .join(EventRow, EventRow.id == DeliveryRow.event_id)
        .where(DeliveryRow.status.in_([outbox.PENDING, outbox.SENT]))
        .order_by(DeliveryRow.id)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for channel, payload in rows:
        out.setdefault(channel, []).append(payload)
    return out


def stored(session: Session) -> dict[str, Any]:
    """What either order must leave the same (times and ids aside)."""
    events = session.execute(
        select(EventRow.kind, EventRow.case_slug, EventRow.dedupe_key, EventRow.payload)
        .order_by(EventRow.case_slug)
    ).all()  # fmt: skip
    deliveries = session.execute(
        select(EventRow.case_slug, DeliveryRow.channel, DeliveryRow.status)
        .join(EventRow, EventRow.id == DeliveryRow.event_id)
        .order_by(EventRow.case_slug, DeliveryRow.channel)
    ).all()  # fmt: skip
    articles = session.execute(
        select(ArticleRow.canonical_url, ArticleRow.title, ArticleRow.source_id,
               ArticleRow.summary, ArticleRow.content_hash, ArticleRow.published_at)
    ).all()  # fmt: skip
    matches = session.execute(
        select(MatchRow.case_slug, MatchRow.score, MatchRow.why).order_by(MatchRow.case_slug)
    ).all()
    return {"events": events, "deliveries": deliveries, "articles": articles, "matches": matches}


@pytest.mark.parametrize("order", ORDERS)
def test_one_alert_per_channel_with_the_outlets_link_in_either_order(
    deps: IngestDeps, order: str
) -> None:
    first, second = ORDERS[order]
    first(deps, T0)
    second(deps, T1)
    with deps.sessions() as session:
        sent = messages(session)
        assert sorted(sent) == sorted(CHANNELS)
        for channel in CHANNELS:
            [payload] = sent[channel]  # one message per channel: the lead, the others with it
            assert payload["url"] == VLAST and payload["source"] == "vlast-ru"
            assert payload["title"] == TITLE and payload["publisher"] == "vlast.kz"
            assert payload["summary"] == SUMMARY
        urls = session.scalars(select(ArticleRow.canonical_url)).all()
        assert urls == [VLAST]  # one article, under the publisher's link
        keys = session.scalars(select(EventRow.dedupe_key)).all()
        assert keys and all(k.endswith(VLAST) for k in keys)


def test_both_orders_store_the_same(tmp_path: Path) -> None:
    seen = []
    for name, (first, second) in ORDERS.items():
        sessions = open_store(f"sqlite:///{tmp_path / name.replace(' ', '-')}.db")
        deps = _deps(tmp_path / name.replace(" ", "-"), sessions)
        first(deps, T0)
        second(deps, T1)
        with sessions() as session:
            seen.append(stored(session))
        sessions.kw["bind"].dispose()
    assert seen[0] == seen[1]


def _claim_all(deps: IngestDeps, *, sent: tuple[str, ...]) -> None:
    """Claim every pending delivery (a delivery run sending now); record those to ``sent``
    channels as sent."""
    with deps.sessions.begin() as session:
        for row in outbox.due(session, T0):
            assert outbox.claim(session, row.id, T0, T0 + timedelta(minutes=5))
            if row.channel in sent:
                assert outbox.mark_sent(session, row.id, T0)


def _snapshot(session: Session) -> tuple[list[Any], list[Any]]:
    events = session.execute(
        select(EventRow.id, EventRow.dedupe_key, EventRow.payload).order_by(EventRow.id)
    ).all()
    deliveries = session.execute(
        select(DeliveryRow.id, DeliveryRow.event_id, DeliveryRow.channel, DeliveryRow.status,
               DeliveryRow.attempts, DeliveryRow.next_attempt_at).order_by(DeliveryRow.id)
    ).all()  # fmt: skip
    return events, deliveries


@pytest.mark.parametrize(
    "sent", [CHANNELS, CHANNELS[:1], ()], ids=["sent everywhere", "sent on one", "being sent"]
)
def test_an_alert_sent_or_on_its_way_is_left_as_it_was(
    deps: IngestDeps, sent: tuple[str, ...]
) -> None:
    google(deps, T0)
    _claim_all(deps, sent=sent)
    with deps.sessions() as session:
        before = _snapshot(session)
        assert all(p["url"] == GOOGLE_URL for _, _, p in before[0])
    outlet(deps, T1)
    with deps.sessions() as session:
        assert _snapshot(session) == before  # not altered, nothing new to send
        # the article itself is the publisher's copy now, as the store's best link
        assert session.scalars(select(ArticleRow.canonical_url)).all() == [VLAST]
    google(deps, T1 + timedelta(minutes=1))  # the Google item again: a sighting
    outlet(deps, T1 + timedelta(minutes=2))  # and the outlet's: nothing new
    with deps.sessions() as session:
        assert _snapshot(session) == before


class _IngestingNotifier:
    """Sends, and stores the outlet's copy while the first message is on its way: the run
    loaded every due delivery before it, the aggregator's alert among them."""

    def __init__(self, deps: IngestDeps) -> None:
        self.deps, self.sent = deps, []

    def send(self, channel: Channel, message: Message) -> SendResult:
        if not self.sent:
            outlet(self.deps, T1)
        self.sent.append((channel.id, message.body_text))
        return SendResult(True)


def test_a_delivery_run_that_loaded_the_aggregators_alert_sends_the_outlets(
    deps: IngestDeps,
) -> None:
    raw = RawArticle("vlast-ru", "https://vlast.kz/novosti/61200-kudebaev.html",
                     "Суд допросил свидетелей по делу Кудебаева",
                     "Серик Кудебаев выслушал показания свидетелей.")  # fmt: skip
    _fetch(deps, T0, raw)  # alerted first: its messages go out first
    google(deps, T0)
    notifier = _IngestingNotifier(deps)
    report = deliver_pending(deps.sessions, deps.config, clock=lambda: T1, notifier=notifier)
    assert report.pending == 0
    taldy = [(channel, body) for channel, body in notifier.sent if TITLE in body]
    assert sorted(channel for channel, _ in taldy) == sorted(CHANNELS)
    assert all(VLAST in body and "news.google.com" not in body for _, body in taldy)
