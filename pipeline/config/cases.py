"""``cases.yaml``: the cases to watch, their people and their terms."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from pipeline.config.models import SLUG_RE, _Model


class Person(_Model):
    name: str
    role: str = "other"
    variants: tuple[str, ...] = ()
    alone: bool = True
    """True: the name alone identifies the case. False: it only counts as context."""


Terms = dict[str, tuple[str, ...]]


class Case(_Model):
    slug: str = Field(pattern=SLUG_RE)
    title: str
    description: str | None = None
    keywords: Terms = Field(default_factory=dict)
    """Topic terms per language; a hit needs a ``require`` hit too when ``require`` is set."""
    require: Terms = Field(default_factory=dict)
    """Context terms per language (co-occurrence): place, event, institution."""
    people: tuple[Person, ...] = ()
    courts: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    """Articles of the criminal code, e.g. '146'; a mention counts as a topic hit."""
    exclude: tuple[str, ...] = ()
    search: Terms = Field(default_factory=dict)
    """News-search queries per language; default: the first keywords of each language."""
    timezone: str = "Asia/Almaty"
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    """The language the case's reports are written in (``casewatch report``: ru or en; any
    other, or none: English)."""
    enabled: bool = True

    @field_validator("keywords", "require", "search")
    @classmethod
    def _languages(cls, value: Terms) -> Terms:
        for lang in value:
            if not re.match(r"^[a-z]{2,3}$", lang):
                raise ValueError(f"language keys are ISO codes like 'ru', got {lang!r}")
        return value

    def all_terms(self, kind: Literal["keywords", "require", "search"]) -> tuple[str, ...]:
        return tuple(term for terms in getattr(self, kind).values() for term in terms)
