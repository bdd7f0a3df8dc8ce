"""Which due deliveries go out now and how (pure): one message per delivery, a digest's
deliveries as one message, or a hold until quiet hours end or the digest's time comes, or
until the config makes the channel usable again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.config.alerts import Route
from pipeline.config.load import Config
from pipeline.notify.render import EventView
from pipeline.notify.routing import route_for
from pipeline.notify.timing import is_urgent, next_digest_at, quiet_until


@dataclass(frozen=True, slots=True)
class Due:
    id: int
    channel: str
    attempts: int
    event_id: int
    created_at: datetime
    event: EventView


@dataclass(frozen=True, slots=True)
class Batch:
    """What goes out as one message: one delivery, or a digest's deliveries."""

    channel: str
    items: tuple[Due, ...]
    route: tuple[int, Route] | None
    digest: bool = False
    folded: int = 0
    """The channel's hourly limit when this digest holds the alerts over it (0: not folded)."""


@dataclass(slots=True)
class Plan:
    batches: list[Batch] = field(default_factory=list)
    holds: dict[tuple[datetime, str], list[int]] = field(default_factory=dict)


def plan(items: Sequence[Due], config: Config, now: datetime) -> Plan:
    """Split due deliveries into messages to send now and holds (until, why) → ids."""
    result = Plan()
    digests: dict[tuple[str, int], list[Due]] = defaultdict(list)
    routes: dict[tuple[str, int], tuple[int, Route]] = {}
    for item in items:
        if (why := config.broken_channels.get(item.channel)) is not None:
            result.holds.setdefault((now, f"channel unusable: {why}"), []).append(item.id)
            continue
        found = route_for(item.event.kind, item.event.case_slug, item.channel, config)
        wait = _wait(item, found, config, now)
        if wait is not None:
            result.holds.setdefault(wait, []).append(item.id)
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
    item: Due, found: tuple[int, Route] | None, config: Config, now: datetime
) -> tuple[datetime, str] | None:
    """(until, why) when ``item`` must not go out now."""
    if found is None:
        return None
    route, zone = found[1], found[1].zone or config.settings.timezone
    if route.mode == "digest":
        slot = next_digest_at(route, item.created_at, config.settings.timezone)
        if slot > now:
            return slot, f"digest at {_local(slot, zone)}"
    quiet = quiet_until(route.quiet_hours, now, zone)
    if quiet is None:
        return None
    urgent = route.mode == "instant" and is_urgent(
        item.event.kind, item.event.payload, now, config.settings.delivery.urgent_within
    )
    return (
        None if urgent else (quiet, f"quiet hours until {_local(quiet, _quiet_zone(route, zone))}")
    )


def _quiet_zone(route: Route, zone: str) -> str:
    return (route.quiet_hours.zone if route.quiet_hours else None) or zone


def _local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
