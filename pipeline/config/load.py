"""Load and validate the config folder once, at the edge, and pass it down as frozen values.

The folder holds ``settings.yaml``, ``sources.yaml``, ``cases.yaml`` (plus any
``cases.d/*.yaml`` beside it), ``watches.yaml`` and ``alerts.yaml``; any may be absent. ``${NAME}`` (or ``${NAME:-default}``) reads the environment, so secrets never
live in committed files. Each list entry is validated on its own: a bad entry becomes a
:class:`ConfigProblem` naming the file, the entry and the field, and the rest still loads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.entries import ConfigProblem, expand_env, read_entries, read_yaml
from pipeline.config.env import env_name, env_overrides, merge
from pipeline.config.folder import load_case_folder, load_watches
from pipeline.config.kinds import kind_problems, save_checks
from pipeline.config.models import SLUG_RE, locate
from pipeline.config.news import news_search_sources, watch_search_sources
from pipeline.config.settings import Settings
from pipeline.config.sources import Source
from pipeline.config.watches import Watch
from pipeline.errors import ConfigError

__all__ = [
    "SHIPPED_CONFIG_DIR",
    "Config",
    "ConfigProblem",
    "config_dir",
    "expand_env",
    "load_config",
]

SHIPPED_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


# ---------------------------------------------------------------- the whole folder


@dataclass(frozen=True, slots=True)
class Config:
    directory: Path
    settings: Settings
    sources: tuple[Source, ...]
    cases: tuple[Case, ...]
    channels: tuple[Channel, ...]
    routes: tuple[Route, ...]
    problems: tuple[ConfigProblem, ...] = field(default=())
    broken_channels: Mapping[str, str] = field(default_factory=dict)
    """Channels named in alerts.yaml that cannot send (id → why: an unset variable, an invalid
    entry). Their alerts wait for them (never the console), and status reports them."""
    watches: tuple[Watch, ...] = ()
    """Topics with no identity (``watches.yaml``): what they match and no case claims becomes
    a candidate."""

    @property
    def errors(self) -> tuple[ConfigProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    _enabled: tuple[Source, ...] = field(init=False, repr=False, compare=False, default=())
    _by_id: Mapping[str, Source] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        """The generated news searches are built once per Config, not at every lookup
        (``source()`` runs for every fetch of a crawl)."""
        generated = (
            *news_search_sources(self.cases, self.settings.news_search),
            *watch_search_sources(self.watches, self.settings.news_search),
        )
        enabled = tuple(s for s in (*self.sources, *generated) if s.enabled)
        object.__setattr__(self, "_enabled", enabled)
        object.__setattr__(self, "_by_id", {s.id: s for s in reversed(enabled)})

    def enabled_sources(self) -> tuple[Source, ...]:
        """Configured sources plus the news searches generated from the cases."""
        return self._enabled

    def source(self, source_id: str) -> Source | None:
        return self._by_id.get(source_id)

    def data_dir(self) -> Path:
        path = Path(self.settings.data_dir)
        return path if path.is_absolute() else Path.cwd() / path

    def database_url(self, override: str | None = None) -> str:
        url = override or os.environ.get("CASEWATCH_DATABASE_URL") or self.settings.database_url
        return url or f"sqlite:///{self.data_dir() / 'casewatch.db'}"


# ---------------------------------------------------------------- loading


def config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config DIR``, else ``$CASEWATCH_CONFIG``, else the shipped ``config/``."""
    chosen = explicit or os.environ.get("CASEWATCH_CONFIG")
    return Path(chosen) if chosen else SHIPPED_CONFIG_DIR


def _describe(exc: ValidationError, prefix: str) -> list[str]:
    return [f"{prefix}{loc}: {msg}" for loc, msg in locate(exc)]


def _describe_settings(exc: ValidationError, path: Path, environ: Mapping[str, str]) -> list[str]:
    """Problems of the settings, each named by the variable that set it or by the file."""
    out = []
    for err, (loc, msg) in zip(exc.errors(), locate(exc), strict=True):
        names = [
            env_name(err["loc"][:n]) for n in range(len(err["loc"]), 0, -1)
        ]  # the field, then its sections
        name = next((n for n in names if n in environ), None)
        where = f"environment {name}" if name else f"{path}: settings{loc}"
        out.append(f"{where}: {msg}")
    return out


