"""The article-page contract between ``spiders.article`` and ``pipeline.evidence.pages``."""

from __future__ import annotations

from dataclasses import dataclass

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ArticleTarget:
    """An article page to fetch: its text for matching, or a re-check of its evidence."""

    article_id: int
    url: str
    source_id: str
    purpose: str = "full_text"
    """full_text (a new item of a feed or listing) | recheck (scheduled, of a matched one)"""


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """What fetching a target gave: the response as received, or an error naming it."""

    target: ArticleTarget
    status: int | None
    final_url: str
    body: bytes = b""
    headers: Pairs = ()
    request_headers: Pairs = ()
    error: str = ""
    """'<source>: <url>: <problem>' when no usable response arrived; '' otherwise."""

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), "")
