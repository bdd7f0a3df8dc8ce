"""What a delivery run did, and the one line that tells a person (CLI, service log)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pipeline.notify.batches import QUIET, Hold


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    """Deliveries sent in this run (each event of a digest counts)."""
    failed: int
    """Given up on in this run (reached ``max_attempts``)."""
    retried: int
    """Failed in this run and left pending for a later attempt."""
    pending: int
    """Pending in the whole outbox after this run (due now, later, or held)."""
    held: int = 0
    """Due deliveries this run held back (quiet hours, a digest's time, an unusable channel);
    ``waiting`` counts every held one."""
    messages: int = 0
    """Messages sent in this run (a digest is one)."""
    waiting: tuple[tuple[str, int], ...] = ()
    """Every delivery left waiting on purpose after this run: (why and until when, how many),
    soonest first — e.g. ("quiet hours on route 'hearings' until 07:00 Asia/Almaty", 5)."""
    quiet: int = 0
    """Of those, held by quiet hours: ``casewatch deliver --now`` sends them."""

    @property
    def waiting_total(self) -> int:
        return sum(count for _, count in self.waiting)

    def summary(self) -> str:
        """``sent 1 in 1 message(s), retry later 0, gave up 0, held 5 (quiet hours on route
        'hearings' until 07:00 Asia/Almaty), pending 5``."""
        held = f"held {self.waiting_total}"
        if len(self.waiting) == 1:
            held += f" ({self.waiting[0][0]})"
        elif self.waiting:
            held += " (" + "; ".join(f"{count}: {why}" for why, count in self.waiting) + ")"
        return (
            f"sent {self.sent} in {self.messages} message(s), retry later {self.retried}, "
            f"gave up {self.failed}, {held}, pending {self.pending}"
        )

    def __str__(self) -> str:
        return self.summary()


def waiting_by_reason(holds: Mapping[Hold, int], now: datetime) -> tuple[tuple[str, int], ...]:
    """Counts per hold as (phrase, count), soonest first; holds that read alike are one."""
    counts: dict[str, int] = defaultdict(int)
    for hold in sorted(holds, key=lambda h: (h.until, h.reason, h.route)):
        if holds[hold]:
            counts[hold.describe(now)] += holds[hold]
    return tuple(counts.items())


def quiet_count(holds: Mapping[Hold, int]) -> int:
    return sum(count for hold, count in holds.items() if hold.reason == QUIET)
