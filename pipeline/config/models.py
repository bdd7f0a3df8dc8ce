"""What the config models share: a frozen strict base model and the field parsers
(durations, CSS selectors). The models are one module per file of the config folder:
:mod:`~pipeline.config.settings`, :mod:`~pipeline.config.sources`, :mod:`~pipeline.config.cases`
and :mod:`~pipeline.config.alerts`; :mod:`pipeline.config.load` reads the folder into them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

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


def check_http_url(value: str) -> str:
    """``value`` when it is an http(s) URL with a host and no ``user:password@``.

    Credentials in a URL would travel into errors, logs and pages; a key belongs in an
    environment variable, in a query parameter whose value casewatch hides."""
    if "@" in value.split("?", 1)[0].split("#", 1)[0].partition("://")[2].split("/", 1)[0]:
        raise ValueError(
            "user:password in the URL is refused (it would show in errors and logs); put a key"
            " in an environment variable and the query, e.g. ?token=${FEED_TOKEN} (hidden)"
        )
    if not re.match(r"^https?://[^\s/]+", value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise ValueError(f"expected an http(s) URL, got {shown!r}")
    return value


def locate(exc: ValidationError) -> list[tuple[str, str]]:
    """``(".field[0]", message)`` for each error of a validation."""
    out = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        out.append((loc, err["msg"].removeprefix("Value error, ")))
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration_field(value: Any) -> timedelta:
    return parse_duration(value)
