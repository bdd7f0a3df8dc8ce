"""Pure: which new items of a fetch get their article page read (``Source.full_text``).

A feed often carries a headline and a line; the development a monitor needs may be in the
third paragraph. Under ``auto`` (the default) a new item's page is fetched when

1. it matches a case — for the evidence, and the full text may match more cases;
2. it partly matches one: any keyword, person, context word, court, case number or article
   of the code in the title or summary (the cases compiled with every term sufficient alone);
3. its feed text (summary + content) is shorter than ``evidence.full_text_below`` characters.

``always`` fetches every new item, ``never`` none. At most ``evidence.max_per_source`` pages a
source a run, in that order of priority. Google News links that could not be decoded to the
publisher's URL are not fetched: they lead to a consent page, not the article; the
publisher's own copy that later took such an article's place (``Upserted.replaced``) is new.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from pipeline.config.cases import Case, Person
from pipeline.config.settings import EvidenceSettings
from pipeline.items import ArticleTarget
from pipeline.match.cases import Matcher, compile_cases
from pipeline.match.lazy import CaseMatcher
from pipeline.normalize.urls import is_google_news
from pipeline.records import Article, Change
from pipeline.store.articles import Upserted


def relaxed_case(case: Case) -> Case:
    """``case`` with every term a match on its own (context words become keywords)."""
    keywords: dict[str, tuple[str, ...]] = {}
    for terms in (case.keywords, case.require):
        for lang, words in terms.items():
            keywords[lang] = (*keywords.get(lang, ()), *words)
    if case.courts:
        keywords["xx"] = tuple(case.courts)
    people = tuple(Person(name=p.name, role=p.role, variants=p.variants) for p in case.people)
    return case.model_copy(
        update={"keywords": keywords, "require": {}, "courts": (), "people": people}
    )


def partial_matcher(cases: Iterable[Case]) -> Matcher:
    return compile_cases([relaxed_case(c) for c in cases if c.enabled])


def priority(
    article: Article, matched: bool, partial: CaseMatcher | None, below: int
) -> int | None:
    """0 matched, 1 partly matched, 2 short feed text; None: the page is not wanted."""
    if matched:
        return 0
    if partial is not None and partial.match({"title": article.title, "summary": article.summary}):
        return 1
    if len(article.summary) + len(article.text) < below:
        return 2
    return None


def choose_targets(
    upserted: Sequence[Upserted],
    matched: Collection[int],
    partial: CaseMatcher | None,
    *,
    policy: str,
    settings: EvidenceSettings,
) -> list[ArticleTarget]:
    """Article pages to fetch for the new items of one fetch, best first, capped."""
    if policy == "never":
        return []
    ranked: list[tuple[int, int, ArticleTarget]] = []
    for order, item in enumerate(upserted):
        article = item.article
        fresh = item.change is Change.NEW or item.replaced
        if not fresh or is_google_news(article.canonical_url):
            continue
        rank = (
            0
            if policy == "always"
            else priority(article, item.article_id in matched, partial, settings.full_text_below)
        )
        if rank is not None:
            target = ArticleTarget(item.article_id, article.url, article.source_id)
            ranked.append((rank, order, target))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [t for _, _, t in ranked[: settings.max_per_source]]
