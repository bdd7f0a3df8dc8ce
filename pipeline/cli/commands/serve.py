"""``casewatch serve``: the read-only web dashboard, JSON API and calendar/Atom feeds."""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlsplit

import click

from pipeline.cli.context import AppContext, configured_sources
from pipeline.errors import ConfigError

DEFAULT_TOKEN_ENV = "CASEWATCH_WEB_TOKEN"


class RedactToken(logging.Filter):
    """Access-log lines never show a ``?token=`` value."""

    _TOKEN = re.compile(r"([?&]token=)[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                self._TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def resolve_token(host: str, token_env: str) -> str | None:
    """The token from ``token_env``; required when the host is not loopback."""
    from pipeline.web.security import MIN_TOKEN_LENGTH, is_loopback  # loads FastAPI

    token = os.environ.get(token_env) or None
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"serve --host {host}: not a loopback address (only localhost, 127.0.0.0/8 and ::1 "
            "are), so an access token is required: "
            f"set {token_env} (or pass --token-env NAME)"
        )
    if token is not None and not (token.isascii() and token.isprintable() and " " not in token):
        raise ConfigError(f"{token_env}: the access token must be printable ASCII without spaces")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"{token_env}: the access token is too short ({len(token)} characters): use at "
            f"least {MIN_TOKEN_LENGTH}, e.g. from python3 -c 'import secrets; "
            "print(secrets.token_urlsafe())'"
        )
    return token


def checked_base_url(url: str) -> str:
    """``--base-url`` without a trailing slash; an http(s) URL with a host and no query."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        bad = parts.scheme not in ("http", "https") or not parts.hostname or parts.port == 0
    except ValueError:
        bad = True
    if bad or parts.query or parts.fragment:
        raise click.BadParameter(
            f"{url!r}: give an http(s) URL with a host, e.g. https://casewatch.example.org",
            param_hint="--base-url",
        )
    return url.strip().rstrip("/")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-env",
    default=DEFAULT_TOKEN_ENV,
    show_default=True,
    metavar="NAME",
    help="Environment variable holding the access token (required off loopback).",
)
@click.option(
    "--domain",
    default="casewatch.local",
    show_default=True,
    help="Domain naming calendar UIDs and feed ids; keep it once people subscribe.",
)
@click.option(
    "--base-url",
    default="",
    envvar="CASEWATCH_BASE_URL",
    metavar="URL",
    help="Public address (https://host[/prefix]) for the absolute links in feeds; without it "
    "they are relative. Env: CASEWATCH_BASE_URL.",
)
@click.pass_obj
def command(
    app: AppContext, host: str, port: int, token_env: str, domain: str, base_url: str
) -> None:
    """Serve the read-only dashboard, JSON API (/api, /openapi.json) and feeds."""
    import uvicorn

    from pipeline.web import WebDeps, create_app

    token = resolve_token(host, token_env)
    base_url = checked_base_url(base_url)
    config = app.config()
    deps = WebDeps(
        sessions=app.sessions(write=False),
        sources=configured_sources(config),
        token=token,
        clock=app.clock,
        domain=domain,
        base_url=base_url,
        config=config,
    )
    logging.getLogger("uvicorn.access").addFilter(RedactToken())
    click.echo(
        f"casewatch: serving http://{host}:{port}/ "
        f"({'token required' if token else 'no token: loopback only'})",
        err=True,
    )
    uvicorn.run(create_app(deps), host=host, port=port, log_level="info")
