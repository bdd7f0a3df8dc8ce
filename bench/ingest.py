"""Ingest throughput: parse → normalise → match → store → events, against feedparser alone.

    python bench/ingest.py                   # 200 feeds × 100 items, SQLite in a temp dir
    python bench/ingest.py --feeds 1000      # 100k items, with peak memory

Prints items/s end to end and for ``feedparser.parse`` alone on the same bodies, their ratio,
the re-ingest speed-up for unchanged feeds, and the peak resident memory of the process. Times
are CPU time of this process (``time.process_time``): on a shared machine the ratio of two
CPU times in one run holds where wall times do not. Targets (2-core machine): ≥ 1,000 items/s
end to end; end to end ≥ 0.6 × feedparser alone (issue 14; 0.5 before); re-ingest ≥ 10×
faster than the first ingest; peak memory for 100k items < 300 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
from scrapy.http import Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config.cases import Case
from pipeline.config.load import load_config
from pipeline.config.sources import Source
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps
from pipeline.items import FetchSpec
from pipeline.match.cases import compile_cases
from pipeline.store.engine import open_store
from pipeline.store.sources import sync_sources
from spiders.feed import read_feed

WORDS = {
    "ru": "суд заседание приговор полиция область город правительство закон депутат экономика "
    "бюджет школа больница дорога выборы министр решение рынок цены банк кредит погода спорт "
    "фестиваль театр выставка налог пенсия строительство жильё транспорт в на и по с для не".split(),
    "kk": "сот отырыс үкім полиция облыс қала үкімет заң депутат экономика бюджет мектеп аурухана "
    "жол сайлау министр шешім нарық баға банк несие ауа райы спорт театр көрме салық және бойынша".split(),
    "en": "court hearing verdict police region city government law deputy economy budget school "
    "hospital road election minister decision market prices bank credit weather sport festival "
    "theatre exhibition tax pension construction housing transport the of and in to for on".split(),
}
RELEVANT = {
    "ru": "В Талдыкоргане суд вынес приговор полицейским по делу о пытках задержанных",
    "kk": "Талдықорғанда сот полицейлерге ұсталғандарды азаптау ісі бойынша үкім шығарды",
    "en": "Taldykorgan court sentences police officers for torturing detainees",
}


def generated_cases(n: int, rng: random.Random) -> list[Case]:
    """Cases with made-up names and terms, so matching cost grows as it would with real ones."""
    syllables = "ба ка ла ма на са та ра да жа ке бе ле ме не се те ре де же ко бо".split()
    cases = []
    for i in range(n):
        name = "".join(rng.choice(syllables) for _ in range(3)).capitalize() + "ов"
        place = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        cases.append(
            Case.model_validate(
                {
                    "slug": f"generated-{i}",
                    "title": f"Generated case {i}",
                    "keywords": {
                        "ru": [f"дело {name}а", "превышение полномочий"],
                        "en": [f"{name} trial"],
                    },
                    "require": {"ru": [place], "en": [place]},
                    "people": [{"name": f"Серик {name}", "variants": [name]}],
                }
            )
        )
    return cases


def feed_body(feed_no: int, items: int, rng: random.Random, start: datetime) -> bytes:
    lang = ("ru", "kk", "en")[feed_no % 3]
    words = WORDS[lang]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>Bench feed {feed_no}</title><link>https://site{feed_no}.example/</link>",
        f"<language>{lang}</language>",
    ]
    for i in range(items):
        relevant = rng.random() < 0.03
        title = RELEVANT[lang] if relevant else " ".join(rng.choices(words, k=8)).capitalize()
        summary = " ".join(rng.choices(words, k=60))
        when = format_datetime(start - timedelta(minutes=feed_no * items + i))
        url = f"https://site{feed_no}.example/news/{i}-item.html?utm_source=rss&utm_medium=feed"
        out.append(
            f"<item><title>{escape(title)}</title><link>{escape(url)}</link><guid>{escape(url)}</guid>"
            f"<pubDate>{when}</pubDate>"
            f"<description>{escape('<p>' + summary + '</p>')}</description></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def feeds(n_feeds: int, items: int, seed: int = 7) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for f in range(n_feeds):
        yield f"bench-{f}", feed_body(f, items, rng, start)


def bench_feedparser(n_feeds: int, items: int) -> float:
    """feedparser.parse with its defaults over the same bodies (generation not timed)."""
    spent, count = 0.0, 0
    for _, body in feeds(n_feeds, items):
        t0 = time.process_time()
        count += len(
            feedparser.parse(body, response_headers={"content-type": "application/rss+xml"}).entries
        )
        spent += time.process_time() - t0
    return count / spent


def make_context(db_url: str, n_feeds: int, n_cases: int) -> IngestDeps:
    shipped = load_config()
    sources = tuple(
        Source(id=f"bench-{f}", kind="feed", url=f"https://site{f}.example/feed")
        for f in range(n_feeds)
    )
    cases = (*shipped.cases, *generated_cases(n_cases, random.Random(3)))
    config = dataclasses.replace(shipped, sources=sources, cases=cases)
    sessions = open_store(db_url)
    with sessions.begin() as session:
        sync_sources(session, sources)
    return IngestDeps(
        config=config,
        sessions=sessions,
        matcher=compile_cases(cases),
        channels_for=lambda kind, case: ("team-email",),
    )


def ingest_all(
    ctx: IngestDeps, n_feeds: int, items: int, known: dict[str, str]
) -> tuple[float, int]:
    """Every feed body through the spider's parser and the real ingest: (seconds, events).

    Only the processing is timed, not the generation of the synthetic bodies.
    """
    spent, events = 0.0, 0
    for source_id, body in feeds(n_feeds, items):
        t0 = time.process_time()
        spec = FetchSpec(
            source_id,
            f"https://x.example/{source_id}",
            "feed",
            body_sha256=known.get(source_id, ""),
        )
        response = Response(spec.url, body=body, headers={"Content-Type": "application/rss+xml"})
        raws, report = read_feed(spec, response, 50_000_000)
        result = ingest_fetch(ctx, report, raws, datetime.now(UTC))
        spent += time.process_time() - t0
        known[source_id] = report.body_sha256
        events += result.events
    return spent, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=100, help="items per feed")
    parser.add_argument(
        "--cases", type=int, default=100, help="generated cases on top of the shipped ones"
    )
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    total = args.feeds * args.items
    with tempfile.TemporaryDirectory() as tmp:
        ctx = make_context(args.database or f"sqlite:///{tmp}/bench.db", args.feeds, args.cases)
        fp_rate = bench_feedparser(args.feeds, args.items)
        known: dict[str, str] = {}
        first, events = ingest_all(ctx, args.feeds, args.items, known)
        again, events_again = ingest_all(ctx, args.feeds, args.items, known)
    e2e_rate = total / first
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"items: {total} ({args.feeds} feeds × {args.items}); cases: shipped + {args.cases} generated"
    )
    print(f"feedparser.parse alone:     {fp_rate:10.0f} items/s  (CPU time)")
    print(
        f"end to end (first ingest):  {e2e_rate:10.0f} items/s  ({first:.2f} s CPU, {events} events)"
    )
    print(f"ratio end-to-end / parser:  {e2e_rate / fp_rate:10.2f}   (target ≥ 0.6)")
    print(
        f"re-ingest unchanged:        {total / again:10.0f} items/s  ({again:.2f} s, {events_again} events)"
    )
    print(f"re-ingest speed-up:         {first / again:10.1f}×  (target ≥ 10×)")
    print(f"peak RSS:                   {peak_mb:10.0f} MB  (target < 300 MB at 100k items)")


if __name__ == "__main__":
    main()
