"""Which channels an event goes to, and under which rule — pure and fast.

Ingest calls :func:`channels_for` in the same transaction that stores the event and writes one
pending delivery per returned channel, so it must not touch the network or the database.
Delivery calls :func:`route_for` to learn how a delivery goes out (instant or digest, quiet
hours, language): the first route, in file order, that matches the event and sends to the
delivery's channel decides.

Rules:

* A route matches when one of its ``cases`` matches the event's case slug and one of its
  ``events`` matches the event kind. Both are shell-style globs (``"*"``, ``"hearing.*"``,
  ``"article.new"``). An event without a case (``source.failing``) only matches ``"*"``.
* A route sends to the channels it names in ``channels`` — by id, or by a tag the channels
  carry (Apprise's word for a group) — and to every channel with one of its ``tags``.
* Only enabled channels with a URL count, and channels the config could not make usable
  (``Config.broken_channels``: an unset variable, an invalid entry) — their alerts wait for
  them rather than go to the console; a channel named by several routes is listed once, in
  route order.
* When the config has no usable channel at all, or no route sends the event anywhere, the
  result is ``("console",)``: the alert is printed to stdout and counts as sent, so an alert is
  never dropped silently.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from pipeline.config.alerts import Channel, Route
from pipeline.config.load import Config

CONSOLE = "console"
"""The built-in fallback channel: prints the rendered alert to stdout."""

DEFAULT_LANGUAGE = "en"


def route_matches(route: Route, kind: str, case: str | None) -> bool:
    """True when ``route`` selects events of ``kind`` for ``case``."""
    if case is None:
        case_ok = "*" in route.cases
    else:
        case_ok = any(fnmatchcase(case, pattern) for pattern in route.cases)
    return case_ok and any(fnmatchcase(kind, pattern) for pattern in route.events)


def usable_channels(config: Config) -> frozenset[str]:
    """Ids of the channels that can send: enabled and with a URL."""
    return frozenset(c.id for c in config.channels if c.enabled and c.url.strip())


def route_channels(route: Route, channels: tuple[Channel, ...]) -> tuple[str, ...]:
    """Ids of the channels ``route`` names, by id or by tag, in config order per name."""
    chosen: dict[str, None] = {}
    for name in route.channels:
        if any(c.id == name for c in channels):
            chosen[name] = None
        else:
            chosen.update((c.id, None) for c in channels if name in c.tags)
    chosen.update((c.id, None) for c in channels if set(route.tags) & set(c.tags))
    return tuple(chosen)


def channels_for(
    kind: str,
    case: str | None,
    config: Config,
    *,
    repeat: bool = False,
    exclude: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """The channel ids an event of ``kind`` for ``case`` is delivered to.

    ``exclude`` leaves channels out (a channel's own failure alert does not go to it).
    ``repeat``: the event is another outlet's copy of a story already alerted; routes with
    ``per: story`` do not send it (and when no route does, it is recorded, not delivered:
    the result is then empty). Otherwise never empty: the console is the fallback.
    """
    usable = (usable_channels(config) | frozenset(config.broken_channels)) - exclude
    chosen: dict[str, None] = {}
    skipped = False
    for route in config.routes:
        if repeat and route.per == "story" and route_matches(route, kind, case):
            skipped = True
            continue
        if route_matches(route, kind, case):
            chosen.update((c, None) for c in route_channels(route, config.channels) if c in usable)
    return tuple(chosen) or (() if skipped else (CONSOLE,))


def route_for(
    kind: str, case: str | None, channel: str, config: Config
) -> tuple[int, Route] | None:
    """(index, route) of the first route matching the event that sends to ``channel``.

    The console fallback takes the first route matching the event at all.
    """
    for index, route in enumerate(config.routes):
        if not route_matches(route, kind, case):
            continue
        if channel == CONSOLE or channel in route_channels(route, config.channels):
            return index, route
    return None


def language_for(kind: str, case: str | None, channel: str, config: Config) -> str:
    """The language of the route that sends the event to ``channel`` (default ``en``)."""
    found = route_for(kind, case, channel, config)
    return found[1].language if found else DEFAULT_LANGUAGE


def describe_route(index: int, route: Route) -> str:
    """One line saying why a route picked an event: its name, cases and kinds."""
    name = route.id or f"#{index + 1}"
    return f"{name} (cases: {', '.join(route.cases)}; events: {', '.join(route.events)})"
