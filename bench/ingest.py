"""Ingest throughput: parse → normalise → match → store → events, against feedparser alone.

    python bench/ingest.py                   # 200 feeds × 100 items, SQLite in a temp dir
    python bench/ingest.py --feeds 1000      # 100k items, with peak memory

Prints items/s for ``feedparser.parse`` alone on the same bodies (the reference), for
feedparser-rs alone and for casewatch's own reading of them both ways (feedparser only, and
the guarded fast path of ``pipeline.parse.feeds_fast``); end to end both ways, each on a fresh
database, with its ratio to the reference; whether the fast path stored what feedparser alone
stores (``pipeline.parse.feeds_check``, on the first ``--check`` feeds); the re-ingest speed-up
for unchanged feeds, and the peak resident memory of the process. Times are CPU time of this
process (``time.process_time``): on a shared machine the ratio of two CPU times in one run
holds where wall times do not.
Targets (2-core machine): ≥ 1,000 items/s end to end; end to end ≥ 0.6 × feedparser alone
(issue 14, with the fast path); re-ingest ≥ 10× faster than the first ingest; peak memory for
100k items < 300 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
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
from pipeline.parse.feeds_check import check_paths
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


HEADERS = {"content-type": "application/rss+xml"}
MAX_BODY = 50_000_000


def timed(work: Callable[[], int]) -> tuple[float, int]:
    """(CPU seconds of this process, what ``work`` counted)."""
    t0 = time.process_time()
    count = work()
    return time.process_time() - t0, count


def feedparser_items(body: bytes) -> int:
    return len(feedparser.parse(body, response_headers=HEADERS).entries)


def feedparser_rs_items(body: bytes) -> int:
    import feedparser_rs

    return len(feedparser_rs.parse(body, sanitize_html=False).entries)


def read_feed_items(spec: FetchSpec, response: Response) -> int:
    return len(read_feed(spec, response, MAX_BODY, fast=False)[0])


def parser_rates(n_feeds: int, items: int) -> tuple[dict[str, float], int]:
    """Items/s of each parser over the same bodies, interleaved feed by feed (so that a load
    spike on the shared machine hits them alike), and how many feeds the fast path read.
    feedparser.parse runs with its defaults (the reference); feedparser-rs alone has no guard
    and makes no items; read_feed is casewatch's own reading, both ways."""
    spent: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    taken = 0
    for source_id, body in feeds(n_feeds, items):
        spec, response = feed_response(source_id, body, "")
        runs = {
            "feedparser.parse": partial(feedparser_items, body),
            "feedparser-rs.parse": partial(feedparser_rs_items, body),
            "read_feed, feedparser only": partial(read_feed_items, spec, response),
        }
        for label, work in runs.items():
            seconds, count = timed(work)
            spent[label] += seconds
            counts[label] += count
        t0 = time.process_time()
        raws, report = read_feed(spec, response, MAX_BODY)
        spent["read_feed, fast path"] += time.process_time() - t0
        counts["read_feed, fast path"] += len(raws)
        taken += "parser" in report.extra
    return {label: counts[label] / spent[label] for label in spent}, taken


def checked_feeds(n_feeds: int, items: int) -> tuple[int, int, int]:
    """The first ``n_feeds`` read both ways: (checked, fast path taken, stored the same)."""
    taken = same = 0
    for source_id, body in feeds(n_feeds, items):
        spec, response = feed_response(source_id, body, "")
        result = check_paths(spec, response)
        taken += result.fast
        same += result.same and result.raw_same
    return n_feeds, taken, same


def feed_response(source_id: str, body: bytes, known: str) -> tuple[FetchSpec, Response]:
    spec = FetchSpec(source_id, f"https://x.example/{source_id}", "feed", body_sha256=known)
    response = Response(spec.url, body=body, headers={"Content-Type": "application/rss+xml"})
    return spec, response


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


def ingest_one(
    ctx: IngestDeps, source_id: str, body: bytes, known: dict[str, str], fast: bool
) -> int:
    """One feed body through the spider's parser and the real ingest: the events it made.
    ``fast``: the fast path where it is safe; False: feedparser alone."""
    spec, response = feed_response(source_id, body, known.get(source_id, ""))
    raws, report = read_feed(spec, response, MAX_BODY, fast=fast)
    result = ingest_fetch(ctx, report, raws, datetime.now(UTC))
    known[source_id] = report.body_sha256
    return result.events


