"""Send the due deliveries of the outbox and record each outcome.

Each delivery runs in three short steps: claim it (one transaction), render and send it (no
transaction open while the network is used), record the outcome (one transaction). A send
that fails stays pending and is retried after ``backoff * 2**(attempts-1)`` (at most
``max_backoff``); after ``max_attempts`` attempts it is ``failed``. A delivery marked sent is
never sent again: every update is conditional on ``status = 'pending'``.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
from rich.console import Console
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import Channel, Config, DeliverySettings
from pipeline.notify.render import EventView, Message, render
from pipeline.notify.routing import CONSOLE, language_for
from pipeline.store import outbox

log = logging.getLogger(__name__)

CONSOLE_URL = "console://"
CONSOLE_CHANNEL = Channel(id=CONSOLE, url=CONSOLE_URL)
ERROR_LIMIT = 500
_CONFIG_SUFFIXES = (".yml", ".yaml", ".txt", ".cfg", ".conf")
_ANY_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: str = ""
    """Readable and free of URLs and secrets."""


class Notifier(Protocol):
    def send(self, channel: Channel, message: Message) -> SendResult: ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    """Sent in this run."""
    failed: int
    """Given up on in this run (reached ``max_attempts``)."""
    retried: int
    """Failed in this run and left pending for a later attempt."""
    pending: int
    """Pending in the whole outbox after this run (due now or later)."""


@dataclass(frozen=True, slots=True)
class _Due:
    id: int
    channel: str
    attempts: int
    event: EventView


def deliver_pending(
    sessions: sessionmaker[Session],
    config: Config,
    *,
    clock: Callable[[], datetime],
    notifier: Notifier | None = None,
    limit: int | None = None,
) -> DeliveryReport:
    """Send every due pending delivery (at most ``limit``) once, in id order."""
    settings = config.settings.delivery
    notifier = notifier or AppriseNotifier(
        timeout=settings.timeout, min_interval=settings.min_interval
    )
    outcomes = Counter(
        _deliver_one(sessions, config, notifier, clock, item)
        for item in _load_due(sessions, clock(), limit)
    )
    with sessions() as session:
        pending = outbox.counts(session)[outbox.PENDING]
    report = DeliveryReport(outcomes["sent"], outcomes["failed"], outcomes["retried"], pending)
    if sum(outcomes.values()):
        log.info("deliveries: %s", report)
    return report


def next_attempt_delay(attempts: int, settings: DeliverySettings) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: exponential, capped."""
    exponent = min(max(attempts - 1, 0), 32)
    return min(settings.backoff * 2**exponent, settings.max_backoff)


def _load_due(sessions: sessionmaker[Session], now: datetime, limit: int | None) -> list[_Due]:
    with sessions() as session:
        rows = outbox.due(session, now, limit)
        events = outbox.events_by_id(session, (row.event_id for row in rows))
        return [
            _Due(row.id, row.channel, row.attempts, EventView.of(events[row.event_id]))
            for row in rows
            if row.event_id in events
        ]


def _deliver_one(
    sessions: sessionmaker[Session],
    config: Config,
    notifier: Notifier,
    clock: Callable[[], datetime],
    item: _Due,
) -> str:
    settings = config.settings.delivery
    now = clock()
    with sessions.begin() as session:
        if not outbox.claim(
            session, item.id, now, now + max(settings.timeout * 2, settings.backoff)
        ):
            return "skipped"
    result = _attempt(config, notifier, item)
    done = clock()
    with sessions.begin() as session:
        if result.ok:
            outbox.mark_sent(session, item.id, done)
            return "sent"
        attempts = item.attempts + 1
        give_up = attempts >= settings.max_attempts
        retry_at = done + next_attempt_delay(attempts, settings)
        outbox.mark_failed(session, item.id, result.error, retry_at, give_up=give_up)
    state = "failed for good" if give_up else "failed, will retry"
    log.warning(
        "delivery %d (%s) attempt %d %s: %s",
        item.id,
        item.event.kind,
        attempts,
        state,
        result.error,
    )
    return "failed" if give_up else "retried"


def _attempt(config: Config, notifier: Notifier, item: _Due) -> SendResult:
    """Render and send one delivery; any error becomes a readable failed result."""
    channel = resolve_channel(config, item.channel)
    if channel is None:
        return SendResult(False, f"{item.channel}: channel is not in alerts.yaml or is disabled")
    kind, case = item.event.kind, item.event.case_slug
    try:
        message = render(
            item.event,
            language=language_for(kind, case, channel.id, config),
            timezone=_timezone(config, case),
        )
        result = notifier.send(channel, message)
    except Exception as exc:  # a bug in one delivery must not stop the others
        result = SendResult(False, f"{type(exc).__name__}: {exc}")
        crash = scrub(result.error, channel.url)
        log.error("delivery %d to channel %s crashed: %s", item.id, channel.id, crash)
    if result.ok:
        return result
    error = scrub(result.error or "the notifier reported a failure", channel.url)
    return SendResult(False, f"{channel.id}: {error}"[:ERROR_LIMIT])


def resolve_channel(config: Config, channel_id: str) -> Channel | None:
    """The usable channel with this id; the built-in console channel unless configured."""
    for channel in config.channels:
        if channel.id == channel_id:
            return channel if channel.enabled and channel.url.strip() else None
    return CONSOLE_CHANNEL if channel_id == CONSOLE else None


def _timezone(config: Config, case_slug: str | None) -> str:
    case = next((c for c in config.cases if c.slug == case_slug), None)
    return case.timezone if case else config.settings.timezone


# ---------------------------------------------------------------- error text without secrets


