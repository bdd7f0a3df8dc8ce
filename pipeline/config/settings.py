"""The config folder's entries as frozen pydantic models (``settings.yaml``, ``sources.yaml``,
``cases.yaml``, ``alerts.yaml``); :mod:`pipeline.config.load` reads the folder into them.

Import them from :mod:`pipeline.config.load`, which re-exports every name here.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

LANGUAGES = ("ru", "kk", "en")
SLUG_RE = r"^[a-z0-9][a-z0-9._-]*$"
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """``'30m'`` → 30 minutes, ``'1.5s'`` / ``'250ms'`` (short test intervals); a bare number
    is seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION_RE.match(str(value))
    if not match:
        raise ValueError(f"expected a duration like '30m' or '6h', got {value!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def check_css(css: str) -> str:
    """``css`` when it is a selector parsel can run (``::attr()``/``::text`` allowed)."""
    from parsel.csstranslator import HTMLTranslator

    try:
        HTMLTranslator().css_to_xpath(css)
    except Exception as exc:  # cssselect raises several types for bad syntax
        raise ValueError(f"not a valid CSS selector: {css!r} ({exc})") from exc
    return css


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
    lease: timedelta | None = None
    """How long a run holds a delivery it is sending (default: twice ``timeout``, at least
    ``backoff``); a run that dies leaves it to be retried when the lease ends."""
    urgent_within: timedelta = timedelta(hours=48)
    """During quiet hours a hearing scheduled, moved or reminded within this long of now is
    urgent and goes out anyway; a cancelled hearing always is; an article never is."""
    channel_failing_after: int = Field(default=5, ge=1)
    """Failed attempts in a row after which a channel raises ``channel.failing`` (once)."""
    breaker: int = Field(default=3, ge=1)
    """Failures in a row on one channel after which a run stops trying it until the next run."""

    _durations = field_validator(
        "backoff", "max_backoff", "timeout", "min_interval", "urgent_within", mode="before"
    )(_duration_field)
    _lease = field_validator("lease", mode="before")(
        lambda v: None if v is None else parse_duration(v)
    )

    def lease_for(self) -> timedelta:
        return self.lease if self.lease is not None else max(self.timeout * 2, self.backoff)


class ServiceSettings(_Model):
    """``casewatch run`` (the long-running service): job intervals and time limits."""

    crawl_timeout: timedelta = timedelta(minutes=10)
    """A crawl of one source that takes longer is abandoned and recorded as a failure."""
    deliver_every: timedelta = timedelta(seconds=30)
    reminders_every: timedelta = timedelta(minutes=5)
    rechecks_every: timedelta = timedelta(minutes=15)
    """How often the service looks for matched articles due a re-check (``evidence``)."""
    jitter: float = Field(default=0.1, ge=0, le=1)
    """Each source run starts up to this fraction of its interval late (at most ``max_jitter``),
    so sources with one interval do not all fire together."""
    max_jitter: timedelta = timedelta(minutes=5)
    startup_spread: timedelta = timedelta(minutes=5)
    """Sources overdue at start are spread over this window (at most their interval)."""
    shutdown_grace: timedelta = timedelta(seconds=10)
    """On SIGTERM, running steps get this long to finish before they are abandoned."""
    delivery_batch: int = Field(default=20, ge=1)
    """Deliveries sent per step; a stop request is honoured between steps."""

    _durations = field_validator(
        "crawl_timeout", "deliver_every", "reminders_every", "rechecks_every", "max_jitter",
        "startup_spread", "shutdown_grace", mode="before",
    )(_duration_field)  # fmt: skip


class EvidenceSettings(_Model):
    """Full articles and evidence (``settings.yaml`` → ``evidence:``).

    ``full_text_below``: under ``full_text: auto`` a new item whose feed text (summary + any
    content) is shorter than this many characters has its page fetched too, matched or not:
    a headline and a line may hide the development. ``max_per_source``: article pages fetched
    for one source per run (the rest wait for the next run's new items — a cap, not a queue).
    ``recheck_every``: matched articles are fetched again this often to catch edits and
    removals, for ``recheck_for`` after they were first seen, at most ``recheck_per_run`` a run.
    """

    full_text_below: int = Field(default=600, ge=0)
    max_per_source: int = Field(default=20, ge=0)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    timeout: timedelta = timedelta(seconds=20)
    recheck_every: timedelta = timedelta(hours=24)
    recheck_for: timedelta = timedelta(days=90)
    recheck_per_run: int = Field(default=50, ge=0)

    _durations = field_validator("timeout", "recheck_every", "recheck_for", mode="before")(
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
    reminder_before: timedelta = timedelta(hours=24)
    """A ``hearing.reminder`` goes out this long before a tracked hearing (once per time)."""
    failing_backoff_max: timedelta = timedelta(hours=6)
    """A failing source waits its interval × 2^(failures-1) between runs, at most this long."""
    empty_failure_after: int = Field(default=5, ge=0)
    """An empty fetch of a source whose last N fetches all had items counts as a failure
    (0: never)."""
    log_format: Literal["text", "json"] = "text"
    news_search: NewsSearchSettings = NewsSearchSettings()
    delivery: DeliverySettings = DeliverySettings()
    evidence: EvidenceSettings = EvidenceSettings()
    service: ServiceSettings = ServiceSettings()

    _durations = field_validator(
        "default_every", "download_timeout", "download_delay", "reminder_before",
        "failing_backoff_max", mode="before",
    )(_duration_field)  # fmt: skip


# ---------------------------------------------------------------- sources.yaml

SourceKind = Literal["feed", "news_search", "court_table", "office_sud_kz", "site"]


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
    full_text: Literal["auto", "always", "never"] = "auto"
    """Fetch article pages of new items: ``auto`` those that match or partly match a case (a
    keyword, a person or a context word) and those whose feed text is short; ``always`` every
    new item; ``never`` none (then no evidence is kept for this source's articles)."""
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
    # site: a news site without a usable feed — listing page(s) → article pages (spiders/site.py)
    urls: tuple[str, ...] = ()
    """More listing pages read with ``url`` (sections, languages)."""
    link_selector: str | None = None
    """CSS selector of the article links on a listing page (``a`` elements, elements holding
    one, or ``…::attr(href)``); required for ``kind: site``."""
    next_selector: str | None = None
    """CSS selector of the next listing page's link; followed up to ``max_pages``."""
    max_pages: int = Field(default=1, ge=1, le=50)
    max_articles: int = Field(default=30, ge=1, le=500)
    """Article pages fetched per run (the newest first, as the listing orders them)."""
    allow: str | None = None
    """URL regex: links matching it are followed, on any host; without it, links on the
    listing's own site are."""
    title_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    text_selector: str | None = None
    """Field selectors override what the extractor finds (JSON-LD, meta tags, trafilatura)."""

    _every = field_validator("every", mode="before")(
        lambda v: None if v is None else parse_duration(v)
    )

    @field_validator(
        "link_selector",
        "next_selector",
        "title_selector",
        "date_selector",
        "author_selector",
        "text_selector",
    )
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return None if value is None else check_css(value)

    @field_validator("allow")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _site_needs_links(self) -> Source:
        if self.kind == "site" and not self.link_selector:
            raise ValueError("kind 'site' needs link_selector (CSS of the article links)")
        return self

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(cls._http_url(url) for url in value)

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
