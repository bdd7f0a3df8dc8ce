"""Which pending deliveries go out now and how (pure): one message per delivery, a digest's
deliveries as one message, or a hold until quiet hours end or the digest's time comes, or
until the config makes the channel usable again.

A hold is decided from the config of each run, never frozen in the delivery: a held delivery
is planned again at every run, so removing or shortening a route's quiet hours (or moving
its digest) releases it at the next delivery.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.config.alerts import Route
from pipeline.config.load import Config
from pipeline.notify.render import EventView
from pipeline.notify.routing import route_for
from pipeline.notify.timing import is_urgent, next_digest_at, quiet_until

QUIET, DIGEST, UNUSABLE = "quiet hours", "digest", "channel unusable"


@dataclass(frozen=True, slots=True)
class Due:
    id: int
    channel: str
    attempts: int
    event_id: int
    created_at: datetime
    event: EventView
    note: str | None = None
    """Why it was held when it was (None: it was not)."""
    held_until: datetime | None = None
    """Its hold's end when it is held (a later run may move or lift it)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """What goes out as one message: one delivery, or a digest's deliveries."""

    channel: str
    items: tuple[Due, ...]
    route: tuple[int, Route] | None
    digest: bool = False
    folded: int = 0
    """The channel's hourly limit when this digest holds the alerts over it (0: not folded)."""


@dataclass(frozen=True, slots=True)
class Hold:
    """Why deliveries wait and until when: quiet hours or a digest of a route, or a channel
    the config cannot use (``detail`` says why)."""

    reason: str
    """QUIET | DIGEST | UNUSABLE"""
    until: datetime
    """Aware UTC."""
    route: str = ""
    """The route's id, else ``#n`` (its position in alerts.yaml)."""
    zone: str = "UTC"
    channel: str = ""
    """UNUSABLE: the channel the config cannot use, and ``detail`` why."""
    detail: str = ""

    @property
    def note(self) -> str:
        """The delivery log's note: the full local date and time, the zone named."""
        return self._text(_local(self.until, self.zone, with_date=True))

    def describe(self, now: datetime) -> str:
        """One phrase for a run's summary: the time alone when it is within a day."""
        soon = self.until - now < timedelta(days=1)
        return self._text(_local(self.until, self.zone, with_date=not soon))

    def _text(self, when: str) -> str:
        if self.reason == UNUSABLE:
            return f"channel {self.channel} unusable: {self.detail}"
        if self.reason == DIGEST:
            return f"digest of route {self.route} at {when}"
        return f"quiet hours on route {self.route} until {when}"


@dataclass(slots=True)
class Plan:
    batches: list[Batch] = field(default_factory=list)
    holds: dict[Hold, list[Due]] = field(default_factory=dict)


def plan(
    items: Sequence[Due], config: Config, now: datetime, *, ignore_quiet: bool = False
) -> Plan:
    """Split pending deliveries into messages to send now and holds → deliveries.

    ``ignore_quiet``: quiet hours hold nothing (``casewatch deliver --now``); digests keep
    their time and an unusable channel still waits.
    """
    result = Plan()
    digests: dict[tuple[str, int], list[Due]] = defaultdict(list)
    routes: dict[tuple[str, int], tuple[int, Route]] = {}
    for item in items:
        if (why := config.broken_channels.get(item.channel)) is not None:
            hold = Hold(UNUSABLE, now, channel=item.channel, detail=why)
            result.holds.setdefault(hold, []).append(item)
            continue
        found = route_for(item.event.kind, item.event.case_slug, item.channel, config)
        wait = _wait(item, found, config, now, ignore_quiet)
        if wait is not None:
            result.holds.setdefault(wait, []).append(item)
        elif found is not None and found[1].mode == "digest":
            key = (item.channel, found[0])
            digests[key].append(item)
            routes[key] = found
        else:
            result.batches.append(Batch(item.channel, (item,), found))
    for key, group in digests.items():
        result.batches.append(Batch(key[0], tuple(group), routes[key], digest=True))
    return result


def _wait(
    item: Due, found: tuple[int, Route] | None, config: Config, now: datetime, ignore_quiet: bool
) -> Hold | None:
    """The hold ``item`` is under now, or None when it may go out."""
    if found is None:
        return None
    index, route = found
    name, zone = route_name(index, route), route.zone or config.settings.timezone
    if route.mode == "digest":
        slot = next_digest_at(route, item.created_at, config.settings.timezone)
        if slot > now:
            return Hold(DIGEST, slot, name, zone)
    quiet = None if ignore_quiet else quiet_until(route.quiet_hours, now, zone)
    if quiet is None:
        return None
    urgent = route.mode == "instant" and is_urgent(
        item.event.kind, item.event.payload, now, config.settings.delivery.urgent_within
    )
    quiet_zone = (route.quiet_hours.zone if route.quiet_hours else None) or zone
    return None if urgent else Hold(QUIET, quiet, name, quiet_zone)


def route_name(index: int, route: Route) -> str:
    """``'hearings'`` (its id, quoted), else ``#2`` (its place in alerts.yaml)."""
    return f"'{route.id}'" if route.id else f"#{index + 1}"


def _local(moment: datetime, zone: str, *, with_date: bool) -> str:
    shape = "%Y-%m-%d %H:%M" if with_date else "%H:%M"
    return f"{moment.astimezone(ZoneInfo(zone)):{shape}} {zone}"
