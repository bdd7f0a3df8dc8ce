"""The generated news corpus of ``bench/search.py`` (and of the recall test): ru/kk/en articles
with inflected Russian forms from pymorphy3 lexemes, Kazakh stems with case and possessive
suffixes, English words with -s/-ed, names and places in both scripts — Zipf-distributed, 3 %
about the Taldykorgan case — and the benchmark's queries.

``rows(n)`` yields the same articles for the same ``n`` and seed, with their index keys
computed by the store's own folding (``pipeline.match.keys``), once per distinct word.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from pipeline.match.keys import index_key, index_keys
from pipeline.match.terms import _morph
from pipeline.search import SearchFilters
from pipeline.store.models import ArticleRow, MatchRow, SourceRow
from pipeline.store.search_index import filter_tags, index_articles

SEED = 6
SOURCES = [f"src-{i:02d}" for i in range(20)]
START = datetime(2021, 1, 1, tzinfo=UTC)
ARTICLE_COLUMNS = (
    "id, url, canonical_url, title, summary, text, language, author, publisher, published_at, "
    "first_seen_at, last_seen_at, source_id, content_hash, title_key"
)
"""The article columns of ``rows``, in order."""

RU_LEMMAS = (
    "суд заседание приговор полиция полицейский область город правительство закон депутат "
    "экономика бюджет школа больница дорога выборы министр решение рынок цена банк кредит погода "
    "спорт фестиваль театр выставка налог пенсия строительство жильё транспорт пытка задержанный "
    "адвокат прокурор судья потерпевший свидетель дело статья наказание жалоба апелляция "
    "следствие расследование обвинение защита год месяц неделя день житель человек семья "
    "компания работа проект программа вопрос проблема система развитие цифровой новый большой "
    "местный государственный январский уголовный пытать задержать рассказать заявить сообщить "
    "рассматривать перенести приговорить обжаловать получить открыть начать продолжить"
).split()
RU_STOP = "в на и по с для не что как из за от о это к до при".split()
KK_STEMS = (
    "сот отырыс үкім полиция облыс қала үкімет заң депутат экономика бюджет мектеп аурухана жол "
    "сайлау министр шешім нарық баға банк несие спорт театр көрме салық азаптау ұсталған адвокат "
    "прокурор судья жәбірленуші куәгер іс бап жаза шағым тергеу айып қорғау жыл ай апта күн тұрғын "
    "адам отбасы компания жұмыс жоба бағдарлама мәселе жүйе даму жаңа үлкен"
).split()
KK_SUFFIXES = ["", "", "", "да", "ға", "ның", "ы", "лар", "тар", "дағы", "мен", "нан", "ын"]
KK_STOP = "және бойынша туралы үшін мен бұл сол".split()
EN_WORDS = (
    "court hearing verdict police officer region city government law deputy economy budget "
    "school hospital road election minister decision market price bank credit weather sport "
    "festival theatre exhibition tax pension housing transport torture detainee lawyer prosecutor "
    "judge victim witness case article sentence appeal investigation charge defence year month "
    "week day resident family company project programme issue system development"
).split()
EN_STOP = "the of and in to for on a is was with by at from".split()
NAMES = (
    "Батырбаев Батырбаева Batyrbayev Batyrbaev Кудебаев Кудебаева Kudebayev Дуйсенбеков "
    "Duisenbekov Токташ Toktash Буханов Bukhanov Тен Ten Кошмамбет Koshmambet Абилбеков "
    "Abilbekov Талдыкорган Талдыкоргане Талдыкоргана Талдықорған Талдықорғанда Taldykorgan "
    "Алматы Almaty Астана Astana Жетісу Zhetysu Нурмуханова Мукашев Mukashev"
).split()
RELEVANT = {
    "ru": "В Талдыкоргане суд вынес приговор полицейским по делу о пытках задержанных, ст. 146",
    "kk": "Талдықорғанда сот полицейлерге ұсталғандарды азаптау ісі бойынша үкім шығарды",
    "en": "Taldykorgan court sentences police officers for torturing detainees under Art. 146",
}
QUERIES: list[tuple[str, SearchFilters]] = [
    ("пытками", SearchFilters()),
    ("Талдыкоргане", SearchFilters()),
    ("азаптау", SearchFilters()),
    ("Batyrbaev", SearchFilters()),
    ("Кудебаева", SearchFilters()),
    ("суд", SearchFilters()),
    ("приговор полицейским", SearchFilters()),
    ('"суд вынес приговор"', SearchFilters()),
    ("torture", SearchFilters()),
    ("court hearing", SearchFilters()),
    ("ст. 146", SearchFilters()),
    ("пыт*", SearchFilters()),
    ("экономика бюджет", SearchFilters()),
    ("Koshmambet OR Кошмамбет", SearchFilters()),
    ("выборы -депутат", SearchFilters()),
    ("Талдықорған сот", SearchFilters(language="kk")),
    ("police officers", SearchFilters(language="en")),
    ("пытки", SearchFilters(case="taldykorgan-torture")),
    ("суд", SearchFilters(source="src-07", since=datetime(2023, 1, 1, tzinfo=UTC))),
    ("адвокат жалоба", SearchFilters(since=datetime(2024, 6, 1, tzinfo=UTC))),
]


def vocabulary() -> dict[str, list[str]]:
    """Surface words per language: every form of the Russian lemmas, suffixed Kazakh stems."""
    morph = _morph()
    ru: list[str] = []
    for lemma in RU_LEMMAS:
        forms = {f.word for f in morph.parse(lemma)[0].lexeme}
        ru += sorted(forms)[:12]
    kk = [stem + suffix for stem in KK_STEMS for suffix in KK_SUFFIXES]
    en = EN_WORDS + [w + "s" for w in EN_WORDS] + [w + "ed" for w in EN_WORDS[:30]]
    return {"ru": RU_STOP * 3 + ru, "kk": KK_STOP * 3 + kk, "en": EN_STOP * 3 + en}


def _zipf(n: int) -> list[float]:
    total, out = 0.0, []
    for rank in range(n):
        total += 1.0 / (rank + 1) ** 0.9
        out.append(total)
    return out


class Generator:
    """Articles as (title, text, title keys, body keys), Zipf-distributed words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = {lang: words + NAMES for lang, words in vocabulary().items()}
        self.keys = {lang: [index_key(w) for w in words] for lang, words in self.words.items()}
        self.cumulative = {lang: _zipf(len(words)) for lang, words in self.words.items()}

    def words_of(self, lang: str, n: int) -> tuple[str, str]:
        picks = self.rng.choices(
            range(len(self.words[lang])), cum_weights=self.cumulative[lang], k=n
        )
        words, keys = self.words[lang], self.keys[lang]
        return " ".join(words[i] for i in picks), " ".join(keys[i] for i in picks)

    def article(self, lang: str, relevant: bool) -> tuple[str, str, str, str]:
        title, title_keys = self.words_of(lang, 8)
        body, body_keys = self.words_of(lang, 60)
        if relevant:
            body = f"{RELEVANT[lang]}. {body}"
            body_keys = f"{index_keys(RELEVANT[lang])} {body_keys}"
        return title.capitalize(), body, title_keys, body_keys


