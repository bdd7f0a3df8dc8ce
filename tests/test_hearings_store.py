"""The hearing store on SQLite and PostgreSQL: identity across moves, cancellations, history,
matches and reminders, and the 0002 migration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from pipeline.events.hearings import reminder_events
from pipeline.items import RawHearing, ScanWindow
from pipeline.normalize.hearing import Skipped, normalize_hearing
from pipeline.records import Change, FieldChange, HearingChange, Hit, Match
from pipeline.store import hearing_seen
from pipeline.store.engine import alembic_config, make_engine
from pipeline.store.events import add_events
from pipeline.store.hearing_matches import due_reminders, matched_cases, save_hearing_matches
from pipeline.store.hearing_seen import last_sightings
from pipeline.store.hearings import scan_hearings, upsert_hearings
from pipeline.store.models import (
    DeliveryRow,
    EventRow,
    HearingChangeRow,
    HearingRow,
    MatchRow,
    SourceRow,
)

SOURCE = "taldykorgan-city-court"
COURT = "Талдыкорганский городской суд"
T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
WINDOW = ScanWindow(date(2026, 11, 28), date(2026, 12, 12))
A, B, C = "1917-22-00-1/215", "3310-26-00-1/77", "3310-26-00-1/78"


def raw(case: str, day: str, at: str = "10:00", row: int = 1, **extra: str) -> RawHearing:
    return RawHearing(
        source_id=extra.pop("source_id", SOURCE),
        url=f"https://court.example/schedule?d={day}",
        court=extra.pop("court", COURT),
        date=day,
        time=at,
        case_number=case,
        judge=extra.pop("judge", "Ахметов А."),
        parties=extra.pop("parties", "Иванов И. (ст. 146 ч. 2 УК РК)"),
        courtroom=extra.pop("courtroom", "зал 3"),
        status=extra.pop("status", ""),
        row=row,
        cells={"Дата": day, "Время": at, "Номер дела": case},
        **extra,
    )


def scan(
    sessions: sessionmaker[Session],
    raws: Sequence[RawHearing],
    seen_at: datetime,
    window: ScanWindow | None = WINDOW,
    source_id: str = SOURCE,
) -> tuple[list[HearingChange], list[Skipped]]:
    normalized = [normalize_hearing(r, seen_at=seen_at) for r in raws]
    hearings = [h for h in normalized if not isinstance(h, Skipped)]
    skipped = [h for h in normalized if isinstance(h, Skipped)]
    with sessions.begin() as session:
        changes = upsert_hearings(
            session,
            hearings,
            source_id=source_id,
            seen_at=seen_at,
            window=window,
            unreadable=skipped,
        )
    return changes, skipped


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        for source_id in (SOURCE, "office-sud-kz"):
            session.add(
                SourceRow(id=source_id, kind="court_table", url="https://x", consecutive_failures=0)
            )
    return sessions


def rows(sessions: sessionmaker[Session]) -> list[HearingRow]:
    with sessions() as session:
        return list(session.scalars(select(HearingRow).order_by(HearingRow.id)))


def last_seen(sessions: sessionmaker[Session]) -> set[datetime]:
    """Every stored hearing's last sighting, as the read side shows it."""
    with sessions() as session:
        return set(last_sightings(session, rows(sessions)).values())


def history(sessions: sessionmaker[Session]) -> list[tuple[int, str, str | None, str | None]]:
    with sessions() as session:
        query = select(
            HearingChangeRow.hearing_id,
            HearingChangeRow.field,
            HearingChangeRow.old,
            HearingChangeRow.new,
        ).order_by(HearingChangeRow.id)
        return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]


V1 = [raw(A, "01.12.2026", row=1), raw(B, "02.12.2026", "15:00", row=2)]


