"""Logging for the CLI and the service: text or JSON lines on stderr, never a secret.

``--log-format json`` (or ``CASEWATCH_LOG_FORMAT=json`` / ``log_format: json``) writes one JSON
object per line (python-json-logger) with ``time``, ``level``, ``logger``, ``message`` and any
``extra`` fields, for a log collector. Every record passes :class:`Redactor` first: the
credentials in a URL (``user:password@``), secret-looking query parameters, every Apprise URL
that is not plain http(s) (their paths carry tokens) and any configured channel URL are
replaced by ``<hidden>``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
HIDDEN = "<hidden>"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s'\"<>]+)")
_USERINFO = re.compile(r"^[^/@?#]*@")
_SECRET_PARAM = re.compile(
    r"([?&;](?:pass(?:word)?|pwd|token|secret|key|apikey|api_key|auth|sig|signature|"
    r"access_token|webhook)=)[^&#\s]*",
    re.IGNORECASE,
)
_BARE_USERINFO = re.compile(r"(?<![\w/<>])[^\s/:@<>'\"]+:[^\s/@<>'\"]+@(?=[\w.-])")
"""``user:password@host`` outside a URL, as in Scrapy's 'invalid hostname: user:pw@host'."""
_PLAIN_SCHEMES = {"http", "https", "file", "postgresql", "sqlite", "postgresql+psycopg"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with known secrets and the secret parts of URLs replaced by ``<hidden>``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    return _BARE_USERINFO.sub(f"{HIDDEN}@", _URL.sub(_redact_url, text))


def _redact_url(match: re.Match[str]) -> str:
    scheme, rest = match.group(1), match.group(2)
    if scheme.lower() not in _PLAIN_SCHEMES:
        return f"{scheme}://{HIDDEN}"
    rest = _USERINFO.sub(f"{HIDDEN}@", rest)
    rest = _SECRET_PARAM.sub(lambda m: m.group(1) + HIDDEN, rest)
    return f"{scheme}://{rest}"


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of ``url`` never to be shown, even outside URL form (an error may print
    ``invalid hostname: user:password@host``): its userinfo and password, and the values of
    secret-looking query parameters."""
    try:
        parts = urlsplit(url.strip())
        password = parts.password
    except ValueError:
        return ()
    userinfo = parts.netloc.rpartition("@")[0]
    found = {userinfo, password or "", unquote(password or "")}
    found.update(
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if _SECRET_PARAM.match(f"?{name}=")
    )
    return tuple(sorted((s for s in found if len(s) >= 4), key=len, reverse=True))


SECRET_HEADERS = frozenset(
    {"set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization"}
)
"""Headers never kept or shown: a session cookie is as good as a login."""


def without_secret_headers(
    pairs: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
) -> tuple[tuple[str, str], ...]:
    """Header (name, value) pairs without cookies and credentials, the rest :func:`redact`-ed."""
    secrets = tuple(secrets)
    return tuple(
        (name, redact(value, secrets))
        for name, value in pairs
        if name.lower() not in SECRET_HEADERS
    )


def redact_source(text: str, url: str) -> str:
    """``text`` (an error, a URL) about the source at ``url``, with none of its secrets."""
    return redact(text, url_secrets(url))


class Redactor(logging.Filter):
    """Rewrites each record's message (arguments merged in) with :func:`redact`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def formatter(fmt: LogFormat) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter(
            JSON_FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def level_for(verbose: int) -> int:
    """Quiet by default (the summary lines say what happened): -v info, -vv debug."""
    return (logging.ERROR, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def configure_logging(
    verbose: int = 0,
    fmt: LogFormat = "text",
    secrets: Iterable[str] = (),
    *,
    level: int | None = None,
) -> logging.Handler:
    """One stderr handler on the root logger whose own level filters (Scrapy resets the root
    logger's level); Scrapy's own chatter stays at WARNING below -vv. Returns the handler."""
    chosen = level if level is not None else level_for(verbose)
    handler = logging.StreamHandler()
    handler.setLevel(chosen)
    handler.setFormatter(formatter(fmt))
    handler.addFilter(Redactor(secrets))
    for old in [h for h in logging.root.handlers if getattr(h, "casewatch", False)]:
        logging.root.removeHandler(old)
    handler.casewatch = True  # type: ignore[attr-defined]
    logging.root.addHandler(handler)
    logging.root.setLevel(chosen)
    global _library_level
    _library_level = logging.DEBUG if verbose >= 2 else max(chosen, logging.WARNING)
    quiet_libraries()
    if verbose < 2:
        handler.addFilter(_no_reported_errors)
    return handler


LIBRARIES = ("scrapy", "apscheduler", "twisted", "py.warnings")
_library_level: int | None = None
"""The level :func:`configure_logging` chose for the libraries' loggers (None: not called)."""


def quiet_libraries() -> None:
    """The libraries' loggers back at the level :func:`configure_logging` chose. A Scrapy
    crawler process sets ``scrapy`` to DEBUG when it starts (its ``dictConfig``): every item
    then made a "Scraped from" record no handler shows (≈ 2 % of a first run's CPU)."""
    if _library_level is not None:
        for name in LIBRARIES:
            logging.getLogger(name).setLevel(_library_level)


REPORTED_ELSEWHERE = (
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.retry",
)
"""Scrapy's loggers whose errors the run reports itself, once, by source."""


def _no_reported_errors(record: logging.LogRecord) -> bool:
    """A robots.txt that cannot be fetched is no error of its own: Scrapy goes on with the
    request, whose failure is the one reported (by source, in one line), not a traceback; and
    "Gave up retrying <GET …>" is that same failure, which the source's line already names.
    A filter on the handler, since Scrapy resets its loggers' levels when a crawl starts."""
    return not record.name.startswith(REPORTED_ELSEWHERE)


def extra(**fields: Any) -> dict[str, Any]:
    """``log.info(msg, extra=extra(source=…))``: fields a JSON log line carries as keys."""
    return {k: v for k, v in fields.items() if v is not None}
