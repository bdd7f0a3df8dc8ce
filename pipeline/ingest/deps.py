"""What ingest needs, built once per run at the edge and never changed: :class:`IngestDeps`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.clock import Clock, utc_now
from pipeline.config.load import Config, load_config
from pipeline.ingest.fulltext import partial_matcher
from pipeline.match.cases import compile_cases
from pipeline.match.lazy import CaseMatcher, LazyMatcher
from pipeline.match.watches import WatchMatcher
from pipeline.notify.routing import channels_for
from pipeline.store.engine import open_store
from pipeline.store.events import ChannelsFor
from pipeline.store.matches import sync_cases
from pipeline.store.sources import sync_sources


@dataclass(frozen=True, slots=True)
class IngestDeps:
    """The store, the config, the compiled cases, the routing and the clock of a run."""

    config: Config
    sessions: sessionmaker[Session]
    matcher: CaseMatcher
    clock: Clock = utc_now
    channels_for: ChannelsFor = lambda kind, case: ("console",)
    partial_matcher: CaseMatcher | None = None
    """The cases with every term sufficient alone: a hit is a partial match (full text wanted)."""
    repeat_channels_for: ChannelsFor | None = None
    """Routing for another outlet's copy of a story already alerted (``Route.per``)."""
    zones: Mapping[str, str] = field(default_factory=dict)
    """Source id → zone, looked up once (looking a source up builds the news searches)."""
    watches: WatchMatcher | None = None
    """The compiled watches: what they match and no case claims becomes a candidate."""

    def timezone_of(self, source_id: str) -> str:
        if source_id in self.zones:
            return self.zones[source_id]
        source = self.config.source(source_id)
        return (source.timezone if source else None) or self.config.settings.timezone

    def case_titles(self) -> dict[str, str]:
        return {c.slug: c.title for c in self.config.cases}


def source_zones(config: Config) -> dict[str, str]:
    default = config.settings.timezone
    return {s.id: s.timezone or default for s in config.enabled_sources()}


def _sync(sessions: sessionmaker[Session], config: Config, clock: Clock) -> None:
    """Every source and case gets its row before any fetch. Two runs started together (cron
    and a hand-run) may both insert a row: the loser retries once and finds it there."""
    for attempt in (1, 2):
        try:
            with sessions.begin() as session:
                sync_sources(session, config.enabled_sources())
                sync_cases(session, config.cases, clock())
            return
        except IntegrityError:
            if attempt == 2:
                raise


def build_deps(
    config_dir: str | None = None,
    database_url: str | None = None,
    *,
    config: Config | None = None,
    sessions: sessionmaker[Session] | None = None,
    clock: Clock = utc_now,
) -> IngestDeps:
    """Load what a run needs once: config, store (migrated), compiled cases, routing."""
    config = config or load_config(config_dir)
    sessions = sessions or open_store(config.database_url(database_url))
    _sync(sessions, config, clock)
    return IngestDeps(
        config=config,
        sessions=sessions,
        matcher=LazyMatcher(lambda: compile_cases([c for c in config.cases if c.enabled])),
        clock=clock,
        channels_for=lambda kind, case: channels_for(kind, case, config),
        partial_matcher=LazyMatcher(lambda: partial_matcher(config.cases)),
        repeat_channels_for=lambda kind, case: channels_for(kind, case, config, repeat=True),
        zones=source_zones(config),
        watches=WatchMatcher(config.watches),
    )
