"""``watches.yaml``: topics with no identity, whose unclaimed items become candidates.

A watch is what a monitor would say aloud — "torture prosecutions in Kazakhstan": topic terms
per language, articles of the criminal code, optionally the courts and regions it covers and
the languages of the news it reads. Unlike a case it names nobody: every new article and
hearing row that it matches and no case claims becomes evidence for a *candidate*
(``casewatch candidates``), which a monitor may ``follow`` (it becomes a case) or ``dismiss``.

Watches live in a file of their own, not in ``cases.yaml``: every entry of ``cases.yaml`` is a
case (it claims items, has a dashboard and alerts on its own), a watch does none of that, and
``casewatch follow`` writes the cases a watch gives rise to into ``cases.d/`` — so
``cases.yaml`` stays the hand-written list of what is followed.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from pipeline.config.cases import Case, Terms
from pipeline.config.models import SLUG_RE, _Model

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


class Watch(_Model):
    id: str = Field(pattern=SLUG_RE)
    title: str
    description: str | None = None
    keywords: Terms = Field(default_factory=dict)
    """Topic terms per language (as a case's ``keywords``)."""
    articles: tuple[str, ...] = ()
    """Articles of the criminal code; a mention (or a schedule row's category) is a topic hit."""
    regions: tuple[str, ...] = ()
    """Places (any language): news must name one near the topic (context, as ``require``)."""
    require: Terms = Field(default_factory=dict)
    """Other context terms per language (institutions, events), as a case's ``require``."""
    courts: tuple[str, ...] = ()
    """Court names: a schedule row must be in one of them; news must name one (context).
    Empty: any court."""
    languages: tuple[str, ...] = ()
    """The languages of the news read (``ru``, ``kk``, ``en``); empty: any."""
    exclude: tuple[str, ...] = ()
    search: Terms = Field(default_factory=dict)
    """Google News queries per language; none are generated unless given."""
    enabled: bool = True

    @field_validator("keywords", "require", "search")
    @classmethod
    def _term_languages(cls, value: Terms) -> Terms:
        for lang in value:
            if not _LANGUAGE_RE.match(lang):
                raise ValueError(f"language keys are ISO codes like 'ru', got {lang!r}")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for lang in value:
            if not _LANGUAGE_RE.match(lang):
                raise ValueError(f"languages are ISO codes like 'ru', got {lang!r}")
        return value

    @model_validator(mode="after")
    def _has_topic(self) -> Watch:
        if not any(self.keywords.values()) and not self.articles:
            raise ValueError("a watch needs `keywords` or `articles` (its topic)")
        return self

    def news_case(self) -> Case:
        """The watch as the matcher reads news: topic near context (regions, courts, require)."""
        return Case(
            slug=self.id,
            title=self.title,
            keywords=self.keywords,
            require=self.require,
            courts=(*self.regions, *self.courts),
            articles=self.articles,
            exclude=self.exclude,
        )

    def row_case(self) -> Case:
        """The watch as the matcher reads a schedule row: a topic hit (an article of the code
        or a keyword in its category or parties), in one of ``courts`` when it names any."""
        return Case(
            slug=self.id,
            title=self.title,
            keywords=self.keywords,
            courts=self.courts,
            articles=self.articles,
            exclude=self.exclude,
        )

    def reads(self, language: str) -> bool:
        """Whether news in ``language`` is read ('' — unknown — always is)."""
        return not self.languages or not language or language in self.languages
