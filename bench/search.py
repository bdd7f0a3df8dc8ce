"""Search latency on a large SQLite store: FTS5 over folded keys vs a naive LIKE scan.

    python bench/search.py                          # 1,000,000 articles (built once, cached)
    python bench/search.py --articles 100000        # a smaller store
    python bench/search.py --dashboard              # also bench/dashboard.py at 100k articles

Builds (or reuses) a SQLite file under the cache dir with N generated articles in ru/kk/en —
inflected Russian forms from pymorphy3 lexemes, Kazakh stems with case and possessive
suffixes, English words with -s/-ed/-ing, names in both scripts — Zipf-distributed, 3 % about
the Taldykorgan case. Rows go in by executemany on the migrated schema; the index keys are
the store's own (``pipeline.match.keys``), computed once per distinct word.

Then times 20 queries through ``search_articles`` (the CLI's and the web's path: page of 50,
total count, snippets) and the same words through a LIKE scan of title and text, and prints
p50/p95 of each and their ratio. Target: search p95 ≤ 50 ms at 1M articles.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.match.keys import index_key, index_keys
from pipeline.match.terms import _morph
from pipeline.search import SearchFilters, search_articles
from pipeline.store.engine import open_store
from pipeline.store.search_index import SQLITE_DDL, filter_tags

CACHE = Path(tempfile.gettempdir()) / "casewatch-bench"
SCHEMA_VERSION = 2
"""Bump when the generated data or the index keys change, to rebuild cached stores."""
SOURCES = [f"src-{i:02d}" for i in range(20)]
START = datetime(2021, 1, 1, tzinfo=UTC)
FILTER_FIELDS = ("case", "source", "language", "since", "until")

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


def _rows(n: int, seed: int) -> Iterator[tuple[tuple[object, ...], tuple[object, ...], bool]]:
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


def build(path: Path, n: int) -> None:
    """A migrated SQLite store with ``n`` generated articles and their search index."""
    sessions = open_store(f"sqlite:///{path}")
    sessions.kw["bind"].dispose()
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;")
    db.executemany(
        "INSERT INTO source (id, kind, url, consecutive_failures) VALUES (?, 'feed', ?, 0)",
        [(s, f"https://example.kz/{s}.xml") for s in SOURCES],
    )
    started = time.perf_counter()
    articles, index, matches = [], [], []
    for article, keys, relevant in _rows(n, seed=6):
        articles.append(article)
        index.append(keys)
        if relevant:
            matches.append((article[0], "taldykorgan-torture", 0.6, "[]", article[9]))
        if len(articles) == 20_000:
            _flush(db, articles, index, matches)
            print(
                f"\r  {article[0]:,} articles ({time.perf_counter() - started:.0f} s)",
                end="",
                flush=True,
            )
    _flush(db, articles, index, matches)
    db.execute("INSERT INTO article_search(article_search) VALUES ('optimize')")
    db.commit()
    db.executescript("PRAGMA journal_mode=WAL; ANALYZE;")
    db.close()
    print(f"\r  {n:,} articles built in {time.perf_counter() - started:.0f} s")


def _flush(db: sqlite3.Connection, articles: list, index: list, matches: list) -> None:
    db.executemany(
        "INSERT INTO article (id, url, canonical_url, title, summary, text, language, author, "
        "publisher, published_at, first_seen_at, last_seen_at, source_id, content_hash, "
        "title_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        articles,
    )
    db.executemany(
        "INSERT INTO article_search (rowid, title, body, tags) VALUES (?, ?, ?, ?)", index
    )
    db.executemany(
        "INSERT INTO match (article_id, case_slug, score, why, created_at) VALUES (?, ?, ?, ?, ?)",
        matches,
    )
    db.commit()
    articles.clear(), index.clear(), matches.clear()


def store(n: int, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"search-{n}-v{SCHEMA_VERSION}.db"
    if path.exists():
        print(f"reusing {path}")
        db = sqlite3.connect(path)
        for statement in SQLITE_DDL:  # an index added since the file was built
            db.execute(statement)
        db.close()
        return path
    print(f"building {path}")
    partial = path.with_suffix(".partial")
    for leftover in cache.glob(f"{partial.name}*"):
        leftover.unlink()
    build(partial, n)
    partial.rename(path)
    return path


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_search(path: Path, rounds: int) -> tuple[list[float], list[float], dict[int, int]]:
    """Wall-clock and CPU seconds per query (CPU tells a busy shared machine apart)."""
    sessions = open_store(f"sqlite:///{path}", upgrade=False)
    times: list[float] = []
    cpu: list[float] = []
    totals: dict[int, int] = {}
    with sessions() as session:
        for query, filters in QUERIES:  # warm-up: page cache, pymorphy
            search_articles(session, query, filters)
        for _ in range(rounds):
            for i, (query, filters) in enumerate(QUERIES):
                started, used = time.perf_counter(), time.process_time()
                result = search_articles(session, query, filters)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
                totals[i] = result.total
    sessions.kw["bind"].dispose()
    return times, cpu, totals


def like_words(query: str) -> list[str]:
    return [w.strip('"*-') for w in query.split() if w not in ("OR",) and w.strip('"*-.')]


def time_like(path: Path) -> list[float]:
    """The naive way: a LIKE scan of title and text for each word, newest first, page + count."""
    db = sqlite3.connect(path)
    times = []
    for query, _filters in QUERIES:
        words = like_words(query)
        where = " AND ".join("(title LIKE ? OR text LIKE ?)" for _ in words)
        params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
        started = time.perf_counter()
        db.execute(
            f"SELECT id FROM article WHERE {where} ORDER BY published_at DESC LIMIT 50", params
        ).fetchall()
        db.execute(f"SELECT count(*) FROM article WHERE {where}", params).fetchone()
        times.append(time.perf_counter() - started)
    db.close()
    return times


def run_dashboard_bench(articles: int) -> None:
    """Hook for the web side's benchmark (bench/dashboard.py), at ``articles`` articles."""
    script = Path(__file__).with_name("dashboard.py")
    if not script.exists():
        print("bench/dashboard.py is not there: no dashboard figures")
        return
    subprocess.run([sys.executable, str(script), "--articles", str(articles)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="Timed passes over the 20 queries.")
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help=f"Where stores are kept ({CACHE})."
    )
    parser.add_argument("--no-like", action="store_true", help="Skip the (slow) LIKE scan.")
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="Also run bench/dashboard.py (dashboard p95 at --dashboard-articles).",
    )
    parser.add_argument("--dashboard-articles", type=int, default=100_000)
    args = parser.parse_args()
    path = store(args.articles, args.cache)
    times, cpu, totals = time_search(path, args.rounds)
    p50, p95 = percentiles(times)
    cpu50, cpu95 = percentiles(cpu)
    print(f"articles: {args.articles:,}; queries: {len(QUERIES)} × {args.rounds} rounds")
    for i, (query, filters) in enumerate(QUERIES):
        shown = {k: str(getattr(filters, k)) for k in FILTER_FIELDS if getattr(filters, k)}
        print(f"  {totals[i]:>9,}  {query}  {shown or ''}")
    print(
        f"search (FTS5)  p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (target p95 ≤ 50 ms)"
    )
    print(f"  CPU time     p50 {cpu50 * 1000:7.1f} ms   p95 {cpu95 * 1000:7.1f} ms")
    if not args.no_like:
        like50, like95 = percentiles(time_like(path))
        print(f"LIKE scan      p50 {like50 * 1000:7.1f} ms   p95 {like95 * 1000:7.1f} ms")
        print(f"ratio LIKE / search: p50 {like50 / p50:.0f}×   p95 {like95 / p95:.0f}×")
    if args.dashboard:
        run_dashboard_bench(args.dashboard_articles)


if __name__ == "__main__":
    main()
