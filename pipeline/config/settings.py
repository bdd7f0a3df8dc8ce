"""``settings.yaml``: service-wide settings (fetching, news search, delivery, evidence)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from pipeline.config.models import _duration_field, _Model, parse_duration


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
    max_per_hour: int = Field(default=60, ge=0)
    """Alerts one channel sends in an hour one by one; the rest of a run's due alerts for it go
    out as one digest saying how many were folded (never dropped). 0 = no limit."""
    digest_entries: int = Field(default=200, ge=1)
    """Alerts listed in one digest; a longer digest says how many more there are."""

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


class WorkerSettings(_Model):
    """``casewatch worker`` (several machines on one PostgreSQL, Procrastinate jobs).

    ``tick``: how often the workers look for due sources (and stalled jobs); the periodic
    jobs' schedules are cron lines, so this and the ``service.*_every`` intervals are rounded
    down to a step that divides the minute (under a minute), the hour or the day.
    ``heartbeat``: how often a worker tells the database it is alive; ``stalled_after``: a
    worker silent this long is dead, and its running jobs are retried by another (twice
    ``heartbeat`` when set shorter). ``concurrency``: jobs one worker runs
    at once (``--concurrency``). ``poll``: the longest a waiting job goes unnoticed when a
    database notification is lost."""

    tick: timedelta = timedelta(minutes=1)
    heartbeat: timedelta = timedelta(seconds=10)
    stalled_after: timedelta = timedelta(minutes=1)
    concurrency: int = Field(default=4, ge=1)
    poll: timedelta = timedelta(seconds=5)

    _durations = field_validator("tick", "heartbeat", "stalled_after", "poll", mode="before")(
        _duration_field
    )

    @field_validator("tick", "heartbeat", "stalled_after", "poll")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than 0s")
        return value

    @property
    def silent_for(self) -> timedelta:
        """``stalled_after``, but never under two heartbeats: shorter, a live worker would
        look dead between two of them and have its jobs run a second time by another."""
        return max(self.stalled_after, self.heartbeat * 2)


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
    parse_budget: timedelta = timedelta(seconds=20)
    """CPU time one document's parse may use (a page, a feed, a table); a parse over it is
    abandoned and its source fails with a named error. Parses run off the fetching loop."""
    fast_feeds: bool = True
    """Read feeds with the guarded feedparser-rs fast path where it is provably identical
    (``pipeline.parse.feeds_fast``; ~5× faster parsing), feedparser on any doubt; ``false``:
    feedparser alone. Which source of a run is stored first does not change what is alerted:
    an outlet's own copy of an article first stored under an undecodable Google News link
    takes its place and its unsent alert (``pipeline.ingest.takeover``)."""
    failing_after: int = Field(default=3, ge=1)
    reminder_before: timedelta = timedelta(hours=24)
    """A ``hearing.reminder`` goes out this long before a tracked hearing (once per time)."""
    failing_backoff_max: timedelta = timedelta(hours=6)
    """A failing source waits its interval × 2^(failures-1) between runs, at most this long."""
    empty_failure_after: int = Field(default=5, ge=0)
    """An empty fetch of a source whose last N fetches all had items counts as a failure
    (0: never)."""
    log_format: Literal["text", "json"] = "text"
    max_alerts_per_source_run: int = Field(default=100, ge=0)
    """Article alerts one fetch of one source makes one by one; past it, the rest of that
    fetch is one ``articles.folded`` alert per case saying how many (0 = no limit). Hearing
    alerts are never folded."""
    news_search: NewsSearchSettings = NewsSearchSettings()
    delivery: DeliverySettings = DeliverySettings()
    evidence: EvidenceSettings = EvidenceSettings()
    service: ServiceSettings = ServiceSettings()
    workers: WorkerSettings = WorkerSettings()

    _durations = field_validator(
        "default_every", "download_timeout", "download_delay", "reminder_before",
        "failing_backoff_max", "parse_budget", mode="before",
    )(_duration_field)  # fmt: skip

    @field_validator("parse_budget")
    @classmethod
    def _positive_budget(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than 0s")
        return value
