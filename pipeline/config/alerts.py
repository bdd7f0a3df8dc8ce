"""``alerts.yaml``: delivery channels and the routes that pick them."""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator, model_validator

from pipeline.config.models import LANGUAGES, SLUG_RE, _Model


class Channel(_Model):
    id: str = Field(pattern=SLUG_RE)
    url: str = ""
    tags: tuple[str, ...] = ()
    enabled: bool = True

    def __repr__(self) -> str:  # never show a full Apprise URL
        return f"Channel(id={self.id!r}, url=<hidden>)"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: Any) -> time:
    """``"08:00"`` → 08:00 (a wall-clock time of day)."""
    if isinstance(value, time):
        return value
    match = _CLOCK_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"expected a time of day like '08:00', got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def check_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (expected a name like 'Asia/Almaty')"
        ) from None
    return value


class QuietHours(_Model):
    """Local wall-clock hours (``start`` to ``end``, may span midnight) when only urgent
    alerts go out; the rest are held until ``end``. ``"22:00-07:00"`` is accepted too."""

    start: time = Field(validation_alias=AliasChoices("start", "from"))
    end: time = Field(validation_alias=AliasChoices("end", "to", "until"))
    zone: str | None = None
    """Default: the route's ``zone``, else ``settings.timezone``."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError(f"expected 'HH:MM-HH:MM' or a mapping, got {value!r}")
            return {"start": start.strip(), "end": end.strip()}
        return value

    _clock = field_validator("start", "end", mode="before")(parse_clock)
    _zone = field_validator("zone")(check_zone)


class Route(_Model):
    """Which events (by case and kind) go to which channels (by id or tag), and how.

    ``mode: digest`` collects the events into one message per channel ``every`` day (or
    week, on ``day``) ``at`` a local time in ``zone``; ``quiet_hours`` holds non-urgent alerts.
    """

    id: str | None = Field(default=None, pattern=SLUG_RE)
    cases: tuple[str, ...] = ("*",)
    events: tuple[str, ...] = ("*",)
    channels: tuple[str, ...] = ()
    """Channel ids or channel tags."""
    tags: tuple[str, ...] = ()
    """Channel tags: every channel carrying one of them."""
    mode: Literal["instant", "digest"] = "instant"
    every: Literal["daily", "weekly"] = "daily"
    at: time = time(8, 0)
    day: Literal[WEEKDAYS] = "monday"  # type: ignore[valid-type]
    zone: str | None = None
    """Default: ``settings.timezone``."""
    quiet_hours: QuietHours | None = None
    language: Literal[LANGUAGES] = "en"  # type: ignore[valid-type]
    per: Literal["outlet", "story"] = "outlet"
    """``outlet``: every outlet's article alerts (one already alerted as a story says so and
    names the new outlet); ``story``: only the first article of a story alerts."""

    _at = field_validator("at", mode="before")(parse_clock)
    _zone = field_validator("zone")(check_zone)

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _somewhere(self) -> Route:
        if not self.channels and not self.tags:
            raise ValueError("a route needs `channels` (ids or tags) or `tags`")
        return self

    def label(self, index: int) -> str:
        return self.id or f"routes[{index}]"
