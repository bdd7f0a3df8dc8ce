"""Write-side repository for hearings: upsert a schedule scan, keep identities across moves,
cancel what left the schedule, record every field change. Takes a session, never commits.

Matches and reminders live in :mod:`pipeline.store.hearing_matches`; announced hearings meet
the court schedule in :mod:`pipeline.store.hearing_announced`.

One scan of one source is one call. Reading is batched: one select for the source's open
upcoming hearings, one (chunked) select by slot for the rest of the scan, one for identities
already taken. What to do is decided by :mod:`pipeline.store.hearing_plan` (pure).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, insert, select, update
from sqlalchemy.orm import Session

from pipeline.items import RawHearing, ScanWindow
from pipeline.normalize.hearing import Skipped, normalize_hearing, raw_hash
from pipeline.records import Change, FieldChange, Hearing, HearingChange
from pipeline.store.chunks import chunks
from pipeline.store.hearing_matches import record
from pipeline.store.hearing_plan import TRACKED, Step, fingerprint, make_plan
from pipeline.store.hearing_seen import touch
from pipeline.store.models import ArticleRow, HearingChangeRow, HearingRow

log = logging.getLogger(__name__)


BRIEF_COLUMNS = (
    HearingRow.id,
    HearingRow.identity,
    HearingRow.slot,
    HearingRow.source_id,
    HearingRow.fingerprint,
    HearingRow.raw_hash,
    HearingRow.article_url,
)
STORED_COLUMNS = (
    *BRIEF_COLUMNS,
    *(getattr(HearingRow, name) for name in TRACKED if name != "article_url"),
)


def upsert_hearings(
    session: Session,
    hearings: Sequence[Hearing],
    *,
    source_id: str,
    seen_at: datetime,
    window: ScanWindow | None,
    unreadable: Sequence[Skipped] = (),
    unchanged: Collection[int] = (),
    open_rows: Sequence[Row[Any]] | None = None,
    infer_moves: bool = True,
) -> list[HearingChange]:
    """Store one scan of ``source_id``; return what happened to each hearing (and cancellations).

    ``window``: the local dates the scan read completely (``FetchReport.window``), or
    None — then nothing is cancelled. ``unreadable``: the scan's Skipped rows; a stored hearing
    of their court and case is neither cancelled nor moved, since the scan could not read it.
    ``unchanged``: ids of stored hearings the scan printed exactly as before and that were not
    normalised (:func:`scan_hearings`): seen, SAME, not reported. ``open_rows``: this
    source's open rows when the caller has read them already.
    """
    prints = {h.identity: fingerprint(h) for h in hearings}
    if open_rows is None:
        open_rows = _open_rows(session, source_id, seen_at)
    by_slot: dict[str, Any] = {row.slot: row for row in open_rows}
    unseen = [
        row.id for slot, row in by_slot.items() if slot not in prints and row.id not in unchanged
    ]
    by_slot.update(_rows_by_slot(session, [slot for slot in prints if slot not in by_slot]))
    differ = [
        row.id
        for slot, row in by_slot.items()
        if slot in prints and row.source_id == source_id and row.fingerprint != prints[slot]
    ]
    full = _stored_rows(session, unseen + differ)
    by_slot = {slot: full.get(row.id, row) for slot, row in by_slot.items()}
    plan = make_plan(
        hearings,
        by_slot=by_slot,
        open_rows=[full[row_id] for row_id in unseen],
        prints=prints,
        source_id=source_id,
        seen_at=seen_at,
        window=window,
        unreadable=unreadable,
        infer_moves=infer_moves,
    )
    steps = _insert_new(session, plan.steps, seen_at, prints)
    _update_changed(session, [s for s in steps if s.change is Change.CHANGED], seen_at)
    same = [s.row_id for s in steps if s.change is Change.SAME and s.row_id]
    _reprinted(session, [s for s in steps if s.change is Change.SAME], by_slot, source_id)
    open_ids = {row.id for row in open_rows}.union(unchanged)
    touch(session, {*same, *unchanged}, open_ids, _open(source_id, seen_at), seen_at)
    results = [HearingChange(s.change, s.row_id or 0, s.hearing, s.changes) for s in steps]
    return results + _remove(session, plan.cancel_ids, seen_at)


def scan_hearings(
    session: Session,
    raws: Sequence[RawHearing],
    *,
    source_id: str,
    seen_at: datetime,
    window: ScanWindow | None,
    default_tz: str = "Asia/Almaty",
) -> tuple[list[HearingChange], list[Skipped], int]:
    """Normalise and store one scan: (changes, skipped rows, rows unchanged).

    A row printed exactly as an open stored hearing of this source was last printed is SAME
    without being normalised (counted, not listed): a re-scan of an unchanged schedule costs
    a hash per row. Every other row goes through ``normalize_hearing`` and
    :func:`upsert_hearings`, whose result (NEW / CHANGED / SAME / cancelled) is returned.
    """
    open_rows = _open_rows(session, source_id, seen_at)
    known = {row.raw_hash: row.id for row in open_rows if row.raw_hash}
    unchanged: set[int] = set()
    rest: list[RawHearing] = []
    for raw in raws:
        row_id = known.get(raw_hash(raw, default_tz)) if known else None
        if row_id is None:
            rest.append(raw)
        else:
            unchanged.add(row_id)
    normalized = [normalize_hearing(r, seen_at=seen_at, default_tz=default_tz) for r in rest]
    skipped = [n for n in normalized if isinstance(n, Skipped)]
    hearings = [n for n in normalized if not isinstance(n, Skipped)]
    changes = upsert_hearings(
        session,
        hearings,
        source_id=source_id,
        seen_at=seen_at,
        window=window,
        unreadable=skipped,
        unchanged=unchanged,
        open_rows=[row for row in open_rows if row.id not in unchanged],
    )
    return changes, skipped, len(raws) - len(rest)


def _open_rows(session: Session, source_id: str, seen_at: datetime) -> list[Row[Any]]:
    """This source's not-cancelled hearings from the day before yesterday on (any zone)."""
    return list(session.execute(select(*BRIEF_COLUMNS).where(_open(source_id, seen_at))))


