"""Load and validate the config folder once, at the edge, and pass it down as frozen values.

The folder holds ``settings.yaml``, ``sources.yaml``, ``cases.yaml`` and ``alerts.yaml``; any
may be absent. ``${NAME}`` (or ``${NAME:-default}``) reads the environment, so secrets never
live in committed files. Each list entry is validated on its own: a bad entry becomes a
:class:`ConfigProblem` naming the file, the entry and the field, and the rest still loads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote_plus

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import ConfigError

SHIPPED_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
LANGUAGES = ("ru", "kk", "en")
SLUG_RE = r"^[a-z0-9][a-z0-9._-]*$"
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_DURATION_RE = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """``'30m'`` → 30 minutes; a bare number is seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION_RE.match(str(value))
    if not match:
        raise ValueError(f"expected a duration like '30m' or '6h', got {value!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration_field(value: Any) -> timedelta:
    return parse_duration(value)


# ---------------------------------------------------------------- settings.yaml


class NewsSearchLocale(_Model):
    language: str
    hl: str
    gl: str
    ceid: str


class NewsSearchSettings(_Model):
    """Google News RSS searches generated from each case's keywords."""

    enabled: bool = True
    url: str = "https://news.google.com/rss/search?q={query}&hl={hl}&gl={gl}&ceid={ceid}"
    every: timedelta = timedelta(hours=2)
    window: str = "when:30d"
    locales: tuple[NewsSearchLocale, ...] = (
        NewsSearchLocale(language="ru", hl="ru", gl="KZ", ceid="KZ:ru"),
        NewsSearchLocale(language="kk", hl="kk", gl="KZ", ceid="KZ:kk"),
        NewsSearchLocale(language="en", hl="en-US", gl="US", ceid="US:en"),
    )

    _every = field_validator("every", mode="before")(_duration_field)


class DeliverySettings(_Model):
    max_attempts: int = Field(default=8, ge=1)
    backoff: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=6)
    timeout: timedelta = timedelta(seconds=30)
    min_interval: timedelta = timedelta(0)
    """Pause between two sends on one channel (Apprise's own default is 5.5 s for email)."""

    _durations = field_validator("backoff", "max_backoff", "timeout", "min_interval", mode="before")(
        _duration_field
    )


class Settings(_Model):
    data_dir: str = "${CASEWATCH_DATA_DIR:-data}"
    database_url: str | None = None
    user_agent: str = "casewatch/0.1 (+https://github.com/casewatch/casewatch; trial monitoring)"
    timezone: str = "Asia/Almaty"
    default_every: timedelta = timedelta(minutes=30)
    download_timeout: timedelta = timedelta(seconds=30)
    download_delay: timedelta = timedelta(seconds=1)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    concurrent_requests: int = Field(default=16, ge=1)
    failing_after: int = Field(default=3, ge=1)
    news_search: NewsSearchSettings = NewsSearchSettings()
    delivery: DeliverySettings = DeliverySettings()

    _durations = field_validator(
        "default_every", "download_timeout", "download_delay", mode="before"
    )(_duration_field)


# ---------------------------------------------------------------- sources.yaml

SourceKind = Literal["feed", "news_search", "court_table", "office_sud_kz"]


