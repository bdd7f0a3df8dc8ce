"""When a scan last printed a hearing: written cheaply, read as one value.

A re-scan of an unchanged schedule confirms every hearing on it. Writing that on the wide
``hearing`` row rewrote every page of the table (about half of a re-scan on SQLite); the
sighting goes to the narrow ``hearing_seen`` table instead. ``HearingRow.last_seen_at`` is the
sighting of the row's last write; a hearing's last sighting is the later of the two
(:func:`last_sightings`). Each function takes a session and never commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, literal, or_, select
from sqlalchemy.orm import Session

from pipeline.store.chunks import CHUNK, chunks
from pipeline.store.models import HearingRow, HearingSeenRow, UTCDateTime

SEEN_RESOLUTION = timedelta(minutes=30)
"""A sighting is kept to this resolution: a re-scan within it of an unchanged schedule writes
nothing at all."""


def touch(
    session: Session,
    seen: Collection[int],
    open_ids: Collection[int],
    open_rows: ColumnElement[bool],
    seen_at: datetime,
) -> None:
    """Record that the scan printed the hearings ``seen`` at ``seen_at``.

    ``open_ids``: the ids the ``open_rows`` condition selected when the scan read the source's
    open hearings. Those the scan saw are written through that condition minus the few it did
    not print, so an unchanged schedule costs one statement, not a list of every id."""
    others = [i for i in seen if i not in open_ids]
    missing = [i for i in open_ids if i not in seen]
    if open_ids and len(missing) <= CHUNK:
        _sighting(session, seen_at, open_rows, HearingRow.id.not_in(missing))
    else:
        others = list(seen)
    for chunk in chunks(sorted(others)):
        _sighting(session, seen_at, HearingRow.id.in_(chunk))


def _sighting(session: Session, seen_at: datetime, *where: ColumnElement[bool]) -> None:
    """Upsert ``hearing_seen`` for the hearings ``where`` selects whose last sighting (on
    either table) is older than the resolution."""
    cut = seen_at - SEEN_RESOLUTION
    rows = (
        select(HearingRow.id, literal(seen_at, UTCDateTime()))
        .outerjoin(HearingSeenRow, HearingSeenRow.hearing_id == HearingRow.id)
        .where(
            *where,
            HearingRow.last_seen_at < cut,
            or_(HearingSeenRow.last_seen_at.is_(None), HearingSeenRow.last_seen_at < cut),
        )
    )
    # The dialect's own insert, imported here: the PostgreSQL dialect is not loaded on SQLite.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    upsert = insert(HearingSeenRow).from_select(["hearing_id", "last_seen_at"], rows)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[HearingSeenRow.hearing_id],
            set_={"last_seen_at": upsert.excluded.last_seen_at},
        )
    )


def last_sightings(session: Session, rows: Sequence[HearingRow]) -> dict[int, datetime]:
    """Hearing id → its last sighting: the later of the row's and ``hearing_seen``'s."""
    out = {row.id: row.last_seen_at for row in rows}
    for chunk in chunks(list(out)):
        query = select(HearingSeenRow.hearing_id, HearingSeenRow.last_seen_at).where(
            HearingSeenRow.hearing_id.in_(chunk)
        )
        for hearing_id, seen_at in session.execute(query):
            out[hearing_id] = max(out[hearing_id], seen_at)
    return out