def _open(source_id: str, seen_at: datetime) -> ColumnElement[bool]:
    since = (seen_at - timedelta(days=2)).date().isoformat()
    return and_(
        HearingRow.source_id == source_id,
        HearingRow.cancelled_at.is_(None),
        HearingRow.local_time >= since,
    )


def _rows_by_slot(session: Session, slots: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chunk in chunks(slots):
        for row in session.execute(select(*BRIEF_COLUMNS).where(HearingRow.slot.in_(chunk))):
            out.setdefault(row.slot, row)
    return out


def _stored_rows(session: Session, ids: Sequence[int]) -> dict[int, Row[Any]]:
    """Every column the plan compares, for the rows that need more than a fingerprint."""
    out: dict[int, Row[Any]] = {}
    for chunk in chunks(ids):
        out.update(
            (row.id, row)
            for row in session.execute(select(*STORED_COLUMNS).where(HearingRow.id.in_(chunk)))
        )
    return out


def _taken(session: Session, identities: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in chunks(identities):
        taken.update(
            session.scalars(select(HearingRow.identity).where(HearingRow.identity.in_(chunk)))
        )
    return taken


def _fresh_identity(identity: str, taken: set[str]) -> str:
    """A moved hearing keeps its first slot as identity; a later hearing in that slot gets
    a derived one."""
    n = 2
    candidate = identity
    while candidate in taken:
        candidate = hashlib.blake2b(f"{identity}#{n}".encode(), digest_size=12).hexdigest()
        n += 1
    taken.add(candidate)
    return candidate


def _article_ids(session: Session, urls: Iterable[str]) -> dict[str, int]:
    wanted = sorted({u for u in urls if u})
    out: dict[str, int] = {}
    for chunk in chunks(wanted):
        query = select(ArticleRow.canonical_url, ArticleRow.id).where(
            ArticleRow.canonical_url.in_(chunk)
        )
        out.update({url: article_id for url, article_id in session.execute(query)})
    return out


def _values(
    hearing: Hearing, slot: str, seen_at: datetime, printed: str | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(hearing, name) for name in TRACKED}
    values.update(
        slot=slot,
        fingerprint=printed or fingerprint(hearing),
        raw_hash=hearing.raw_hash,
        source_url=hearing.source_url,
        cells=hearing.cells,
        last_seen_at=seen_at,
        cancelled_at=seen_at if hearing.status in OFF_SCHEDULE else None,
    )
    return values


def _insert_new(
    session: Session, steps: list[Step], seen_at: datetime, prints: Mapping[str, str]
) -> list[Step]:
    """Insert the NEW steps; return all steps, the new ones with their row id (and identity).

    ``prints``: fingerprints by slot, as computed for the plan (a NEW hearing is unchanged)."""
    fresh = [i for i, s in enumerate(steps) if s.change is Change.NEW]
    if not fresh:
        return steps
    taken = _taken(session, [steps[i].hearing.identity for i in fresh])
    articles = _article_ids(session, (steps[i].hearing.article_url for i in fresh))
    rows = []
    for i in fresh:
        hearing = steps[i].hearing
        if hearing.identity in taken:
            hearing = replace(hearing, identity=_fresh_identity(hearing.identity, taken))
        rows.append(
            {
                **_values(hearing, steps[i].slot, seen_at, prints.get(steps[i].slot)),
                "identity": hearing.identity,
                "source_id": hearing.source_id,
                "article_id": articles.get(hearing.article_url),
                "first_seen_at": seen_at,
            }
        )
    ids = session.scalars(
        insert(HearingRow).returning(HearingRow.id, sort_by_parameter_order=True), rows
    ).all()
    for i, row_id, row in zip(fresh, ids, rows, strict=True):
        hearing = steps[i].hearing
        if hearing.identity != row["identity"]:
            hearing = replace(hearing, identity=row["identity"])
        steps[i] = Step(Change.NEW, hearing, steps[i].slot, row_id)
    return steps


def _update_changed(session: Session, steps: Sequence[Step], seen_at: datetime) -> None:
    if not steps:
        return
    articles = _article_ids(
        session, (s.hearing.article_url for s in steps if s.hearing.article_url)
    )
    session.execute(
        update(HearingRow),
        [
            {
                "id": s.row_id,
                **_values(s.hearing, s.slot, seen_at),
                "article_id": articles.get(s.hearing.article_url),
            }
            for s in steps
        ],
    )
    _history(session, [(s.row_id or 0, c) for s in steps for c in s.changes], seen_at)


def _history(
    session: Session, changes: Sequence[tuple[int, FieldChange]], seen_at: datetime
) -> None:
    if changes:
        session.execute(
            insert(HearingChangeRow),
            [
                {
                    "hearing_id": hid,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                    "seen_at": seen_at,
                }
                for hid, c in changes
            ],
        )


REMOVED = "removed"
"""The status of a hearing that left a complete schedule before its date."""
OFF_SCHEDULE = ("cancelled", REMOVED)
"""Statuses that take a hearing off the schedule (``cancelled_at`` is set)."""


def _reprinted(
    session: Session, same: Sequence[Step], by_slot: Mapping[str, Any], source_id: str
) -> None:
    """A row printed differently that reads as the same hearing («10.00» for «10:00», a new
    normaliser version): its new raw hash is kept, so the next scan skips it unread."""
    fresh = [
        {"id": row.id, "raw_hash": step.hearing.raw_hash}
        for step in same
        if step.hearing.raw_hash
        and (row := by_slot.get(step.slot)) is not None
        and row.id == step.row_id
        and row.source_id == source_id
        and row.raw_hash != step.hearing.raw_hash
    ]
    if fresh:
        session.execute(update(HearingRow), fresh)


def _remove(session: Session, ids: Sequence[int], seen_at: datetime) -> list[HearingChange]:
    """Hearings absent from a complete scan before their date: status ``removed``."""
    if not ids:
        return []
    rows = _full_rows(session, ids)
    changes = [(row.id, FieldChange("status", row.status, REMOVED)) for row in rows]
    results = [
        HearingChange(
            Change.CHANGED, row.id, replace(record(row), status=REMOVED), (c,), removed=True
        )
        for row, (_, c) in zip(rows, changes, strict=True)
    ]
    session.execute(
        update(HearingRow),
        [
            {
                "id": r.hearing_id,
                "status": REMOVED,
                "cancelled_at": seen_at,
                "fingerprint": fingerprint(r.hearing),
            }
            for r in results
        ],
    )
    _history(session, changes, seen_at)
    log.info("%d hearing(s) left the schedule before their date: removed", len(rows))
    return results


def _full_rows(session: Session, ids: Sequence[int]) -> list[HearingRow]:
    rows: list[HearingRow] = []
    for chunk in chunks(ids):
        rows += session.scalars(select(HearingRow).where(HearingRow.id.in_(chunk)))
    return sorted(rows, key=lambda r: r.id)
