"""A :class:`Report` as Markdown or as printable HTML (one page a section, no script, no
external file, scraped text escaped, links only http(s)) — two templates over one model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.normalize.dates import readable_time
from pipeline.normalize.hearing_time import local_text
from pipeline.normalize.urls import http_url
from pipeline.output import printable
from pipeline.report.labels import summary_text, translator
from pipeline.report.model import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
"""Inline in the HTML report; the web app's Content-Security-Policy allows it by its hash."""
FORMATS = ("md", "html")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
"""What marks up inside a line (text never starts a line: a label or a bullet comes first)."""


def render_report(report: Report, fmt: str) -> str:
    """The report as ``fmt`` (md | html), in ``report.lang``."""
    env = _environment(report, fmt)
    return env.get_template(f"report.{fmt}.j2").render(
        r=report,
        s=report.summary,
        lead=summary_text(report.summary, report.lang),
        t=translator(report.lang),
    )


def _environment(report: Report, fmt: str) -> Environment:
    html = fmt == "html"
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tz = report.case.timezone
    env.filters["local"] = lambda moment: readable_time(moment, tz)
    env.filters["when"] = lambda h: local_text(h.scheduled_at, h.local_time, h.timezone)
    env.filters["http_url"] = http_url
    env.filters["clean"] = _clean
    if html:
        env.globals["css"] = Markup(CSS)
    else:
        env.filters["md"] = md_text
        env.filters["mdlink"] = md_link
        env.filters["code"] = md_code
    return env


def _clean(value: Any) -> str:
    """Text a person reads: one line, no control or invisible characters."""
    return " ".join(printable(str(value if value is not None else "")).split())


def md_text(value: Any) -> str:
    """Scraped text as literal Markdown: one line, every character that marks up escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(value))


def md_link(text: Any, url: str | None) -> str:
    """``[text](<url>)`` for an http(s) URL; else the text alone (never a link)."""
    label = md_text(text) or md_text(url)
    safe = http_url(url)
    if safe is None:
        return label
    target = quote(_clean(safe), safe="/:?&=#%@!$'()*+,;~.-_")
    return f"[{label}](<{target}>)"


def md_code(value: Any) -> str:
    """An identifier (a hash, a WARC record id) as inline code."""
    return f"`{_clean(value).replace('`', '')}`"
