"""``casewatch match "TEXT"``: does this text match my cases, and why (not)? Runs the matcher
ingest runs, on the cases of the config, without a database; ``--url`` matches a page fetched
now the way ``casewatch extract`` reads it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.context import AppContext, case_zone, configured_case
from pipeline.errors import ExtractError
from pipeline.output import printable

if TYPE_CHECKING:
    from pipeline.match.explain import Explanation

LANGUAGES = ("ru", "kk", "en")
_DETECT_CHARS = 2000
_KIND_WIDTH = 11


@dataclass(frozen=True, slots=True)
class Subject:
    """What is matched: the fields as ingest passes them, and where they came from."""

    fields: dict[str, str]
    language_hint: str = ""
    published_at: datetime | None = None
    url: str | None = None


@click.command("match")
@click.argument("text", required=False)
@click.option("--url", metavar="URL", help="Fetch this page; match its title and main text.")
@click.option("--case", "slug", metavar="SLUG", help="Only this case.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="The text's language (default: detected, as ingest does).",
)
@click.option("--title", metavar="TEXT", help="A headline, matched as an article's title.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds for the whole fetch of --url (connect, redirects, body).",
)
@click.pass_obj
def command(
    app: AppContext,
    text: str | None,
    url: str | None,
    slug: str | None,
    lang: str | None,
    title: str | None,
    fmt: str,
    timeout: float,
) -> None:
    """For each case: MATCH or no match, each term found and the form it was found as, and
    what was missing ("topic found, no context within 40 words"). TEXT '-' or none reads
    stdin. Terms of every language are looked for, as in ingest; the language picks the
    words for announced hearing dates and the terms a missing part names. Exit 0 whether or
    not anything matches; 2 on bad input (an unknown case, a page that cannot be fetched)."""
    from pipeline.match.cases import compile_cases
    from pipeline.match.explain import explain

    if url and (text is not None or title is not None):
        raise click.UsageError("give TEXT (and --title) or --url, not both")
    cases = (configured_case(app, slug),) if slug else app.config().cases
    subject = _page(url, timeout) if url else _text(text, title)
    if not any(v.strip() for v in subject.fields.values()):
        raise click.UsageError("nothing to match: the text is empty")
    language = lang or _detect(subject)
    explained = explain(compile_cases(cases), subject.fields, language)
    now = subject.published_at or app.clock()
    announced = {
        e.case: _announced(subject, language, now, case_zone(app, c))
        for e, c in zip(explained, cases, strict=True)
        if e.matched
    }
    titles = {c.slug: c.title for c in cases}
    if fmt == "json":
        obj = _json(subject, language, lang is None, explained, titles, announced)
        click.echo(json.dumps(printable(obj), ensure_ascii=False, indent=2))
        return
    for line in _lines(subject, language, lang is None, explained, titles, announced):
        click.echo(printable(line))


def _text(text: str | None, title: str | None) -> Subject:
    if text is None or text == "-":
        if sys.stdin.isatty():
            click.echo("casewatch: reading the text from stdin (end with Ctrl-D)", err=True)
        text = sys.stdin.read()
    return Subject({"title": title or "", "text": text})


def _page(url: str, timeout: float) -> Subject:
    """The page's title and main text, read as ``casewatch extract`` reads it; an error names
    the URL (without its secrets) and exits 2."""
    from pipeline.cli.commands.extract import DEFAULT_MAX_BYTES, fetch
    from pipeline.logs import redact_source
    from pipeline.parse.page import extract_page

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--url")
    try:
        body, content_type, final_url = fetch(url, max_bytes=DEFAULT_MAX_BYTES, timeout=timeout)
        page = extract_page(body, final_url, content_type=content_type)
    except ExtractError as exc:
        raise ExtractError(redact_source(f"cannot read {exc}", url)) from None
    return Subject(
        {"title": page.title, "text": page.text},
        language_hint=page.language or "",
        published_at=page.published,
        url=redact_source(final_url, url),
    )


def _detect(subject: Subject) -> str:
    from pipeline.normalize.language import detect

    joined = " ".join(v for v in subject.fields.values() if v)
    return detect(joined[:_DETECT_CHARS], subject.language_hint)


def _announced(subject: Subject, language: str, now: datetime, tz: str) -> list[dict[str, Any]]:
    """Hearing dates the text announces, as ingest reads them for a matched article (dates
    without a year placed after the page's publication date, else now)."""
    from pipeline.parse.announced import extract_announced

    text = "\n\n".join(v for v in subject.fields.values() if v)
    found = extract_announced(text, published_at=now, language=language, tz=tz)
    return [
        {
            "date": a.local_date.isoformat(),
            "time": a.local_time.strftime("%H:%M") if a.local_time else None,
            "timezone": tz,
            "kind": a.kind,
            "sentence": a.sentence,
        }
        for a in found
        if a.local_date is not None
    ]


# ---------------------------------------------------------------- output


def _lines(
    subject: Subject,
    language: str,
    detected: bool,
    explained: list[Explanation],
    titles: dict[str, str],
    announced: dict[str, list[dict[str, Any]]],
) -> list[str]:
    lines = [f"language: {language} ({'detected' if detected else '--lang'})"]
    if subject.url:
        lines.append(f"page: {subject.url}")
        lines.append(f"title: {subject.fields['title'] or '—'}")
    for e in explained:
        lines += ["", f"{e.case} — {titles[e.case]}", f"  {_verdict(e)}"]
        lines += [f"  {_hit_line(h.kind, h.term, h.found, h.field)}" for h in e.hits]
        lines += [f"  why not: {m}" for m in e.missing]
        lines += [
            f"  announces a hearing: {_when(a)} «{a['sentence']}»"
            for a in announced.get(e.case, ())
        ]
    return lines


def _verdict(e: Explanation) -> str:
    if not e.matched:
        return "no match"
    disabled = "" if e.enabled else "; the case is disabled: ingest skips it"
    return f"MATCH (score {e.score}; {e.rule}{disabled})"


def _hit_line(kind: str, term: str, found: str, field: str) -> str:
    shown = f"«{term}»" if found.casefold() == term.casefold() else f"«{term}» as «{found}»"
    return f"{kind:<{_KIND_WIDTH}} {shown} in {field}"


def _when(announced: dict[str, Any]) -> str:
    at = f" {announced['time']}" if announced["time"] else ""
    return f"{announced['date']}{at} ({announced['timezone']})"


def _json(
    subject: Subject,
    language: str,
    detected: bool,
    explained: list[Explanation],
    titles: dict[str, str],
    announced: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    return {
        "language": language,
        "language_detected": detected,
        "url": subject.url,
        "title": subject.fields.get("title") or None,
        "cases": [
            {
                "case": e.case,
                "title": titles[e.case],
                "matched": e.matched,
                "enabled": e.enabled,
                "score": e.score,
                "rule": e.rule or None,
                "hits": [
                    {"kind": h.kind, "term": h.term, "found": h.found, "field": h.field}
                    for h in e.hits
                ],
                "missing": list(e.missing),
                "announced": announced.get(e.case, []),
            }
            for e in explained
        ],
    }
