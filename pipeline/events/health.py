"""Pure: the health of a source or an alert channel → ``*.failing`` / ``*.recovered`` events.

Health events have no case: they reach the routes for every case (``cases: ["*"]``), the ops
route. Each dedupe key carries the time of the transition, so every new outage alerts once.
"""

from __future__ import annotations

from datetime import datetime

from pipeline.events.kinds import (
    CHANNEL_FAILING,
    CHANNEL_RECOVERED,
    SOURCE_FAILING,
    SOURCE_RECOVERED,
)
from pipeline.records import Event


def source_health_events(
    source_id: str,
    *,
    failures_before: int,
    failures_after: int,
    failing_after: int,
    error: str,
    at: datetime,
    last_success_at: datetime | None = None,
) -> list[Event]:
    """``source.failing`` once when a source reaches N failures in a row (an error, or an
    empty fetch where it always had items); quiet while it keeps failing; ``source.recovered``
    once when a failing source works again. A source that fails fewer than N times and
    recovers alerts nothing."""
    since = last_success_at.isoformat() if last_success_at else None
    if failures_before < failing_after <= failures_after:
        return [
            Event(
                kind=SOURCE_FAILING.name,
                case=None,
                dedupe_key=f"{SOURCE_FAILING.name}:{source_id}:{at.isoformat()}",
                payload={
                    "source": source_id,
                    "failures": failures_after,
                    "error": error,
                    "last_success_at": since,
                },
            )
        ]
    if failures_before >= failing_after and failures_after == 0:
        return [
            Event(
                kind=SOURCE_RECOVERED.name,
                case=None,
                dedupe_key=f"{SOURCE_RECOVERED.name}:{source_id}:{at.isoformat()}",
                payload={"source": source_id, "failures": failures_before},
            )
        ]
    return []


def channel_health_event(
    channel: str, *, recovered: bool, failures: int, error: str, at: datetime
) -> Event:
    """``channel.failing`` (``channel`` failed ``failures`` attempts in a row) or, once it
    sends again, ``channel.recovered``."""
    kind = CHANNEL_RECOVERED if recovered else CHANNEL_FAILING
    return Event(
        kind=kind.name,
        case=None,
        dedupe_key=f"{kind.name}:{channel}:{at.isoformat()}",
        payload={"channel": channel, "failures": failures, "error": error},
    )
