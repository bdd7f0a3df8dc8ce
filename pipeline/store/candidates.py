"""Candidates in the store: evidence placed into the candidate it belongs to, merges,
``follow`` and ``dismiss``. Each function takes a session and never commits.

Grouping (:func:`place`), for one watch:

1. a case number the evidence shares with a candidate puts it there;
2. else the story of an article (another outlet's copy of a story already there);
3. else a person named in both («Абенов Н.С.» = «Нуржан Абенов», ``pipeline.match.people``)
   — unless both carry case numbers and they differ (two proceedings), and never through a
   person named in COMMON candidates or more (a lawyer, an activist quoted on every case);
4. else a new candidate.

When the evidence links several candidates that can be one (no two different case numbers),
they are merged into the oldest: a court row with a case number joins the news that named its
defendant before the court listed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pipeline.events.kinds import CANDIDATE_NEW
from pipeline.match.watches import Keys
from pipeline.records import Match
from pipeline.store.candidate_models import (
    DISMISSED,
    FOLLOWED,
    MERGED,
    OPEN,
    CandidateEvidenceRow,
    CandidateKeyRow,
    CandidateRow,
)
from pipeline.store.chunks import chunks
from pipeline.store.models import DeliveryRow, EventRow
from pipeline.store.outbox import PENDING, SUPPRESSED

COMMON = 3
"""A person named in this many candidates of a watch groups nothing more (a commentator)."""
NUMBER, PERSON, STORY = "number", "person", "story"


@dataclass(frozen=True, slots=True)
class Subject:
    """What the evidence is: an article or a hearing (exactly one)."""

    article_id: int | None = None
    hearing_id: int | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    candidate: CandidateRow
    created: bool
    grouped: str
    merged: tuple[int, ...] = ()
    """Candidates merged into it now."""


def event_key(candidate_id: int) -> str:
    """The dedupe key of a candidate's ``candidate.new`` event."""
    return f"{CANDIDATE_NEW.name}:{candidate_id}"


def known_subjects(session: Session, watch: str, subjects: Iterable[Subject]) -> set[Subject]:
    """Those of ``subjects`` that are evidence of a candidate of ``watch`` already."""
    wanted = list(subjects)
    articles = [s.article_id for s in wanted if s.article_id is not None]
    hearings = [s.hearing_id for s in wanted if s.hearing_id is not None]
    found: set[Subject] = set()
    base = select(CandidateEvidenceRow.article_id, CandidateEvidenceRow.hearing_id).join(
        CandidateRow, CandidateRow.id == CandidateEvidenceRow.candidate_id
    )
    for column, ids in ((CandidateEvidenceRow.article_id, articles), (CandidateEvidenceRow.hearing_id, hearings)):  # fmt: skip
        for chunk in chunks(ids):
            rows = session.execute(base.where(CandidateRow.watch == watch, column.in_(chunk)))
            found.update(Subject(a, h) for a, h in rows)
    return found


def place(
    session: Session,
    watch: str,
    subject: Subject,
    keys: Keys,
    match: Match,
    title: str,
    now: datetime,
) -> Placed:
    """Put one piece of evidence into its candidate (found or new), merging the candidates
    it shows to be one. The caller checks :func:`known_subjects` first."""
    linked = _linked(session, watch, keys)
    rows = {r.id: r for r in _rows(session, linked)}
    fits = [
        cid for cid in linked if cid in rows and _compatible(rows[cid].case_numbers, keys.numbers)
    ]
    created = not fits
    if created:
        target = _create(session, watch, title, now)
        grouped = ""
    else:
        by_number = [cid for cid in fits if linked[cid].startswith("case number")]
        target = rows[min(by_number or fits)]
        grouped = linked[target.id]
    merged = tuple(
        cid
        for cid in sorted(fits)
        if cid != target.id and _compatible(rows[cid].case_numbers, target.case_numbers)
    )
    for cid in merged:
        _merge(session, rows[cid], target, now)
    _add(session, target, subject, keys, match, grouped, now)
    return Placed(target, created, grouped, merged)


