"""``casewatch extract FILE_OR_URL``: what the extractor reads on one page — the tool a monitor
uses to check a source before adding it (or to see why an article was not matched)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.errors import ExtractError
from pipeline.output import printable

if TYPE_CHECKING:
    import httpx

    from pipeline.parse.page import ExtractedPage

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
_TABLE_TEXT_CHARS = 500
_VALUE_WIDTH = 100


def page_object(page: ExtractedPage) -> dict[str, Any]:
    """The JSON object ``extract`` prints (DESIGN.md: title, published_at, modified_at, author,
    language, text — plus the URL, canonical URL, lead and where each field came from)."""
    return {
        "url": page.url,
        "canonical_url": page.canonical_url,
        "title": page.title,
        "published_at": page.published.isoformat() if page.published else None,
        "modified_at": page.modified.isoformat() if page.modified else None,
        "author": page.author,
        "language": page.language,
        "first_paragraph": page.first_paragraph,
        "text": page.text,
        "sources": dict(page.sources),
    }


def fetch(url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str | None, str]:
    """(body, Content-Type, final URL) of a plain GET; errors name the URL.

    ``timeout`` bounds the whole fetch — connecting, redirects and the body — not each read:
    a server sending a byte a second never trips a read timeout. The fetch runs in a daemon
    thread that is abandoned at the deadline (it also stops itself between chunks)."""
    deadline = time.monotonic() + timeout
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append(_fetch(url, max_bytes=max_bytes, timeout=timeout, deadline=deadline))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="casewatch-extract-fetch", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise ExtractError(_timed_out(url, timeout))
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]  # type: ignore[no-any-return]


def _timed_out(url: str, timeout: float) -> str:
    return f"{url}: timed out: no complete answer within {timeout:g}s (--timeout)"


def _fetch(
    url: str, *, max_bytes: int, timeout: float, deadline: float
) -> tuple[bytes, str | None, str]:
    import httpx

    from pipeline.scrapy_settings import USER_AGENT

    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    }
    try:
        with (
            httpx.Client(
                follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout, headers=headers
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise ExtractError(f"{url}: HTTP {response.status_code}")
            body = _read_capped(response, url, max_bytes, deadline, timeout)
            return body, response.headers.get("Content-Type"), str(response.url)
    except httpx.TooManyRedirects as exc:
        raise ExtractError(f"{url}: redirect loop (more than {MAX_REDIRECTS} redirects)") from exc
    except httpx.UnsupportedProtocol as exc:  # the URL given is http(s): a redirect left it
        raise ExtractError(f"{url}: redirect to a non-http(s) URL refused") from exc
    except httpx.TimeoutException as exc:
        raise ExtractError(_timed_out(url, timeout)) from exc
    except httpx.HTTPError as exc:
        raise ExtractError(f"{url}: {type(exc).__name__}: {exc}") from exc


def _read_capped(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ExtractError(f"{url}: body over {max_bytes} bytes cap")
        if time.monotonic() > deadline:
            raise ExtractError(_timed_out(url, timeout))
        chunks.append(chunk)
    return b"".join(chunks)


def read_file(path: Path, max_bytes: int) -> bytes:
    try:
        if path.stat().st_size > max_bytes:
            raise ExtractError(f"{path}: file over {max_bytes} bytes cap")
        return path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read ({exc.strerror or exc})") from exc


_FIELD_SOURCE = {"published_at": "published", "modified_at": "modified"}


def table_rows(page: ExtractedPage) -> list[dict[str, Any]]:
    """One row per field with the method that found it; the text shortened."""
    obj = page_object(page)
    text, sources = obj.pop("text"), obj.pop("sources")
    rows = [
        {"field": key, "value": value, "from": sources.get(_FIELD_SOURCE.get(key, key), "")}
        for key, value in obj.items()
    ]
    shown = text if len(text) <= _TABLE_TEXT_CHARS else text[:_TABLE_TEXT_CHARS] + "…"
    rows.append(
        {"field": f"text ({len(text)} chars)", "value": shown, "from": sources.get("text", "")}
    )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table("field", "value", "from", show_lines=False)
    table.columns[1].max_width = _VALUE_WIDTH
    table.columns[1].overflow = "fold"
    for row in rows:
        value = row["value"]
        table.add_row(row["field"], Text("" if value is None else str(value)), row["from"])
    Console(width=_VALUE_WIDTH + 40).print(table)


@click.command("extract")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--url", "page_url", metavar="URL", help="The page's address, for a saved FILE.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option("--content-type", metavar="TYPE", help="Content-Type of a saved FILE (its charset).")
@click.option("--tz", metavar="ZONE", help="Zone of times printed without one (default: by host).")
@click.option(
    "--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds for the whole fetch of a URL (connect, redirects, body).",
)
def command(
    target: str,
    page_url: str | None,
    fmt: str,
    content_type: str | None,
    tz: str | None,
    max_bytes: int,
    timeout: float,
) -> None:
    """Print the title, dates, author, language and main text found on a saved page (FILE) or
    a page fetched now (URL)."""
    from pipeline.parse.page import extract_page  # trafilatura: only when a page is read

    if target.startswith(("http://", "https://")):
        body, served_type, final_url = fetch(target, max_bytes=max_bytes, timeout=timeout)
        url, content_type = page_url or final_url, content_type or served_type
    else:
        path = Path(target)
        body = read_file(path, max_bytes)
        url = page_url or path.resolve().as_uri()
    try:
        page = extract_page(body, url, content_type=content_type, tz=tz)
    except ExtractError as exc:
        problem = str(exc).removeprefix(f"{url}: ")
        raise ExtractError(f"{target}: {problem}") from exc
    if fmt == "json":
        click.echo(json.dumps(printable(page_object(page)), ensure_ascii=False, indent=2))
    else:
        print_table(printable(table_rows(page)))
