"""Channels: send one rendered message to one configured channel.

:class:`AppriseNotifier` sends through Apprise, except email URLs, which go through a kept
SMTP session (:mod:`pipeline.notify.smtp`) with the rendered text and HTML; the built-in
``console`` channel prints. Errors come back as :class:`SendResult` values, scrubbed of URLs
and secrets, never as exceptions.
"""

from __future__ import annotations

import inspect
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from pipeline.config.alerts import Channel
from pipeline.config.load import Config
from pipeline.notify.render import Message
from pipeline.notify.routing import CONSOLE
from pipeline.notify.smtp import SmtpSession, smtp_target

if TYPE_CHECKING:
    import apprise

log = logging.getLogger(__name__)

CONSOLE_URL = "console://"
CONSOLE_CHANNEL = Channel(id=CONSOLE, url=CONSOLE_URL)
_CONFIG_SUFFIXES = (".yml", ".yaml", ".txt", ".cfg", ".conf")
_ANY_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
MARKDOWN_SCHEMES = frozenset(
    {"mmost", "mmosts", "slack", "discord", "tgram", "matrix", "matrixs", "rocket", "rockets",
     "zulip", "msteams", "gotify", "gotifys", "ntfy", "ntfys", "json", "jsons"}
)  # fmt: skip
"""Chat services that show Markdown even where Apprise declares plain text (Mattermost)."""


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: str = ""
    """Readable and free of URLs and secrets."""
    channel_fault: bool = True
    """False when the message itself failed (it could not be rendered): the delivery fails for
    good with that reason, and the channel's health is not touched."""


class Notifier(Protocol):
    def send(self, channel: Channel, message: Message) -> SendResult: ...


def resolve_channel(config: Config, channel_id: str) -> Channel | None:
    """The usable channel with this id; the built-in console channel unless configured."""
    for channel in config.channels:
        if channel.id == channel_id:
            return channel if channel.enabled and channel.url.strip() else None
    return CONSOLE_CHANNEL if channel_id == CONSOLE else None


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

    Email URLs (``mailto://``, ``mailtos://``) go through :class:`SmtpSession`: one kept
    connection per channel, text and HTML as rendered. Other services get the body format
    they render: Markdown for chat (Slack, Mattermost, Telegram, Discord, JSON webhooks),
    else HTML, else plain text.
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
        self._smtp: dict[str, SmtpSession | None] = {}
        self._asset: apprise.AppriseAsset | None = None

    def send(self, channel: Channel, message: Message) -> SendResult:
        if channel.url == CONSOLE_URL:
            return print_message(message)
        session = self._smtp_session(channel)
        if session is not None:
            ok, error = session.send(message)
            return SendResult(ok, scrub(error, channel.url))
        client = self._client(channel)
        if client is None:
            return SendResult(False, "Apprise cannot use this channel's URL (check its scheme)")
        import apprise

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

    def close(self) -> None:
        """Close the kept SMTP connections (a new send reopens them)."""
        for session in self._smtp.values():
            if session is not None:
                session.close()

    def _smtp_session(self, channel: Channel) -> SmtpSession | None:
        key = f"{channel.id}\n{channel.url}"
        if key not in self._smtp:
            timeout = self._timeout.total_seconds() if self._timeout else 30.0
            target = smtp_target(channel.url, timeout)
            self._smtp[key] = SmtpSession(target) if target else None
        return self._smtp[key]

    def _client(self, channel: Channel) -> apprise.Apprise | None:
        key = f"{channel.id}\n{channel.url}"
        if key not in self._clients:
            self._clients[key] = self._build(channel)
        return self._clients[key]

    def _build(self, channel: Channel) -> apprise.Apprise | None:
        import apprise  # here, not at import: a run that sends nothing does not load it

        if self._asset is None:
            self._asset = apprise.AppriseAsset(
                app_id="casewatch",
                app_desc="casewatch trial-monitoring alerts",
                app_url="https://github.com/casewatch/casewatch",
                secure_logging=True,
            )
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
    import apprise

    formats = _formats(client[0]) if len(client) else ()
    schemes = _schemes(client[0]) if len(client) else set()
    if apprise.NotifyFormat.MARKDOWN in formats or schemes & MARKDOWN_SCHEMES:
        return message.body_markdown, apprise.NotifyFormat.MARKDOWN
    if apprise.NotifyFormat.HTML in formats:
        return message.body_html, apprise.NotifyFormat.HTML
    return message.body_text, apprise.NotifyFormat.TEXT


def _schemes(plugin: Any) -> set[str]:
    found: set[str] = set()
    for attr in ("protocol", "secure_protocol"):
        value = getattr(plugin, attr, None)
        found.update([value] if isinstance(value, str) else list(value or ()))
    return found


def _formats(plugin: Any) -> tuple[str, ...]:
    declared = plugin.notify_format
    values = declared if isinstance(declared, (list, tuple, set)) else (declared,)
    import apprise

    return tuple(apprise.NotifyFormat(v) for v in values)


@lru_cache(maxsize=1)
def _notify_takes_timeout() -> bool:
    """Apprise 2 takes a per-call ``timeout``; 1.9 does not."""
    import apprise

    return "timeout" in inspect.signature(apprise.Apprise.notify).parameters


def _error_text(logged: str) -> str:
    lines = list(dict.fromkeys(line.strip() for line in logged.splitlines() if line.strip()))
    return "; ".join(lines) or "Apprise reported a failure without a reason"


def print_message(message: Message) -> SendResult:
    """The console channel: the alert's subject and plain text on stdout. rich is imported
    here: a service that never prints to the console does not keep it (``pipeline.output``)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(markup=False, highlight=False, emoji=False, soft_wrap=True)
    console.rule(Text(message.title, style="bold"))
    console.print(Text(message.body_text))
    return SendResult(True)