def load_config(
    directory: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Read and validate the folder. Raises ConfigError only when it cannot be used at all."""
    root = config_dir(directory)
    env = os.environ if environ is None else environ
    if not root.is_dir():
        raise ConfigError(f"{root}: config folder not found (set --config DIR or CASEWATCH_CONFIG)")
    problems: list[ConfigProblem] = []

    settings_path = root / "settings.yaml"
    settings_doc = read_yaml(settings_path) or {}
    missing: list[str] = []
    overrides = env_overrides(Settings, env)
    try:
        document = expand_env(settings_doc, env, missing)
        document = merge(document if isinstance(document, dict) else {}, overrides)
        settings = Settings.model_validate(document)
        if "${" in settings.data_dir:  # the default itself names a variable: expand it too
            data_dir = expand_env(settings.data_dir, env, missing)
            settings = settings.model_copy(update={"data_dir": data_dir})
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe_settings(exc, settings_path, env))) from exc
    if missing:
        raise ConfigError(f"{settings_path}: environment variable {', '.join(missing)} is not set")

    sources_path, cases_path, alerts_path = (
        root / n for n in ("sources.yaml", "cases.yaml", "alerts.yaml")
    )
    sources = read_entries(
        sources_path, read_yaml(sources_path), "sources", Source, env, problems,
        check=kind_problems,
    )  # fmt: skip
    save_checks()
    cases = read_entries(cases_path, read_yaml(cases_path), "cases", Case, env, problems)
    cases += load_case_folder(root, cases, env, problems)
    watches = load_watches(root, env, problems)
    alerts = read_yaml(alerts_path)
    broken: dict[str, str] = {}
    channels = read_entries(
        alerts_path, alerts, "channels", Channel, env, problems, _disable_channel(problems, broken)
    )
    channels += _placeholders(alerts, channels, broken)
    route_positions: dict[int, int] = {}
    routes = read_entries(
        alerts_path, alerts, "routes", Route, env, problems, None, route_positions
    )
    problems.extend(
        _cross_check(alerts_path, sources_path, sources, cases, channels, routes, route_positions)
    )
    return Config(
        root,
        settings,
        tuple(sources),
        tuple(cases),
        tuple(channels),
        tuple(routes),
        tuple(problems),
        broken,
        tuple(watches),
    )


def _disable_channel(
    problems: list[ConfigProblem], broken: dict[str, str]
) -> Callable[[dict[str, Any], list[str], str], bool]:
    """A channel whose URL comes from an unset variable is kept, unusable: its alerts wait
    for it, and ``run --once`` (exit 1), ``status`` and ``/healthz`` say so. check-config
    warns (it may run where the service's environment is not set)."""

    def handle(entry: dict[str, Any], missing: list[str], where: str) -> bool:
        entry["enabled"] = False
        entry["url"] = ""
        names = ", ".join(sorted(set(missing)))
        broken[str(entry.get("id"))] = f"environment variable {names} is not set"
        problems.append(
            ConfigProblem(
                f"{where}.url",
                f"{names} is not set; channel unusable, its alerts wait (write ${{{names}:-}} "
                "for a channel that may be off)",
                "warning",
            )
        )
        return True

    return handle


def _placeholders(alerts: Any, loaded: list[Channel], broken: dict[str, str]) -> list[Channel]:
    """An invalid channel entry that has a usable id stays known, unusable, so the routes that
    name it keep its alerts for it instead of sending them to the console."""
    raw = alerts.get("channels") if isinstance(alerts, dict) else None
    known = {c.id for c in loaded}
    out = []
    for entry in raw if isinstance(raw, list) else []:
        ident = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(ident, str) and re.fullmatch(SLUG_RE, ident) and ident not in known:
            known.add(ident)
            broken[ident] = "its entry in alerts.yaml is invalid (see check-config)"
            out.append(Channel(id=ident, enabled=False))
    return out


def _cross_check(
    alerts_path: Path,
    sources_path: Path,
    sources: list[Source],
    cases: list[Case],
    channels: list[Channel],
    routes: list[Route],
    route_positions: dict[int, int] | None = None,
) -> list[ConfigProblem]:
    problems = []
    positions = route_positions or {}
    slugs = {c.slug for c in cases}
    channel_ids = {c.id for c in channels}
    tags = {tag for c in channels for tag in c.tags}
    for index, route in enumerate(routes):
        index = positions.get(id(route), index)
        where = f"{alerts_path}: routes[{index}]" + (f" ({route.id})" if route.id else "")
        for name in route.channels:
            if name not in channel_ids and name not in tags:
                problems.append(
                    ConfigProblem(
                        f"{where}.channels", f"unknown channel {name!r} (no channel id or tag)"
                    )
                )
        for name in route.tags:
            if name not in tags:
                problems.append(ConfigProblem(f"{where}.tags", f"no channel has tag {name!r}"))
        for slug in route.cases:
            if slug != "*" and slug not in slugs:
                problems.append(ConfigProblem(f"{where}.cases", f"unknown case {slug!r}"))
    for index, source in enumerate(sources):
        for slug in source.cases:
            if slug not in slugs:
                problems.append(
                    ConfigProblem(
                        f"{sources_path}: sources[{index}] ({source.id}).cases",
                        f"unknown case {slug!r}",
                    )
                )
    return problems
