"""The config folder's entries as frozen pydantic models (``settings.yaml``, ``sources.yaml``,
``cases.yaml``, ``alerts.yaml``); :mod:`pipeline.config` reads the folder into them.

Import them from :mod:`pipeline.config`, which re-exports every name here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGES = ("ru", "kk", "en")
SLUG_RE = r"^[a-z0-9][a-z0-9._-]*$"
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

    _durations = field_validator(
        "backoff", "max_backoff", "timeout", "min_interval", mode="before"
    )(_duration_field)


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
    reminder_before: timedelta = timedelta(hours=24)
    """A ``hearing.reminder`` goes out this long before a tracked hearing (once per time)."""
    news_search: NewsSearchSettings = NewsSearchSettings()
    delivery: DeliverySettings = DeliverySettings()

    _durations = field_validator(
        "default_every", "download_timeout", "download_delay", "reminder_before", mode="before"
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
