"""When a delivery may go out — pure: digest times, quiet hours, urgency.

Times come in and go out as aware UTC datetimes; a route's wall-clock settings (``at``,
``day``, ``quiet_hours``) are read in its named zone, so "08:00 in Asia/Almaty" stays 08:00
there whatever the server's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.config.alerts import WEEKDAYS, QuietHours, Route
from pipeline.events.kinds import Urgency, kind_of


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def next_digest_at(route: Route, after: datetime, default_zone: str) -> datetime:
    """The first digest time of ``route`` strictly after ``after`` (UTC).

    An event collected at 08:00:00 sharp goes into the next digest, never into one that may
    already have been sent at that instant.
    """
    zone = ZoneInfo(route.zone or default_zone)
    local = after.astimezone(zone)
    for offset in range(8 if route.every == "weekly" else 2):
        day = local.date() + timedelta(days=offset)
        if route.every == "weekly" and WEEKDAYS[day.weekday()] != route.day:
            continue
        slot = _at(day, route.at, zone)
        if slot > after:
            return slot
    raise AssertionError("unreachable: a slot exists within 8 days")  # pragma: no cover


def quiet_until(quiet: QuietHours | None, now: datetime, default_zone: str) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
    if quiet is None or quiet.start == quiet.end:
        return None
    zone = ZoneInfo(quiet.zone or default_zone)
    local = now.astimezone(zone)
    moment, today = local.time(), local.date()
    if quiet.start < quiet.end:
        inside = quiet.start <= moment < quiet.end
        return _at(today, quiet.end, zone) if inside else None
    if moment >= quiet.start:
        return _at(today + timedelta(days=1), quiet.end, zone)
    if moment < quiet.end:
        return _at(today, quiet.end, zone)
    return None


def is_urgent(kind: str, payload: Mapping[str, Any], now: datetime, within: timedelta) -> bool:
    """By the kind's ``urgency``: always (a cancelled hearing); soon (a hearing set, moved or
    reminded to or from a time within ``within``); never (articles and everything else).
    """
    known = kind_of(kind)
    urgency = known.urgency if known else Urgency.NEVER
    if urgency is not Urgency.SOON:
        return urgency is Urgency.ALWAYS
    old = payload.get("old")
    times = [hearing_time(payload)]
    if isinstance(old, Mapping):
        times.append(hearing_time(old, payload.get("timezone")))
    return any(t is not None and now <= t <= now + within for t in times)


def hearing_time(payload: Mapping[str, Any], zone: Any = None) -> datetime | None:
    """The hearing's time from a payload: ``scheduled_at``, else the date of ``local_time``
    (start of that day in the court's zone); None when neither can be read."""
    for key in ("scheduled_at", "local_time"):
        text = str(payload.get(key) or "").strip()
        text = text[:10] if key == "local_time" else text
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_zone(payload.get("timezone") or zone))
        return moment.astimezone(UTC)
    return None


def _zone(name: Any) -> ZoneInfo | Any:
    try:
        return ZoneInfo(str(name)) if name else UTC
    except (ValueError, KeyError):
        return UTC