class Source(_Model):
    id: str = Field(pattern=SLUG_RE)
    kind: SourceKind
    url: str
    language: str | None = None
    every: timedelta | None = None
    enabled: bool = True
    name: str | None = None
    timezone: str | None = None
    cases: tuple[str, ...] = ()
    verified: bool = True
    notes: str | None = None
    # court_table: a court page that lists hearings in an HTML table
    court: str | None = None
    """The court's name (times on the page are in ``timezone``)."""
    selector: str | None = None
    """CSS selector of the schedule table; without it the table whose headers map best."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Header text → field (date, time, case_number, judge, parties, category, courtroom,
    status, stage) for headers the built-in ru/kk/en synonyms do not know."""
    # office_sud_kz: the public hearing schedule of office.sud.kz
    region: str | None = None
    """office.sud.kz region id (the value of the district-field option)."""
    court_ids: tuple[str, ...] = ()
    case_types: tuple[str, ...] = ()
    days_ahead: int = Field(default=14, ge=0, le=90)
    interface_language: Literal["ru", "kk"] = "ru"

    _every = field_validator("every", mode="before")(
        lambda v: None if v is None else parse_duration(v)
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value


# ---------------------------------------------------------------- cases.yaml


class Person(_Model):
    name: str
    role: str = "other"
    variants: tuple[str, ...] = ()
    alone: bool = True
    """True: the name alone identifies the case. False: it only counts as context."""


Terms = dict[str, tuple[str, ...]]


class Case(_Model):
    slug: str = Field(pattern=SLUG_RE)
    title: str
    description: str | None = None
    keywords: Terms = Field(default_factory=dict)
    """Topic terms per language; a hit needs a ``require`` hit too when ``require`` is set."""
    require: Terms = Field(default_factory=dict)
    """Context terms per language (co-occurrence): place, event, institution."""
    people: tuple[Person, ...] = ()
    courts: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    """Articles of the criminal code, e.g. '146'; a mention counts as a topic hit."""
    exclude: tuple[str, ...] = ()
    search: Terms = Field(default_factory=dict)
    """News-search queries per language; default: the first keywords of each language."""
    timezone: str = "Asia/Almaty"
    enabled: bool = True

    @field_validator("keywords", "require", "search")
    @classmethod
    def _languages(cls, value: Terms) -> Terms:
        for lang in value:
            if not re.match(r"^[a-z]{2,3}$", lang):
                raise ValueError(f"language keys are ISO codes like 'ru', got {lang!r}")
        return value

    def all_terms(self, kind: Literal["keywords", "require", "search"]) -> tuple[str, ...]:
        return tuple(term for terms in getattr(self, kind).values() for term in terms)


# ---------------------------------------------------------------- alerts.yaml


class Channel(_Model):
    id: str = Field(pattern=SLUG_RE)
    url: str = ""
    tags: tuple[str, ...] = ()
    enabled: bool = True

    def __repr__(self) -> str:  # never show a full Apprise URL
        return f"Channel(id={self.id!r}, url=<hidden>)"


class Route(_Model):
    cases: tuple[str, ...] = ("*",)
    events: tuple[str, ...] = ("*",)
    channels: tuple[str, ...]
    mode: Literal["instant", "digest"] = "instant"
    language: str = "en"


# ---------------------------------------------------------------- the whole folder


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One entry that could not be used; ``where`` is ``file: entry.field``."""

    where: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Config:
    directory: Path
    settings: Settings
    sources: tuple[Source, ...]
    cases: tuple[Case, ...]
    channels: tuple[Channel, ...]
    routes: tuple[Route, ...]
    problems: tuple[ConfigProblem, ...] = field(default=())

    @property
    def errors(self) -> tuple[ConfigProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def enabled_sources(self) -> tuple[Source, ...]:
        """Configured sources plus the news searches generated from the cases."""
        generated = news_search_sources(self.cases, self.settings.news_search)
        return tuple(s for s in (*self.sources, *generated) if s.enabled)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.enabled_sources() if s.id == source_id), None)

    def data_dir(self) -> Path:
        path = Path(self.settings.data_dir)
        return path if path.is_absolute() else Path.cwd() / path

    def database_url(self, override: str | None = None) -> str:
        url = override or os.environ.get("CASEWATCH_DATABASE_URL") or self.settings.database_url
        return url or f"sqlite:///{self.data_dir() / 'casewatch.db'}"


def news_search_sources(
    cases: Iterable[Case], settings: NewsSearchSettings
) -> tuple[Source, ...]:
    """One Google News RSS search per case and locale, from the case's search terms."""
    if not settings.enabled:
        return ()
    out = []
    for case in cases:
        if not case.enabled:
            continue
        for locale in settings.locales:
            terms = case.search.get(locale.language) or case.keywords.get(locale.language, ())[:3]
            if not terms:
                continue
            query = " OR ".join(f'"{t}"' if " " in t else t for t in terms)
            if settings.window:
                query = f"({query}) {settings.window}" if len(terms) > 1 else f"{query} {settings.window}"
            url = settings.url.format(
                query=quote_plus(query), hl=locale.hl, gl=locale.gl, ceid=locale.ceid
            )
            out.append(
                Source(
                    id=f"news-{case.slug}-{locale.language}",
                    kind="news_search",
                    url=url,
                    language=locale.language,
                    every=settings.every,
                    name=f"Google News: {case.title} ({locale.language})",
                    cases=(case.slug,),
                )
            )
    return tuple(out)


# ---------------------------------------------------------------- loading


def config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config DIR``, else ``$CASEWATCH_CONFIG``, else the shipped ``config/``."""
    chosen = explicit or os.environ.get("CASEWATCH_CONFIG")
    return Path(chosen) if chosen else SHIPPED_CONFIG_DIR


def expand_env(value: Any, environ: Mapping[str, str], missing: list[str]) -> Any:
    """Replace ``${NAME}`` / ``${NAME:-default}`` in every string; note unset names."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in environ:
                return environ[name]
            if default is None:
                missing.append(name)
                return ""
            return default

        return _ENV_RE.sub(repl, value)
    if isinstance(value, list):
        return [expand_env(v, environ, missing) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, environ, missing) for k, v in value.items()}
    return value