Row = tuple[tuple[object, ...], tuple[object, ...], bool]
"""(article columns as ``bench/search.py`` inserts them, (id, title keys, body keys, tags),
whether the article is about the Taldykorgan case)."""


def rows(n: int, seed: int = SEED) -> Iterator[Row]:
    """Articles 1..n: ids, then publication times spread over four years from START."""
    rng = random.Random(seed)
    gen = Generator(rng)
    span = 4 * 365 * 24 * 3600
    for i in range(1, n + 1):
        lang = rng.choices(("ru", "kk", "en"), (0.6, 0.25, 0.15))[0]
        relevant = rng.random() < 0.03
        title, body, title_keys, body_keys = gen.article(lang, relevant)
        when = (START + timedelta(seconds=rng.randrange(span))).strftime("%Y-%m-%d %H:%M:%S")
        url = f"https://example.kz/{lang}/{i}"
        source = rng.choice(SOURCES)
        article = (i, url, url, title, "", body, lang, "", "", when, when, when,
                   source, "0" * 64, str(i))  # fmt: skip
        yield article, (i, title_keys, body_keys, filter_tags(source, lang)), relevant


def store_generated(sessions: sessionmaker[Session], n: int, spacing: int = 1) -> list[int]:
    """``rows(n)`` stored with ids ``spacing`` apart (so a small corpus spans many of
    PostgreSQL's id buckets) and indexed by the store's own ``index_articles``; articles
    about the Taldykorgan case are matched to ``taldykorgan-torture``. Returns the ids."""
    names = ARTICLE_COLUMNS.split(", ")
    articles, matches = [], []
    for article, _keys, relevant in rows(n):
        values = dict(zip(names, article, strict=True))
        values["id"] = int(values["id"]) * spacing
        for field in ("published_at", "first_seen_at", "last_seen_at"):
            values[field] = datetime.fromisoformat(str(values[field])).replace(tzinfo=UTC)
        articles.append(values)
        if relevant:
            matches.append({"article_id": values["id"], "case_slug": "taldykorgan-torture",
                            "score": 0.6, "why": [], "created_at": values["first_seen_at"]})  # fmt: skip
    with sessions.begin() as session:
        session.execute(
            insert(SourceRow),
            [{"id": s, "kind": "feed", "url": f"https://example.kz/{s}"} for s in SOURCES],
        )
        session.execute(insert(ArticleRow), articles)
        session.execute(insert(MatchRow), matches)
        index_articles(session, [a["id"] for a in articles])
    return [a["id"] for a in articles]
