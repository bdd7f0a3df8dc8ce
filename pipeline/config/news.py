"""The news searches a case (or a watch) generates: one Google News RSS source per locale."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import quote_plus

from pipeline.config.cases import Case
from pipeline.config.settings import NewsSearchSettings
from pipeline.config.sources import Source
from pipeline.config.watches import Watch


def news_search_sources(cases: Iterable[Case], settings: NewsSearchSettings) -> tuple[Source, ...]:
    """One Google News RSS search per case and locale, from the case's search terms."""
    out: list[Source] = []
    for case in cases:
        if case.enabled:
            out += _searches(
                f"news-{case.slug}",
                case.title,
                lambda lang, c=case: c.search.get(lang) or c.keywords.get(lang, ())[:3],
                settings,
                (case.slug,),
            )
    return tuple(out)


def watch_search_sources(
    watches: Iterable[Watch], settings: NewsSearchSettings
) -> tuple[Source, ...]:
    """One Google News RSS search per watch and locale whose ``search:`` names terms for it
    (a watch's topic words alone would search the whole world's news)."""
    out: list[Source] = []
    for watch in watches:
        if watch.enabled:
            terms = lambda lang, w=watch: w.search.get(lang, ())  # noqa: E731
            out += _searches(f"news-watch-{watch.id}", watch.title, terms, settings, ())
    return tuple(out)


def _searches(
    prefix: str,
    title: str,
    terms_for: Callable[[str], tuple[str, ...]],
    settings: NewsSearchSettings,
    cases: tuple[str, ...],
) -> list[Source]:
    if not settings.enabled:
        return []
    out = []
    for locale in settings.locales:
        terms = terms_for(locale.language)
        if not terms:
            continue
        query = _search_query(terms, settings.window)
        url = settings.url.format(
            query=quote_plus(query), hl=locale.hl, gl=locale.gl, ceid=locale.ceid
        )
        out.append(
            Source(
                id=f"{prefix}-{locale.language}",
                kind="news_search",
                url=url,
                language=locale.language,
                every=settings.every,
                name=f"Google News: {title} ({locale.language})",
                cases=cases,
            )
        )
    return out


def _search_query(terms: tuple[str, ...], window: str) -> str:
    """The terms OR-ed (a phrase quoted), then the window: ``("a b" OR c) when:30d``."""
    query = " OR ".join(f'"{t}"' if " " in t else t for t in terms)
    if not window:
        return query
    return f"({query}) {window}" if len(terms) > 1 else f"{query} {window}"