def first_ingest(
    by_feedparser: IngestDeps, fast: IngestDeps, n_feeds: int, items: int, known: dict[str, str]
) -> dict[str, tuple[float, int]]:
    """Every feed body, interleaved feed by feed: feedparser.parse alone (the reference), then
    the whole ingest with feedparser only, then with the fast path, each way into its own
    database: {label: (seconds, items or events)}. The synthetic bodies are not timed."""
    spent: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    seen: dict[str, str] = {}  # the feedparser-only database's body hashes
    for source_id, body in feeds(n_feeds, items):
        runs = {
            "feedparser.parse": partial(feedparser_items, body),
            "feedparser only": partial(ingest_one, by_feedparser, source_id, body, seen, False),
            "fast path": partial(ingest_one, fast, source_id, body, known, True),
        }
        for label, work in runs.items():
            seconds, count = timed(work)
            spent[label] += seconds
            counts[label] += count
    return {label: (spent[label], counts[label]) for label in spent}


def ingest_all(
    ctx: IngestDeps, n_feeds: int, items: int, known: dict[str, str]
) -> tuple[float, int]:
    """Every feed body through the fast path and the real ingest: (seconds, events)."""
    spent, events = 0.0, 0
    for source_id, body in feeds(n_feeds, items):
        seconds, count = timed(partial(ingest_one, ctx, source_id, body, known, True))
        spent, events = spent + seconds, events + count
    return spent, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=100, help="items per feed")
    parser.add_argument(
        "--cases", type=int, default=100, help="generated cases on top of the shipped ones"
    )
    parser.add_argument("--check", type=int, default=50, help="feeds read both ways and compared")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    total = args.feeds * args.items
    rates, taken = parser_rates(args.feeds, args.items)
    checked, checked_fast, checked_same = checked_feeds(min(args.check, args.feeds), args.items)
    with tempfile.TemporaryDirectory() as tmp:
        warm = make_context(f"sqlite:///{tmp}/warm.db", 3, args.cases)  # imports, models, caches
        ingest_all(warm, 3, args.items, {})
        by_feedparser = make_context(f"sqlite:///{tmp}/feedparser.db", args.feeds, args.cases)
        ctx = make_context(args.database or f"sqlite:///{tmp}/bench.db", args.feeds, args.cases)
        known: dict[str, str] = {}
        first = first_ingest(by_feedparser, ctx, args.feeds, args.items, known)
        again, events_again = ingest_all(ctx, args.feeds, args.items, known)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"items: {total} ({args.feeds} feeds × {args.items}); cases: shipped + {args.cases} generated"
    )
    print("parsers alone, interleaved feed by feed:")
    reference = rates["feedparser.parse"]
    for label, rate in rates.items():
        note = "(the reference)" if label == "feedparser.parse" else f"{rate / reference:5.1f}×"
        print(f"  {label + ':':28}{rate:8.0f} items/s  {note}")
    print(
        f"  fast path taken on {taken} of {args.feeds} feeds; read both ways (feeds_check): "
        f"same items and store on {checked_same} of {checked} ({checked_fast} on the fast path)"
    )
    print("end to end (first ingest), interleaved feed by feed, each way on its own database:")
    ref_seconds, ref_items = first["feedparser.parse"]
    ref_rate = ref_items / ref_seconds
    print(f"  {'feedparser.parse alone:':28}{ref_rate:8.0f} items/s  (the reference)")
    for label in ("feedparser only", "fast path"):
        seconds, events = first[label]
        rate = total / seconds
        target = "  (target ≥ 0.6)" if label == "fast path" else ""
        print(f"  {label + ':':28}{rate:8.0f} items/s  ratio {rate / ref_rate:4.2f}{target}"
              f"  ({seconds:.2f} s, {events} events)")  # fmt: skip
    print(
        f"re-ingest unchanged:          {total / again:8.0f} items/s  ({again:.2f} s, {events_again} events)"
    )
    print(f"re-ingest speed-up:           {first['fast path'][0] / again:8.1f}×  (target ≥ 10×)")
    print(f"peak RSS:                     {peak_mb:8.0f} MB  (target < 300 MB at 100k items)")


if __name__ == "__main__":
    main()