def _linked(session: Session, watch: str, keys: Keys) -> dict[int, str]:
    """Candidate id → why the evidence links to it (the first mark found, numbers first)."""
    wanted = [
        *((NUMBER, n, f"case number {n}") for n in keys.numbers),
        *((STORY, str(keys.story), "same story") for _ in [keys.story] if keys.story),
        *((PERSON, p.key, f"person {p.shown}") for p in keys.people),
    ]
    if not wanted:
        return {}
    values = list({v for _, v, _ in wanted})
    query = (
        select(CandidateKeyRow.kind, CandidateKeyRow.value, CandidateKeyRow.candidate_id)
        .join(CandidateRow, CandidateRow.id == CandidateKeyRow.candidate_id)
        .where(CandidateRow.watch == watch, CandidateRow.status != MERGED)
        .where(CandidateKeyRow.value.in_(values))
        .order_by(CandidateKeyRow.candidate_id)
    )
    holders: dict[tuple[str, str], list[int]] = {}
    for kind, value, cid in session.execute(query):
        holders.setdefault((kind, value), []).append(cid)
    linked: dict[int, str] = {}
    for kind, value, why in wanted:
        ids = holders.get((kind, value), [])
        if kind == PERSON and len(ids) >= COMMON:
            continue
        for cid in ids:
            linked.setdefault(cid, why)
    return linked


def _rows(session: Session, ids: Iterable[int]) -> list[CandidateRow]:
    wanted = list(ids)
    return (
        list(session.scalars(select(CandidateRow).where(CandidateRow.id.in_(wanted))))
        if wanted
        else []
    )


def _compatible(numbers: Sequence[str], others: Sequence[str]) -> bool:
    """Two sets of case numbers can be one prosecution's: one is empty, or they share one."""
    return not numbers or not others or bool(set(numbers) & set(others))


