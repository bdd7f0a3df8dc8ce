"""The news reports a case's hearing postponed with no new date: which hearing is postponed,
what the alert says, and that nothing is alerted twice (store on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.cases import Case
from pipeline.events.hearings import hearing_events
from pipeline.ingest.postponed import postponed
from pipeline.items import RawHearing
from pipeline.normalize.hearing import normalize_hearing
from pipeline.parse.news_hearings import Postponement, read_hearings
from pipeline.records import Article, Change, Event, FieldChange, Hearing, HearingChange, Match
from pipeline.store.articles import Upserted
from pipeline.store.hearing_matches import save_hearing_matches
from pipeline.store.hearings import upsert_hearings
from pipeline.store.models import HearingChangeRow, HearingRow, SourceRow

CASE, OTHER = "taldykorgan-torture", "january-2022-torture"
TITLES = {CASE: "Taldykorgan police torture trials", OTHER: "January 2022 torture cases"}
COURT = "Талдыкорганский городской суд"
NOW = datetime(2027, 3, 10, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
ARTICLE_URL = "https://vlast.kz/novosti/7.html"
SENTENCE = "Судебное заседание по делу о пытках отложено на неопределённый срок."


def article(published_at: datetime | None = NOW, language: str = "ru") -> Article:
    return Article(
        source_id="news", url=ARTICLE_URL, canonical_url=ARTICLE_URL,
        title="Суд над полицейскими в Талдыкоргане", summary="", text="", language=language,
        published_at=published_at, author="", content_hash="", title_key="",
    )  # fmt: skip


# --- reading the article ----------------------------------------------------------------------

CASES = [
    Case(slug=CASE, title=TITLES[CASE], courts=(COURT,), case_numbers=("3310-26-00-1/215",)),
    Case(slug=OTHER, title=TITLES[OTHER]),
]


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        ("ru", f"{SENTENCE} Подсудимые остаются под стражей.", "отложено на неопределённый срок"),
        ("en", "The trial was adjourned indefinitely.", "adjourned indefinitely"),
        ("kk", "Сот отырысы белгісіз мерзімге қалдырылды.", "белгісіз мерзімге қалдырылды"),
    ],
)
def test_an_undated_postponement_is_read_once_per_case(
    language: str, text: str, words: str
) -> None:
    news = read_hearings(article(language=language), f"{text} {text}", CASES, NOW)
    assert news.hearings == []
    assert [(p.case, p.day, p.found) for p in news.postponed] == [
        (CASE, None, words),
        (OTHER, None, words),
    ]
    ours = news.postponed[0]
    assert (ours.court, ours.case_number, ours.published) == (
        COURT,
        "3310-26-00-1/215",
        date(2027, 3, 10),
    )
    assert news.postponed[1].court == news.postponed[1].case_number == ""


def test_the_publication_day_is_the_case_zones_and_the_run_stands_in_for_none() -> None:
    evening = datetime(2027, 3, 9, 20, 0, tzinfo=UTC)  # 10 March, 01:00 in Almaty
    [p, _] = read_hearings(article(evening), SENTENCE, CASES, NOW).postponed
    assert p.published == date(2027, 3, 10)
    [p, _] = read_hearings(article(None), SENTENCE, CASES, NOW + timedelta(days=2)).postponed
    assert p.published == date(2027, 3, 12)


def test_a_dated_announcement_is_a_hearing_not_a_postponement() -> None:
    news = read_hearings(article(), "Заседание назначено на 20 марта 2027 года.", CASES[:1], NOW)
    assert [(r.date, r.status) for r in news.hearings] == [("20.03.2027", "scheduled")]
    assert news.postponed == []


# --- which hearing, and the alert -------------------------------------------------------------


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        for sid in ("court", "news"):
            session.add(
                SourceRow(id=sid, kind="court_table", url="https://x", consecutive_failures=0)
            )
    return sessions


def add_hearing(
    sessions: sessionmaker[Session], day: str, at: str = "10:00", cases: tuple[str, ...] = (CASE,),
    status: str = "", seen_at: datetime = NOW - timedelta(days=5),
) -> int:  # fmt: skip
    raw = RawHearing(
        source_id="court", url="https://court.example/schedule", court=COURT, date=day, time=at,
        case_number=f"3310-26-00-1/{day[:2]}{at[:2]}", status=status, timezone="Asia/Almaty",
    )  # fmt: skip
    hearing = normalize_hearing(raw, seen_at=NOW)
    assert isinstance(hearing, Hearing)
    with sessions.begin() as session:
        [change] = upsert_hearings(
            session, [hearing], source_id="court", seen_at=seen_at, window=None
        )
        matches = [Match(case, 1.0, ()) for case in cases]
        save_hearing_matches(session, change.hearing_id, matches, NOW)
    return change.hearing_id


def report(
    sessions: sessionmaker[Session],
    *,
    published: date = date(2027, 3, 10),
    day: date | None = None,
    now: datetime = NOW,
) -> list[Event]:
    p = Postponement(
        CASE, published, day, SENTENCE, "отложено на неопределённый срок", COURT, "", "Asia/Almaty"
    )
    with sessions.begin() as session:
        return postponed(session, Upserted(Change.NEW, 5, article()), p, TITLES, now)


def statuses(sessions: sessionmaker[Session]) -> dict[int, str]:
    with sessions() as session:
        return dict(session.execute(select(HearingRow.id, HearingRow.status)).all())  # type: ignore[arg-type]


def test_the_next_hearing_on_or_after_the_article_is_postponed_and_alerted_once(
    store: sessionmaker[Session],
) -> None:
    before, today, later = (
        add_hearing(store, d) for d in ("09.03.2027", "10.03.2027", "17.03.2027")
    )
    [event] = report(store)
    assert statuses(store) == {before: "scheduled", today: "postponed", later: "scheduled"}
    assert (event.kind, event.case, event.hearing_id, event.article_id) == (
        "hearing.cancelled", CASE, today, 5,
    )  # fmt: skip
    assert event.payload["status"] == "postponed"
    assert event.payload["local_time"].startswith("2027-03-10 10:00")
    assert event.payload["url"] == event.payload["article_url"] == ARTICLE_URL
    assert event.payload["reported_sentence"] == SENTENCE
    with store() as session:
        history = session.execute(
            select(HearingChangeRow.hearing_id, HearingChangeRow.old, HearingChangeRow.new)
        ).all()
        stored = session.get(HearingRow, today)
        assert stored is not None and stored.local_time == "2027-03-10T10:00"
    assert [tuple(h) for h in history] == [(today, "scheduled", "postponed")]

    assert report(store) == []  # the article read again, or another outlet: known already
    assert report(store, published=date(2027, 3, 11)) == []
    assert statuses(store)[later] == "scheduled"


def test_a_date_listed_after_a_postponement_may_be_postponed_in_turn(
    store: sessionmaker[Session],
) -> None:
    add_hearing(store, "10.03.2027")
    assert len(report(store)) == 1
    new = add_hearing(store, "20.03.2027", seen_at=NOW + timedelta(days=1))
    [event] = report(store, published=date(2027, 3, 12), now=NOW + timedelta(days=2))
    assert event.hearing_id == new


def test_a_named_day_picks_that_hearing(store: sessionmaker[Session]) -> None:
    first, named = (add_hearing(store, d) for d in ("12.03.2027", "17.03.2027"))
    [event] = report(store, day=date(2027, 3, 17))
    assert event.hearing_id == named and statuses(store) == {first: "scheduled", named: "postponed"}


def test_every_case_of_the_hearing_hears_of_it(store: sessionmaker[Session]) -> None:
    add_hearing(store, "12.03.2027", cases=(CASE, OTHER))
    events = report(store)
    assert [(e.case, e.payload.get("alerted_with")) for e in events] == [
        (OTHER, None),
        (CASE, OTHER),
    ]


def test_an_old_article_changes_nothing(store: sessionmaker[Session]) -> None:
    hearing = add_hearing(store, "12.03.2027")
    assert report(store, published=date(2027, 3, 2)) == []
    assert statuses(store) == {hearing: "scheduled"}


def test_with_no_hearing_known_the_case_gets_one_notice(store: sessionmaker[Session]) -> None:
    past = add_hearing(store, "01.03.2027")
    [notice] = report(store)
    assert (notice.kind, notice.case, notice.hearing_id, notice.article_id) == (
        "hearing.cancelled", CASE, None, 5,
    )  # fmt: skip
    assert notice.payload["no_hearing"] and notice.payload["status"] == "postponed"
    assert notice.payload["court"] == COURT and notice.payload["url"] == ARTICLE_URL
    [again] = report(store, published=date(2027, 3, 11))  # another outlet: the same key
    assert again.dedupe_key == notice.dedupe_key
    assert statuses(store) == {past: "scheduled"}

    add_hearing(store, "14.03.2027")  # a hearing is set, and postponed in turn
    [hearing_event] = report(store, published=date(2027, 3, 12))
    assert hearing_event.hearing_id is not None
    later = report(store, published=date(2027, 3, 15), now=NOW + timedelta(days=5))
    assert later == []  # the case's latest hearing is the postponed one: nothing new


def test_a_named_day_with_no_hearing_is_a_notice_for_that_day(store: sessionmaker[Session]) -> None:
    add_hearing(store, "12.03.2027")
    [notice] = report(store, day=date(2027, 3, 14))
    assert notice.payload["local_time"] == "2027-03-14" and notice.hearing_id is None


def test_a_postponed_hearing_leaving_the_schedule_is_not_alerted_again() -> None:
    raw = RawHearing("court", "https://x", court=COURT, date="12.03.2027", time="10:00",
                     case_number="3310-26-00-1/9")  # fmt: skip
    hearing = normalize_hearing(raw, seen_at=NOW)
    assert isinstance(hearing, Hearing)
    for old, kinds in (("postponed", []), ("scheduled", ["hearing.removed"])):
        change = HearingChange(
            Change.CHANGED, 1, hearing, (FieldChange("status", old, "removed"),), removed=True
        )
        events = hearing_events(change, [CASE], TITLES, now=NOW)
        assert [e.kind for e in events] == kinds
