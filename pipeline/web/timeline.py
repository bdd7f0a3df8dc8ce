"""A hearing's history as a monitor reads it: one line per scan that changed it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from pipeline.normalize.dates import readable_value, zone
from pipeline.store.read.hearings import HearingHistoryEntry, HearingListing

_MOVE_FIELDS = ("scheduled_at", "local_time")
_OFF = ("cancelled", "postponed", "removed")
_SHOWN = ("courtroom", "judge", "court", "stage", "category", "case_number")


@dataclass(frozen=True, slots=True)
class HistoryLine:
    seen_at: datetime
    kind: str
    """rescheduled | cancelled | status | changed"""
    field: str
    old: str
    new: str


def history_lines(entries: Sequence[HearingHistoryEntry], tz: str) -> list[HistoryLine]:
    """Oldest first. A move shows once (scheduled_at, else local_time), old → new; a time
    shows in ``tz`` (the court's zone), named."""
    lines: list[HistoryLine] = []
    for seen_at, group in groupby(entries, key=lambda e: e.seen_at):
        changes = {e.field: e for e in group}
        move = changes.get("scheduled_at") or changes.get("local_time")
        if move is not None:
            lines.append(
                HistoryLine(
                    seen_at, "rescheduled", "when", _shown(move.old, tz), _shown(move.new, tz)
                )
            )
        status = changes.get("status")
        if status is not None:
            kind = "cancelled" if status.new in _OFF else "status"
            lines.append(HistoryLine(seen_at, kind, "status", status.old or "", status.new or ""))
        lines += [
            HistoryLine(seen_at, "changed", name, changes[name].old or "", changes[name].new or "")
            for name in _SHOWN
            if name in changes
        ]
    return lines


def _shown(value: str | None, tz: str) -> str:
    """'2026-12-01T05:00:00+00:00' → '2026-12-01 10:00 (Asia/Almaty, UTC+05:00)'."""
    return readable_value(value, tz) or "—"


def is_off(hearing: HearingListing) -> bool:
    return hearing.status in _OFF


def starts_at(hearing: HearingListing) -> datetime:
    """The instant, or the start of the local day when only a date was printed."""
    if hearing.scheduled_at is not None:
        return hearing.scheduled_at
    return datetime.fromisoformat(hearing.local_time[:10]).replace(tzinfo=zone(hearing.timezone))