def test_first_scan_is_new_and_a_repeat_is_same(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    assert [c.change for c in first] == [Change.NEW, Change.NEW]
    assert first[0].hearing.scheduled_at == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    again, _ = scan(store, V1, T0 + timedelta(hours=6))
    assert [c.change for c in again] == [Change.SAME, Change.SAME]
    assert [c.hearing_id for c in again] == [c.hearing_id for c in first]
    assert history(store) == []
    stored = rows(store)
    assert len(stored) == 2
    assert last_seen(store) == {T0 + timedelta(hours=6)}
    assert {r.first_seen_at for r in stored} == {T0}


def test_a_moved_hearing_keeps_its_identity_and_records_each_field(
    store: sessionmaker[Session],
) -> None:
    first, _ = scan(store, V1, T0)
    moved = [raw(A, "08.12.2026", "11:30", courtroom="зал 5", row=1), V1[1]]
    second, _ = scan(store, moved, T0 + timedelta(days=1))
    changed = [c for c in second if c.change is Change.CHANGED]
    assert len(changed) == 1 and not changed[0].removed
    assert changed[0].hearing_id == first[0].hearing_id
    assert changed[0].hearing.identity == first[0].hearing.identity
    assert {c.field: (c.old, c.new) for c in changed[0].changes} == {
        "scheduled_at": ("2026-12-01T05:00:00+00:00", "2026-12-08T06:30:00+00:00"),
        "local_time": ("2026-12-01T10:00", "2026-12-08T11:30"),
        "courtroom": ("зал 3", "зал 5"),
    }
    assert len(rows(store)) == 2
    assert sorted(f for _, f, _, _ in history(store)) == ["courtroom", "local_time", "scheduled_at"]
    assert {hid for hid, *_ in history(store)} == {first[0].hearing_id}


def test_a_hearing_gone_before_its_date_is_removed(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    later = T0 + timedelta(days=1)
    third, _ = scan(store, V1[1:], later)
    removed = [c for c in third if c.removed]
    assert len(removed) == 1
    assert removed[0].hearing_id == first[0].hearing_id
    assert removed[0].hearing.status == "removed"
    assert removed[0].changes[0].field == "status"
    row = next(r for r in rows(store) if r.id == first[0].hearing_id)
    assert (row.status, row.cancelled_at) == ("removed", later)
    assert history(store) == [(first[0].hearing_id, "status", "scheduled", "removed")]
    again, _ = scan(store, V1[1:], later + timedelta(hours=1))
    assert [c.change for c in again] == [Change.SAME]


def test_without_a_complete_window_nothing_is_cancelled(store: sessionmaker[Session]) -> None:
    scan(store, V1, T0)
    changes, _ = scan(store, V1[1:], T0 + timedelta(days=1), window=None)
    assert [c.change for c in changes] == [Change.SAME]
    assert {r.status for r in rows(store)} == {"scheduled"}


def test_a_past_hearing_that_disappears_is_not_cancelled(store: sessionmaker[Session]) -> None:
    scan(store, V1, T0)
    after_first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 13:00 local: A was at 10:00
    window = ScanWindow(date(2026, 12, 1), date(2026, 12, 14))
    changes, _ = scan(store, V1[1:], after_first, window=window)
    assert [c.change for c in changes] == [Change.SAME]
    assert {r.status for r in rows(store)} == {"scheduled"}
    assert history(store) == []


def test_hearings_of_one_case_on_different_days_stay_two(store: sessionmaker[Session]) -> None:
    days = [raw(A, "01.12.2026", row=1), raw(A, "03.12.2026", row=2)]
    first, _ = scan(store, days, T0)
    assert [c.change for c in first] == [Change.NEW, Change.NEW]
    assert first[0].hearing.identity != first[1].hearing.identity
    again, _ = scan(store, days, T0 + timedelta(hours=1))
    assert [c.change for c in again] == [Change.SAME, Change.SAME]
    both_moved = [raw(A, "05.12.2026", row=1), raw(A, "07.12.2026", row=2)]
    third, _ = scan(store, both_moved, T0 + timedelta(hours=2))
    assert sorted(c.change.value for c in third) == ["changed", "changed", "new", "new"]
    assert sum(c.removed for c in third) == 2  # two gone, two new: no guess at pairs


def test_an_unreadable_row_is_skipped_and_protects_its_hearing(
    store: sessionmaker[Session],
) -> None:
    scan(store, V1, T0)
    broken = [raw(A, "31.02.2026", row=7), V1[1]]
    changes, skipped = scan(store, broken, T0 + timedelta(days=1))
    assert skipped == [
        Skipped(7, "row 7: unparseable date '31.02.2026'", COURT, A),
    ]
    assert [c.change for c in changes] == [Change.SAME]
    assert len(rows(store)) == 2
    assert {r.status for r in rows(store)} == {"scheduled"}
    assert history(store) == []


def test_another_sources_sighting_changes_nothing(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    other = [raw(A, "01.12.2026", judge="Другой судья", source_id="office-sud-kz")]
    changes, _ = scan(store, other, T0 + timedelta(hours=1), source_id="office-sud-kz")
    assert [(c.change, c.hearing_id) for c in changes] == [(Change.SAME, first[0].hearing_id)]
    assert {r.judge for r in rows(store)} == {"Ахметов А."}


def test_a_new_hearing_in_a_moved_ones_old_slot_gets_its_own_identity(
    store: sessionmaker[Session],
) -> None:
    first, _ = scan(store, V1[:1], T0)
    scan(store, [raw(A, "08.12.2026")], T0 + timedelta(hours=1))
    back, _ = scan(
        store, [raw(A, "08.12.2026"), raw(A, "01.12.2026", row=2)], T0 + timedelta(hours=2)
    )
    assert [c.change for c in back] == [Change.SAME, Change.NEW]
    assert back[0].hearing.identity == first[0].hearing.identity
    assert back[1].hearing.identity != first[0].hearing.identity
    assert len({r.identity for r in rows(store)}) == 2


def test_a_status_word_on_the_page_changes_the_status(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    postponed = [raw(A, "01.12.2026", status="Отложено", row=1), V1[1]]
    changes, _ = scan(store, postponed, T0 + timedelta(hours=1))
    assert [(c.change, c.changes) for c in changes] == [
        (Change.CHANGED, (FieldChange("status", "scheduled", "postponed"),)),
        (Change.SAME, ()),
    ]
    assert changes[0].hearing.status == "postponed"
    assert history(store) == [(first[0].hearing_id, "status", "scheduled", "postponed")]


def _match(case: str) -> Match:
    return Match(case, 1.0, (Hit(A, "case_number", "case_number", A),))


def test_matches_and_reminders_once(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    hearing_id = first[0].hearing_id
    with store.begin() as session:
        assert save_hearing_matches(session, hearing_id, [_match("tt")], T0, False) == [
            _match("tt")
        ]
        assert save_hearing_matches(session, hearing_id, [_match("tt")], T0, True) == []
        assert matched_cases(session, [hearing_id, first[1].hearing_id]) == {hearing_id: ["tt"]}
    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # A is 23 h ahead, B 2 days + 4 h
    with store.begin() as session:
        due = due_reminders(session, now, timedelta(hours=24))
        assert [(hid, case) for hid, _, case in due] == [(hearing_id, "tt")]
        events = reminder_events(due, timedelta(hours=24), case_titles={"tt": "Torture"})
        assert len(add_events(session, events, lambda kind, case: ("console",), now)) == 1
    with store.begin() as session:
        assert due_reminders(session, now + timedelta(hours=1), timedelta(hours=24)) == []
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 1
        assert session.scalar(select(EventRow.dedupe_key)) == (
            f"hearing.reminder:tt:{first[0].hearing.identity}:2026-12-01T05:00:00+00:00"
        )


def test_deleting_a_hearing_removes_its_history_and_matches(store: sessionmaker[Session]) -> None:
    first, _ = scan(store, V1, T0)
    scan(store, [raw(A, "08.12.2026"), V1[1]], T0 + timedelta(hours=1))
    with store.begin() as session:
        save_hearing_matches(session, first[0].hearing_id, [_match("tt")], T0, False)
        session.delete(session.get(HearingRow, first[0].hearing_id))
    with store() as session:
        assert session.scalar(select(func.count()).select_from(HearingChangeRow)) == 0
        assert session.scalar(select(func.count()).select_from(MatchRow)) == 0


def test_migration_0002_keeps_data_and_downgrades(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source (id, kind, url, consecutive_failures) "
                "VALUES ('s', 'feed', 'https://x', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO event (id, kind, payload, dedupe_key, created_at) "
                "VALUES (1, 'article.new', '{}', 'k', :now)"
            ),
            {"now": T0},
        )
        conn.execute(
            text(
                "INSERT INTO delivery (event_id, channel, status, attempts, next_attempt_at,"
                " created_at) VALUES (1, 'console', 'pending', 0, :now, :now)"
            ),
            {"now": T0},
        )
    for target in ("0002", "0001", "0002"):
        (command.upgrade if target == "0002" else command.downgrade)(cfg, target)
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = set(inspect(conn).get_table_names())
            deliveries = conn.execute(text("SELECT count(*) FROM delivery")).scalar()
        assert version == ("0002" if target == "0002" else "0001")
        assert ({"hearing", "hearing_change"} <= tables) is (target == "0002")
        assert deliveries == 1
    engine.dispose()


def test_migration_0008_puts_sightings_back_on_downgrade(store: sessionmaker[Session]) -> None:
    """Downgrading 0008 keeps the last sighting a re-scan recorded in ``hearing_seen``."""
    scan_raw(store, V1, T0)
    scan_raw(store, V1, T0 + timedelta(hours=6))
    engine = store.kw["bind"]
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0007_unreadable_rows")
    with store() as session:
        assert "hearing_seen" not in inspect(session.connection()).get_table_names()
        stored = session.scalars(select(HearingRow.last_seen_at)).all()
    assert set(stored) == {T0 + timedelta(hours=6)}
    command.upgrade(cfg, "head")
    assert last_seen(store) == {T0 + timedelta(hours=6)}


def scan_raw(
    sessions: sessionmaker[Session],
    raws: Sequence[RawHearing],
    seen_at: datetime,
    window: ScanWindow | None = WINDOW,
) -> tuple[list[HearingChange], list[Skipped], int]:
    with sessions.begin() as session:
        return scan_hearings(session, raws, source_id=SOURCE, seen_at=seen_at, window=window)


def test_scan_hearings_skips_rows_printed_as_stored(store: sessionmaker[Session]) -> None:
    first, skipped, unchanged = scan_raw(store, V1, T0)
    assert ([c.change for c in first], skipped, unchanged) == ([Change.NEW, Change.NEW], [], 0)
    again, skipped, unchanged = scan_raw(store, V1, T0 + timedelta(hours=1))
    assert (again, skipped, unchanged) == ([], [], 2)
    assert last_seen(store) == {T0 + timedelta(hours=1)}
    reprinted = [replace(V1[0], time="10.00"), V1[1]]  # printed differently, same hearing
    third, _, unchanged = scan_raw(store, reprinted, T0 + timedelta(hours=2))
    assert ([c.change for c in third], unchanged) == ([Change.SAME], 1)
    fourth, _, unchanged = scan_raw(store, reprinted, T0 + timedelta(hours=3))
    assert (fourth, unchanged) == ([], 2)  # the reprint's hash was kept: not read again
    assert history(store) == []


def test_scan_hearings_detects_moves_and_cancellations_among_unchanged_rows(
    store: sessionmaker[Session],
) -> None:
    v1 = [*V1, raw(C, "03.12.2026", row=3)]
    first, _, _ = scan_raw(store, v1, T0)
    moved = [raw(A, "08.12.2026", row=1), v1[1]]  # A moved, B unchanged, C gone
    changes, _, unchanged = scan_raw(store, moved, T0 + timedelta(hours=1))
    assert unchanged == 1
    assert [(c.change, c.hearing_id, c.removed) for c in changes] == [
        (Change.CHANGED, first[0].hearing_id, False),
        (Change.CHANGED, first[2].hearing_id, True),
    ]


@pytest.mark.parametrize("by_list", [False, True], ids=["by-query", "by-id"])
def test_a_rescan_records_a_sighting_only_of_what_it_printed(
    store: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, by_list: bool
) -> None:
    """The sighting of an unchanged re-scan is not the row's own column: a hearing it did not
    print (outside its window, or gone) keeps its last sighting; within the resolution nothing
    is written; a moved one is seen when it is written. ``by_list``: as when more rows than
    an ``IN`` list holds went unprinted (the sightings are then written by id)."""
    if by_list:
        monkeypatch.setattr(hearing_seen, "CHUNK", 0)
    v1 = [*V1, raw(C, "03.12.2026", row=3), raw(C, "20.12.2026", row=4)]
    first, _, _ = scan_raw(store, v1, T0)
    ids = [c.hearing_id for c in first]
    narrow = ScanWindow(date(2026, 11, 28), date(2026, 12, 5))
    moved = [raw(A, "04.12.2026", row=1), v1[1]]  # A moved, B same, C gone, C's 20th unread
    scan_raw(store, moved, T0 + timedelta(hours=6), window=narrow)
    scan_raw(store, moved, T0 + timedelta(hours=6, minutes=20), window=narrow)
    with store() as session:
        seen = last_sightings(session, rows(store))
    assert [seen[i] - T0 for i in ids] == [
        timedelta(hours=6),
        timedelta(hours=6),
        *[timedelta(0)] * 2,
    ]
    scan_raw(store, moved, T0 + timedelta(hours=7), window=narrow)
    with store() as session:
        seen = last_sightings(session, rows(store))
    assert [seen[i] - T0 for i in ids] == [
        timedelta(hours=7),
        timedelta(hours=7),
        *[timedelta(0)] * 2,
    ]


def test_scan_hearings_rereads_relative_dates_and_reports_unreadable_rows(
    store: sessionmaker[Session],
) -> None:
    page = [raw(A, "завтра", row=1), raw(B, "31.02.2026", row=2)]
    first, skipped, _ = scan_raw(store, page, T0)
    assert [c.hearing.local_time for c in first] == ["2026-11-29T10:00"]
    assert [s.reason for s in skipped] == ["row 2: unparseable date '31.02.2026'"]
    next_day, skipped, unchanged = scan_raw(store, page, T0 + timedelta(days=1))
    assert unchanged == 0  # «завтра» is another day now: read again
    assert [c.hearing.local_time for c in next_day] == ["2026-11-30T10:00"]
    assert [s.row for s in skipped] == [2]
