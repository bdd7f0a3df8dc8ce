"""Pure: one scan of a schedule × what the store holds → what to insert, update, cancel.

Identity rules (DESIGN.md):

- a scanned hearing is a stored one when court, case and local time are the same (its *slot*);
- when, within one scan, the stored time of a (court, case) vanished and exactly one new time
  for that (court, case) appeared, it is one hearing MOVED: CHANGED, identity kept;
- "vanished" means: this source's hearing, not cancelled, still ahead at ``seen_at``, on a day
  the scan covered (the complete window; without one, the days between the first and last
  hearing of the scan), and not of a case whose row the scan could not read;
- a vanished hearing that was not moved is cancelled — only inside a complete window. One in
  the past is never cancelled: schedules drop past days.
- Another source's sighting of a stored hearing is SAME: only the source that stored a hearing
  changes it (two pages printing one hearing differently must not flap) — except a schedule
  listing a hearing only the news announced: that is the schedule's hearing from then on.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from typing import Any, Protocol

from pipeline.items import ScanWindow
from pipeline.normalize.hearing import (
    Skipped,
    group_key,
    hearing_group,
    local_day,
    parse_case_number,
    upcoming,
)
from pipeline.records import Change, FieldChange, Hearing

__all__ = ["Plan", "Step", "fingerprint", "make_plan"]

TRACKED = (
    "court",
    "case_number",
    "case_key",
    "scheduled_at",
    "local_time",
    "timezone",
    "courtroom",
    "judge",
    "parties",
    "category",
    "stage",
    "status",
    "article_url",
)
"""Fields whose change is a CHANGED hearing with a ``hearing_change`` row each. ``cells`` and
``source_url`` are refreshed with a change but are not one by themselves."""


class Stored(Protocol):
    """The columns of a stored hearing the plan reads (a SQLAlchemy Row fits)."""

    id: int
    identity: str
    slot: str
    source_id: str
    fingerprint: str
    cancelled_at: datetime | None
    court: str
    case_number: str
    case_key: str
    scheduled_at: datetime | None
    local_time: str
    timezone: str
    parties: str
    article_url: str
    status: str


@dataclass(frozen=True, slots=True)
class Step:
    """One scanned hearing: NEW (``row_id`` None), CHANGED or SAME."""

    change: Change
    hearing: Hearing
    slot: str
    row_id: int | None = None
    changes: tuple[FieldChange, ...] = ()


@dataclass(slots=True)
class Plan:
    steps: list[Step] = field(default_factory=list)
    cancel_ids: list[int] = field(default_factory=list)


def text_value(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


_tracked = attrgetter(*TRACKED)


def fingerprint(hearing: Hearing) -> str:
    """Hash of the tracked fields (their ``repr``: stable across processes and versions)."""
    return hashlib.blake2b(repr(_tracked(hearing)).encode(), digest_size=16).hexdigest()


def diff(row: Stored, hearing: Hearing) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, text_value(old), text_value(new))
        for name in TRACKED
        if (old := getattr(row, name)) != (new := getattr(hearing, name))
    )


def row_group(row: Stored) -> str:
    return group_key(row.court, row.case_key, row.case_number, row.parties, row.article_url)


def make_plan(
    hearings: Sequence[Hearing],
    *,
    by_slot: Mapping[str, Stored],
    open_rows: Sequence[Stored],
    prints: Mapping[str, str],
    source_id: str,
    seen_at: datetime,
    window: ScanWindow | None,
    unreadable: Sequence[Skipped] = (),
    infer_moves: bool = True,
) -> Plan:
    plan = Plan()
    seen: set[int] = set()
    appeared: dict[str, list[Hearing]] = defaultdict(list)
    unique = _unique(hearings)
    for hearing in unique:
        row = by_slot.get(hearing.identity)
        if row is None or _announced_elsewhere(row, hearing, source_id):
            appeared[hearing_group(hearing)].append(hearing)
            continue
        seen.add(row.id)
        plan.steps.append(_matched(row, hearing, source_id, prints[hearing.identity]))
    protected, may_cancel = _protected(unreadable)
    vanished = (
        _vanished(open_rows, seen, protected, window or _implied(hearings), seen_at)
        if infer_moves
        else {}
    )  # an article is no schedule: what it does not mention has not moved
    for group, fresh in appeared.items():
        gone = vanished.get(group, [])
        if len(fresh) == 1 and len(gone) == 1:
            plan.steps.append(_matched(gone.pop(), fresh[0], source_id, ""))
        else:
            plan.steps += [Step(Change.NEW, h, h.identity) for h in fresh]
    order = {h.identity: i for i, h in enumerate(unique)}
    plan.steps.sort(key=lambda step: order[step.slot])
    if window is not None and may_cancel:
        plan.cancel_ids = [
            row.id
            for rows in vanished.values()
            for row in rows
            if local_day(row.local_time) in window
        ]
    return plan


def _announced_elsewhere(row: Stored, hearing: Hearing, source_id: str) -> bool:
    """The stored row is one the news announced, and a schedule now lists that hearing: the
    schedule's row is stored beside it (the announced one then steps aside, see
    ``store.hearing_announced``), so the court's details are kept and its changes followed."""
    return bool(row.article_url) and not hearing.article_url and row.source_id != source_id


def _unique(hearings: Sequence[Hearing]) -> list[Hearing]:
    """One per slot: a row printed twice is one hearing (the first print wins)."""
    return list({h.identity: h for h in reversed(hearings)}.values())[::-1]


def _matched(row: Stored, hearing: Hearing, source_id: str, printed: str) -> Step:
    """Compare a scanned hearing with its stored row; ``printed``: its fingerprint when the
    row was found by slot (equal fingerprints: nothing to compare)."""
    slot = hearing.identity
    if row.fingerprint == printed or row.source_id != source_id:
        if row.identity != hearing.identity:
            hearing = replace(hearing, identity=row.identity)
        return Step(Change.SAME, hearing, slot, row.id)
    merged = replace(
        hearing, identity=row.identity, article_url=hearing.article_url or row.article_url
    )
    changes = diff(row, merged)
    return Step(Change.CHANGED if changes else Change.SAME, merged, slot, row.id, changes)


def _protected(unreadable: Sequence[Skipped]) -> tuple[set[str], bool]:
    """Groups whose row the scan could not read; False when a row named no case at all."""
    groups: set[str] = set()
    for skipped in unreadable:
        if not skipped.case_number:
            return groups, False
        parsed = parse_case_number(skipped.case_number)
        groups.add(group_key(skipped.court, parsed.key if parsed else "", skipped.case_number))
    return groups, True


def _implied(hearings: Sequence[Hearing]) -> ScanWindow | None:
    days = [local_day(h.local_time) for h in hearings]
    return ScanWindow(min(days), max(days)) if days else None


def _vanished(
    open_rows: Sequence[Stored],
    seen: set[int],
    protected: set[str],
    covered: ScanWindow | None,
    seen_at: datetime,
) -> dict[str, list[Stored]]:
    out: dict[str, list[Stored]] = defaultdict(list)
    if covered is None:
        return out
    for row in open_rows:
        if row.id in seen or row.status == "held":
            continue
        if local_day(row.local_time) not in covered:
            continue
        if not upcoming(row.scheduled_at, row.local_time, row.timezone, seen_at):
            continue
        group = row_group(row)
        if group not in protected:
            out[group].append(row)
    return out
