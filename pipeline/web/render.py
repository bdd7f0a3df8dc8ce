"""HTML rendering: one autoescaping Jinja2 environment, the stylesheet, the page context."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.normalize.hearing_time import local_text
from pipeline.web.i18n import pick_language, translator
from pipeline.web.searching import snippet_parts
from pipeline.web.security import http_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (TEMPLATES / "style.css").read_text(encoding="utf-8")
"""Served inline in every page; the CSP allows exactly this block by its hash."""


def utc_text(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def hearing_when(hearing: Any) -> str:
    return local_text(hearing.scheduled_at, hearing.local_time, hearing.timezone)


class Renderer:
    """Templates with autoescape on for every file; scraped text is never marked safe."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["utc"] = utc_text
        self.env.filters["http_url"] = http_url
        self.env.filters["when"] = hearing_when
        self.env.filters["snippet_parts"] = snippet_parts
        self.env.globals["css"] = Markup(CSS)

    def page(
        self, request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = pick_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        explicit = request.query_params.get("lang") == lang
        html = self.env.get_template(template).render(
            lang=lang,
            t=translator(lang),
            link=_linker(lang if explicit else None),
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers={"Content-Language": lang})


def _linker(lang: str | None) -> Any:
    """``link('/search', q='x')``: a same-site URL keeping an explicit ``?lang=``."""

    def link(path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if lang is not None and "lang" not in query:
            query["lang"] = lang
        return f"{path}?{urlencode(query)}" if query else path

    return link
