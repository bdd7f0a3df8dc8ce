"""Which channels an event goes to, and in which language — pure and fast.

Ingest calls :func:`channels_for` in the same transaction that stores the event and writes one
pending delivery per returned channel, so it must not touch the network or the database.

Rules:

* A route matches when one of its ``cases`` matches the event's case slug and one of its
  ``events`` matches the event kind. Both are shell-style globs (``"*"``, ``"hearing.*"``,
  ``"article.new"``). An event without a case (``source.failing``) only matches ``"*"``.
* Only enabled channels with a URL count; a channel named by several routes is listed once,
  in route order.
* When the config has no usable channel at all, or no route sends the event anywhere, the
  result is ``("console",)``: the alert is printed to stdout and counts as sent, so an alert is
  never dropped silently.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from pipeline.config import Config, Route

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


def channels_for(
    kind: str, case: str | None, config: Config, *, repeat: bool = False
) -> tuple[str, ...]:
    """The channel ids an event of ``kind`` for ``case`` is delivered to (never empty).

    ``repeat``: the event is another outlet's copy of a story already alerted; routes with
    ``per: story`` do not send it (and when no route does, it is recorded, not delivered:
    the result is then empty, not the console).
    """
    usable = usable_channels(config)
    chosen: dict[str, None] = {}
    skipped = False
    for route in config.routes:
        if repeat and route.per == "story" and route_matches(route, kind, case):
            skipped = True
            continue
        if route_matches(route, kind, case):
            chosen.update((c, None) for c in route.channels if c in usable)
    return tuple(chosen) or (() if skipped else (CONSOLE,))


def language_for(kind: str, case: str | None, channel: str, config: Config) -> str:
    """The language of the first matching route that sends to ``channel`` (default ``en``).

    The console fallback takes the language of the first route matching the event at all.
    """
    for route in config.routes:
        sends = channel == CONSOLE or channel in route.channels
        if sends and route_matches(route, kind, case):
            return route.language
    return DEFAULT_LANGUAGE