def scrub(text: str, url: str) -> str:
    """``text`` with the channel URL, its credentials, tokens and any other URL removed.

    Host names with a dot (``smtp.example.org``, ``127.0.0.1``) stay: they make an error
    readable and are not secret. Hosts without one are tokens (``tgram://BOT_TOKEN/…``).
    """
    if url.strip():
        text = text.replace(url.strip(), "<url>")
    for secret in sorted(_secret_parts(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _ANY_URL.sub("<url>", text)
    return " ".join(text.split())


def _secret_parts(url: str) -> set[str]:
    parts: set[str] = set()
    try:
        split = urlsplit(url.strip())
        host = split.hostname or ""
        short = [split.username or "", split.password or ""]
    except ValueError:
        return parts
    long = [split.fragment, *([host, split.netloc] if "." not in host else [])]
    long += [segment for segment in split.path.split("/")]
    long += [value for _key, value in parse_qsl(split.query, keep_blank_values=False)]
    found = [p for p in short if len(p) >= 3] + [p for p in long if len(p) >= 6]
    return parts | set(found) | {unquote(p) for p in found}


# ---------------------------------------------------------------- the Apprise notifier


class AppriseNotifier:
    """Sends through Apprise: one ``Apprise`` object per channel, kept for this notifier's life.

    The body format follows what the service renders: Markdown for chat services that take
    it (Slack, Telegram, Discord, JSON webhooks), else HTML (email: Apprise sends
    multipart/alternative with a plain-text part derived from the HTML), else plain text.
    A channel URL may also be an Apprise config file (YAML/text); the channel's ``tags``
    then select entries in it. The built-in ``console`` channel prints to stdout.

    Apprise paces each service object: by default at least 5.5 s between two emails through
    the same channel, less for chat services. ``min_interval`` replaces that pause for every
    service (``timedelta(0)``: none, e.g. for a local relay); ``None`` keeps Apprise's.
    """

    def __init__(
        self, *, timeout: timedelta | None = None, min_interval: timedelta | None = None
    ) -> None:
        self._timeout = timeout
        self._min_interval = min_interval
        self._clients: dict[str, apprise.Apprise | None] = {}
        self._asset = apprise.AppriseAsset(
            app_id="casewatch",
            app_desc="casewatch trial-monitoring alerts",
            app_url="https://github.com/casewatch/casewatch",
            secure_logging=True,
        )

    def send(self, channel: Channel, message: Message) -> SendResult:
        if channel.url == CONSOLE_URL:
            return print_message(message)
        client = self._client(channel)
        if client is None:
            return SendResult(False, "Apprise cannot use this channel's URL (check its scheme)")
        body, body_format = choose_body(client, message)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            result = client.notify(
                body=body,
                title=message.title,
                body_format=body_format,
                tag=list(channel.tags) or apprise.common.MATCH_ALL_TAG,
                **self._timeout_kwargs(),
            )
        if result:
            return SendResult(True)
        return SendResult(False, scrub(_error_text(captured.getvalue()), channel.url))

    def _client(self, channel: Channel) -> apprise.Apprise | None:
        key = f"{channel.id}\n{channel.url}"
        if key not in self._clients:
            self._clients[key] = self._build(channel)
        return self._clients[key]

    def _build(self, channel: Channel) -> apprise.Apprise | None:
        client = apprise.Apprise(asset=self._asset)
        url = channel.url.strip()
        if "://" not in url or url.startswith("file://") or url.endswith(_CONFIG_SUFFIXES):
            source: Any = apprise.AppriseConfig(asset=self._asset)
            if not source.add(url):
                source = None
        else:
            source = url
        if source is None or not client.add(source, tag=list(channel.tags) or None):
            log.warning("channel %s: Apprise cannot use its URL; deliveries will fail", channel.id)
            return None
        if self._min_interval is not None:
            for service in client:
                service.request_rate_per_sec = self._min_interval.total_seconds()
        return client

    def _timeout_kwargs(self) -> dict[str, Any]:
        if self._timeout and _notify_takes_timeout():
            return {"timeout": self._timeout.total_seconds()}
        return {}


def choose_body(client: apprise.Apprise, message: Message) -> tuple[str, str]:
    """The message body and its Apprise format for the first service in ``client``."""
    formats = _formats(client[0]) if len(client) else ()
    if apprise.NotifyFormat.MARKDOWN in formats:
        return message.body_markdown, apprise.NotifyFormat.MARKDOWN
    if apprise.NotifyFormat.HTML in formats:
        return message.body_html, apprise.NotifyFormat.HTML
    return message.body_text, apprise.NotifyFormat.TEXT


def _formats(plugin: Any) -> tuple[str, ...]:
    declared = plugin.notify_format
    values = declared if isinstance(declared, (list, tuple, set)) else (declared,)
    return tuple(apprise.NotifyFormat(v) for v in values)


@lru_cache(maxsize=1)
def _notify_takes_timeout() -> bool:
    """Apprise 2 takes a per-call ``timeout``; 1.9 does not."""
    return "timeout" in inspect.signature(apprise.Apprise.notify).parameters


def _error_text(logged: str) -> str:
    lines = list(dict.fromkeys(line.strip() for line in logged.splitlines() if line.strip()))
    return "; ".join(lines) or "Apprise reported a failure without a reason"


def print_message(message: Message) -> SendResult:
    """The console channel: the alert's subject and plain text on stdout."""
    console = Console(markup=False, highlight=False, emoji=False, soft_wrap=True)
    console.rule(Text(message.title, style="bold"))
    console.print(Text(message.body_text))
    return SendResult(True)
