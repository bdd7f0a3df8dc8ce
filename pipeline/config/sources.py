"""``sources.yaml``: one entry per source to fetch."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pipeline.config.models import SLUG_RE, _Model, check_css, parse_duration

SourceKind = Literal["feed", "news_search", "court_table", "office_sud_kz", "site"]


class SourceOptions(_Model):
    """The keys one kind adds to a sources.yaml row (a court's name, a site's selectors, …):
    each spider declares its own as ``Options``, a subclass; a key it does not know is an
    error."""


class Source(_Model):
    id: str = Field(pattern=SLUG_RE)
    kind: SourceKind
    url: str
    language: str | None = None
    every: timedelta | None = None
    enabled: bool = True
    name: str | None = None
    timezone: str | None = None
    cases: tuple[str, ...] = ()
    verified: bool = True
    notes: str | None = None
    full_text: Literal["auto", "always", "never"] = "auto"
    """Fetch article pages of new items: ``auto`` those that match or partly match a case (a
    keyword, a person or a context word) and those whose feed text is short; ``always`` every
    new item; ``never`` none (then no evidence is kept for this source's articles)."""
    # court_table: a court page that lists hearings in an HTML table
    court: str | None = None
    """The court's name (times on the page are in ``timezone``)."""
    selector: str | None = None
    """CSS selector of the schedule table; without it the table whose headers map best."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Header text → field (date, time, case_number, judge, parties, category, courtroom,
    status, stage) for headers the built-in ru/kk/en synonyms do not know."""
    # office_sud_kz: the public hearing schedule of office.sud.kz
    region: str | None = None
    """office.sud.kz region id (the value of the district-field option)."""
    court_ids: tuple[str, ...] = ()
    case_types: tuple[str, ...] = ()
    days_ahead: int = Field(default=14, ge=0, le=90)
    interface_language: Literal["ru", "kk"] = "ru"
    # site: a news site without a usable feed — listing page(s) → article pages (spiders/site.py)
    urls: tuple[str, ...] = ()
    """More listing pages read with ``url`` (sections, languages)."""
    link_selector: str | None = None
    """CSS selector of the article links on a listing page (``a`` elements, elements holding
    one, or ``…::attr(href)``); required for ``kind: site``."""
    next_selector: str | None = None
    """CSS selector of the next listing page's link; followed up to ``max_pages``."""
    max_pages: int = Field(default=1, ge=1, le=50)
    max_articles: int = Field(default=30, ge=1, le=500)
    """Article pages fetched per run (the newest first, as the listing orders them)."""
    allow: str | None = None
    """URL regex: links matching it are followed, on any host; without it, links on the
    listing's own site are."""
    title_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    text_selector: str | None = None
    """Field selectors override what the extractor finds (JSON-LD, meta tags, trafilatura)."""

    _every = field_validator("every", mode="before")(
        lambda v: None if v is None else parse_duration(v)
    )

    @field_validator(
        "link_selector",
        "next_selector",
        "title_selector",
        "date_selector",
        "author_selector",
        "text_selector",
    )
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return None if value is None else check_css(value)

    @field_validator("allow")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _site_needs_links(self) -> Source:
        if self.kind == "site" and not self.link_selector:
            raise ValueError("kind 'site' needs link_selector (CSS of the article links)")
        return self

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(cls._http_url(url) for url in value)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value