def _create(session: Session, watch: str, title: str, now: datetime) -> CandidateRow:
    row = CandidateRow(
        watch=watch, status=OPEN, title=title[:500], case_numbers=[], courts=[], people=[],
        code_articles=[], first_seen_at=now, last_seen_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _add(
    session: Session,
    row: CandidateRow,
    subject: Subject,
    keys: Keys,
    match: Match,
    grouped: str,
    now: datetime,
) -> None:
    session.add(
        CandidateEvidenceRow(
            candidate_id=row.id, article_id=subject.article_id, hearing_id=subject.hearing_id,
            score=match.score, why=[[h.kind, h.term, h.field, h.found, h.form] for h in match.why],
            grouped=grouped, seen_at=now,
        )
    )  # fmt: skip
    marks = [(NUMBER, n) for n in keys.numbers] + [(PERSON, p.key) for p in keys.people]
    marks += [(STORY, str(keys.story))] if keys.story else []
    _add_keys(session, row.id, marks)
    people = [[p.key, p.shown, p.full] for p in keys.people]
    _summarise(row, keys.numbers, keys.courts, people, keys.code_articles, now, now)


def _add_keys(session: Session, candidate_id: int, marks: Sequence[tuple[str, str]]) -> None:
    known = set(
        session.execute(
            select(CandidateKeyRow.kind, CandidateKeyRow.value).where(
                CandidateKeyRow.candidate_id == candidate_id
            )
        )
    )
    for kind, value in dict.fromkeys(marks):
        if (kind, value[:200]) not in known:
            session.add(CandidateKeyRow(candidate_id=candidate_id, kind=kind, value=value[:200]))
    session.flush()


def _summarise(
    row: CandidateRow,
    numbers: Sequence[str],
    courts: Sequence[str],
    people: Sequence[Sequence[Any]],
    articles: Sequence[str],
    first: datetime,
    last: datetime,
) -> None:
    """Fold new marks into the candidate's summary (new lists: JSON columns track assignment)."""
    row.case_numbers = list(dict.fromkeys([*row.case_numbers, *numbers]))
    row.courts = list(dict.fromkeys([*row.courts, *courts]))
    row.code_articles = list(dict.fromkeys([*row.code_articles, *articles]))
    shown: dict[str, list[Any]] = {p[0]: list(p) for p in row.people}
    for person in people:
        known = shown.get(person[0])
        if known is None or (bool(person[2]), len(person[1])) > (bool(known[2]), len(known[1])):
            shown[person[0]] = list(person)
    row.people = list(shown.values())
    row.first_seen_at = min(row.first_seen_at, first)
    row.last_seen_at = max(row.last_seen_at, last)


def _merge(session: Session, other: CandidateRow, target: CandidateRow, now: datetime) -> None:
    """``other``'s evidence and marks go to ``target``; ``other`` stays, as merged."""
    session.execute(
        update(CandidateEvidenceRow)
        .where(CandidateEvidenceRow.candidate_id == other.id)
        .values(candidate_id=target.id)
    )
    marks = session.execute(
        select(CandidateKeyRow.kind, CandidateKeyRow.value).where(
            CandidateKeyRow.candidate_id == other.id
        )
    )
    moved = list(marks)
    session.execute(delete(CandidateKeyRow).where(CandidateKeyRow.candidate_id == other.id))
    _add_keys(session, target.id, moved)
    _summarise(
        target, other.case_numbers, other.courts, other.people, other.code_articles,
        other.first_seen_at, other.last_seen_at,
    )  # fmt: skip
    other.status, other.merged_into, other.decided_at = MERGED, target.id, now
    quiet_alerts(session, [other.id])


# ---------------------------------------------------------------- decisions


def resolve(session: Session, candidate_id: int) -> CandidateRow | None:
    """The candidate, or the one it was merged into."""
    row = session.get(CandidateRow, candidate_id)
    seen: set[int] = set()
    while row is not None and row.merged_into is not None and row.id not in seen:
        seen.add(row.id)
        row = session.get(CandidateRow, row.merged_into)
    return row


def dismiss(session: Session, row: CandidateRow, now: datetime) -> int:
    """Not a prosecution to follow: no alert about it goes out from now on (those pending
    are suppressed). Its evidence stays, and new evidence still joins it, quietly. Returns
    how many pending alerts were suppressed."""
    row.status, row.decided_at = DISMISSED, now
    return quiet_alerts(session, [row.id])


def mark_followed(session: Session, row: CandidateRow, slug: str, now: datetime) -> int:
    """Followed as case ``slug``: its pending ``candidate.new`` alerts are suppressed."""
    row.status, row.followed_as, row.decided_at = FOLLOWED, slug, now
    return quiet_alerts(session, [row.id])


def quiet_alerts(session: Session, candidate_ids: Sequence[int]) -> int:
    """Suppress the pending deliveries of these candidates' ``candidate.new`` events."""
    keys = [event_key(cid) for cid in candidate_ids]
    events = select(EventRow.id).where(EventRow.dedupe_key.in_(keys))
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.event_id.in_(events), DeliveryRow.status == PENDING)
        .values(status=SUPPRESSED, note="candidate dismissed, followed or merged")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def unsent_event(session: Session, candidate_id: int) -> EventRow | None:
    """The candidate's ``candidate.new`` while none of its deliveries went out (a digest
    waits for its time): new evidence may still update what it says."""
    event = session.scalar(select(EventRow).where(EventRow.dedupe_key == event_key(candidate_id)))
    if event is None:
        return None
    gone = session.scalar(
        select(DeliveryRow.id)
        .where(DeliveryRow.event_id == event.id, DeliveryRow.status != PENDING)
        .limit(1)
    )
    return event if gone is None else None


def alerting(row: CandidateRow) -> bool:
    """Whether news of this candidate may alert (open: not dismissed, followed or merged)."""
    return row.status == OPEN
