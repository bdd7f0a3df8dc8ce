"""``sources.yaml``: one entry per source to fetch.

A row is flat. The keys every source has are the fields of :class:`Source`; the rest belong to
its kind (a court's name, a site's selectors, …) and are kept as written in
:attr:`Source.options`, validated by the ``Options`` model of the spider that serves the kind
(:mod:`pipeline.config.kinds`). A new kind is a new spider: nothing to add here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from pipeline.config.models import SLUG_RE, _Model, check_http_url, parse_duration

KIND_RE = r"^[a-z][a-z0-9_]*$"
QUEUE_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class SourceOptions(_Model):
    """The keys one kind adds to a sources.yaml row (a court's name, a site's selectors, …):
    each spider declares its own as ``Options``, a subclass; a key it does not know is an
    error."""

    @classmethod
    def url_problem(cls, url: str) -> str:
        """Why a row's ``url`` is no address this kind reads ('' when it is one): a kind that
        reads one shape of page (a Telegram channel's preview) says so here."""
        return ""


class Source(_Model):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=SLUG_RE)
    kind: str = Field(pattern=KIND_RE)
    """A kind a spider serves (``feed``, ``site``, ``court_table``, …; checked on loading)."""
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
    queue: str | None = Field(default=None, pattern=QUEUE_RE, max_length=100)
    """``casewatch worker``: the job queue of this source's crawls (default ``default``); only
    workers started with ``--queue NAME`` take it — e.g. a portal that answers only from
    inside its country, crawled by a worker there. ``casewatch run`` ignores it."""
    keep_rows: Literal["all", "matched"] = "all"
    """Schedule sources: ``matched`` keeps only the rows a case or a watch matches (its
    category or article, a keyword, a name, a case number): a region- or country-wide scan
    lists thousands of hearings nobody follows."""

    _every = field_validator("every", mode="before")(
        lambda v: None if v is None else parse_duration(v)
    )
    _url = field_validator("url")(check_http_url)

    @property
    def options(self) -> dict[str, Any]:
        """The row's keys of its kind, as written (the spider's ``Options`` reads them)."""
        return dict(self.model_extra or {})
