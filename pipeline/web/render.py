"""HTML rendering: one autoescaping Jinja2 environment, the stylesheet, the page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.events.kinds import kind_of
from pipeline.normalize.dates import readable_time
from pipeline.normalize.hearing_time import local_text
from pipeline.web.i18n import pick_language, translator
from pipeline.web.searching import snippet_parts
from pipeline.web.security import http_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (TEMPLATES / "style.css").read_text(encoding="utf-8")
"""Served inline in every page; the CSP allows exactly this block by its hash."""


def kind_label(name: str, lang: str) -> str:
    """An event kind as the page's language calls it (the registry's label); an unknown
    kind (an old row) shows its name."""
    known = kind_of(name)
    return known.label(lang) if known else name


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
        self.env.filters["local"] = readable_time
        self.env.filters["http_url"] = http_url
        self.env.filters["when"] = hearing_when
        self.env.filters["snippet_parts"] = snippet_parts
        self.env.filters["kind_label"] = kind_label
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
