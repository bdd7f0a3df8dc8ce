"""The news searches a case generates: one Google News RSS source per case and locale."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote_plus

from pipeline.config.cases import Case
from pipeline.config.settings import NewsSearchSettings
from pipeline.config.sources import Source


def news_search_sources(cases: Iterable[Case], settings: NewsSearchSettings) -> tuple[Source, ...]:
    """One Google News RSS search per case and locale, from the case's search terms."""
    if not settings.enabled:
        return ()
    out = []
    for case in cases:
        if not case.enabled:
            continue
        for locale in settings.locales:
            terms = case.search.get(locale.language) or case.keywords.get(locale.language, ())[:3]
            if not terms:
                continue
            query = _search_query(terms, settings.window)
            url = settings.url.format(
                query=quote_plus(query), hl=locale.hl, gl=locale.gl, ceid=locale.ceid
            )
            out.append(
                Source(
                    id=f"news-{case.slug}-{locale.language}",
                    kind="news_search",
                    url=url,
                    language=locale.language,
                    every=settings.every,
                    name=f"Google News: {case.title} ({locale.language})",
                    cases=(case.slug,),
                )
            )
    return tuple(out)


def _search_query(terms: tuple[str, ...], window: str) -> str:
    """The terms OR-ed (a phrase quoted), then the window: ``("a b" OR c) when:30d``."""
    query = " OR ".join(f'"{t}"' if " " in t else t for t in terms)
    if not window:
        return query
    return f"({query}) {window}" if len(terms) > 1 else f"{query} {window}"
