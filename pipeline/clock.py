"""The one clock: aware UTC now. Runs and tests pass their own :data:`Clock` where time matters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