def _read_yaml(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _locate(exc: ValidationError) -> list[tuple[str, str]]:
    """``(".field[0]", message)`` for each error of a validation."""
    out = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        out.append((loc, err["msg"].removeprefix("Value error, ")))
    return out


def _describe(exc: ValidationError, prefix: str) -> list[str]:
    return [f"{prefix}{loc}: {msg}" for loc, msg in _locate(exc)]


M = TypeVar("M", bound=BaseModel)


def _entries(
    path: Path,
    doc: Any,
    key: str,
    model: type[M],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
    on_missing_env: Callable[[dict[str, Any], list[str], str], bool] | None = None,
) -> list[M]:
    """Validate ``doc[key]`` entry by entry; bad entries become problems and are skipped."""
    if doc is None:
        return []
    raw = doc.get(key) if isinstance(doc, dict) else None
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(ConfigProblem(f"{path}: {key}", "expected a list"))
        return []
    out: list[M] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        label = f"{key}[{index}]"
        if isinstance(entry, dict) and ("id" in entry or "slug" in entry):
            label += f" ({entry.get('id') or entry.get('slug')})"
        if not isinstance(entry, dict):
            problems.append(ConfigProblem(f"{path}: {label}", "expected a mapping"))
            continue
        missing: list[str] = []
        expanded = expand_env(entry, environ, missing)
        if missing:
            keep = on_missing_env(expanded, missing, f"{path}: {label}") if on_missing_env else False
            names = ", ".join(sorted(set(missing)))
            if not keep:
                problems.append(ConfigProblem(f"{path}: {label}", f"environment variable {names} is not set"))
                continue
        try:
            item = model.model_validate(expanded)
        except ValidationError as exc:
            problems.extend(ConfigProblem(f"{path}: {label}{loc}", msg) for loc, msg in _locate(exc))
            continue
        ident = getattr(item, "id", None) or getattr(item, "slug", None)
        if ident in seen:
            problems.append(ConfigProblem(f"{path}: {label}", f"duplicate id {ident!r}"))
            continue
        seen.add(str(ident))
        out.append(item)
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
    settings_doc = _read_yaml(settings_path) or {}
    missing: list[str] = []
    try:
        settings = Settings.model_validate(expand_env(settings_doc, env, missing))
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(exc, f"{settings_path}: settings"))) from exc
    if missing:
        raise ConfigError(f"{settings_path}: environment variable {', '.join(missing)} is not set")

    sources_path, cases_path, alerts_path = (root / n for n in ("sources.yaml", "cases.yaml", "alerts.yaml"))
    sources = _entries(sources_path, _read_yaml(sources_path), "sources", Source, env, problems)
    cases = _entries(cases_path, _read_yaml(cases_path), "cases", Case, env, problems)
    alerts = _read_yaml(alerts_path)
    channels = _entries(alerts_path, alerts, "channels", Channel, env, problems, _disable_channel(problems))
    routes = _entries(alerts_path, alerts, "routes", Route, env, problems)
    problems.extend(_cross_check(alerts_path, sources_path, sources, cases, channels, routes))
    return Config(root, settings, tuple(sources), tuple(cases), tuple(channels), tuple(routes), tuple(problems))


def _disable_channel(
    problems: list[ConfigProblem],
) -> Callable[[dict[str, Any], list[str], str], bool]:
    """A channel whose URL comes from an unset variable is kept, disabled, with a warning."""

    def handle(entry: dict[str, Any], missing: list[str], where: str) -> bool:
        entry["enabled"] = False
        entry["url"] = ""
        names = ", ".join(sorted(set(missing)))
        problems.append(
            ConfigProblem(f"{where}.url", f"{names} is not set; channel disabled", "warning")
        )
        return True

    return handle


def _cross_check(
    alerts_path: Path,
    sources_path: Path,
    sources: list[Source],
    cases: list[Case],
    channels: list[Channel],
    routes: list[Route],
) -> list[ConfigProblem]:
    problems = []
    slugs = {c.slug for c in cases}
    channel_ids = {c.id for c in channels}
    for index, route in enumerate(routes):
        for name in route.channels:
            if name not in channel_ids:
                problems.append(ConfigProblem(f"{alerts_path}: routes[{index}].channels", f"unknown channel {name!r}"))
        for slug in route.cases:
            if slug != "*" and slug not in slugs:
                problems.append(ConfigProblem(f"{alerts_path}: routes[{index}].cases", f"unknown case {slug!r}"))
    for index, source in enumerate(sources):
        for slug in source.cases:
            if slug not in slugs:
                problems.append(
                    ConfigProblem(f"{sources_path}: sources[{index}] ({source.id}).cases", f"unknown case {slug!r}")
                )
    return problems
