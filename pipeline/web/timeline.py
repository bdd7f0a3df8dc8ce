"""A hearing's history as a monitor reads it: one line per scan that changed it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from pipeline.normalize.dates import zone
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


def history_lines(entries: Sequence[HearingHistoryEntry]) -> list[HistoryLine]:
    """Oldest first. A move shows once (scheduled_at, else local_time), old → new."""
    lines: list[HistoryLine] = []
    for seen_at, group in groupby(entries, key=lambda e: e.seen_at):
        changes = {e.field: e for e in group}
        move = changes.get("scheduled_at") or changes.get("local_time")
        if move is not None:
            lines.append(
                HistoryLine(seen_at, "rescheduled", "when", _short(move.old), _short(move.new))
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


def _short(value: str | None) -> str:
    """'2026-12-01T10:00:00+05:00' → '2026-12-01 10:00 (UTC+05:00)'; a date stays a date."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return value
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{moment:%Y-%m-%d %H:%M}{zone}"


def is_off(hearing: HearingListing) -> bool:
    return hearing.status in _OFF


def starts_at(hearing: HearingListing) -> datetime:
    """The instant, or the start of the local day when only a date was printed."""
    if hearing.scheduled_at is not None:
        return hearing.scheduled_at
    return datetime.fromisoformat(hearing.local_time[:10]).replace(tzinfo=zone(hearing.timezone))
