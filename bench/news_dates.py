"""Hearing dates from news: precision and recall on real labelled sentences, per split and language.

    python bench/news_dates.py                       # every extractor, tune and held
    python bench/news_dates.py --only rules --misses held   # the rules' misses on the held third

``bench/news_dates/labelled.jsonl`` holds real sentences with the publication date of their
article and the hearings a monitor would take from them (README beside it). A hit is a
(day, kind) pair the sentence announces; ``postponed_no_date`` counts as a pair with no day.
Precision = hits / pairs found, recall = hits / pairs expected; a sentence that announces no
hearing can only cost precision. Times are scored apart: of the hits, the share whose time is
right (both empty counts as right).

The extractors compared:

- ``rules``: ``pipeline.parse.announced.extract_announced`` as shipped;
- ``dateparser``: the same frame (a sentence with a hearing word and a forward verb, the kind
  from that verb, postponements without a date from the rules) with the dates found by
  ``dateparser.search.search_dates`` (RELATIVE_BASE = publication, PREFER_DATES_FROM =
  future, the row's language), the one nearest the verb kept;
- ``natasha``: the same frame with natasha's ``DatesExtractor`` (yargy grammar; Russian only),
  a day without a year placed as the rules place it;
- ``rules+dp``: the rules, and dateparser's answer for the sentences where they find nothing.

Speed is sentences per second over all rows, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LABELLED = Path(__file__).resolve().parent / "news_dates" / "labelled.jsonl"
ZONE = ZoneInfo("Asia/Almaty")
LANGUAGES = ("ru", "kk", "en")

Pair = tuple[date | None, str]
Found = dict[Pair, clock | None]
Extractor = Callable[[dict], Found]


def split_of(url: str) -> str:
    """The held third: articles whose URL hash falls in it, so no article straddles the split."""
    return "held" if hashlib.sha1(url.encode()).digest()[0] % 3 == 0 else "tune"


def load_rows(path: Path = LABELLED) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        assert row["split"] == split_of(row["url"]), f"{row['id']}: split is not its URL's"
    return rows


def published(row: dict) -> datetime:
    """The publication day as noon in the court's zone (the pages give a day, rarely a time)."""
    return datetime.combine(date.fromisoformat(row["published"]), clock(12), tzinfo=ZONE)


def expected(row: dict) -> Found:
    return {
        (date.fromisoformat(e["date"]) if e["date"] else None, e["kind"]): (
            clock.fromisoformat(e["time"]) if e["time"] else None
        )
        for e in row["expected"]
    }


# --- scores ----------------------------------------------------------------------------------


@dataclass
class Score:
    hits: int = 0
    found: int = 0
    wanted: int = 0
    timed_right: int = 0
    date_hits: int = 0
    """Hits on the day alone, whatever the kind (a secondary figure)."""
    misses: list[str] = field(default_factory=list)

    def add(self, row: dict, got: Found) -> None:
        want = expected(row)
        hits = want.keys() & got.keys()
        self.hits += len(hits)
        self.found += len(got)
        self.wanted += len(want)
        self.timed_right += sum(1 for pair in hits if want[pair] == got[pair])
        self.date_hits += len({d for d, _ in want} & {d for d, _ in got})
        if got != want:
            self.misses.append(
                f"{row['id']} {row['lang']} {row['published']}: {row['text']}\n"
                f"    want {_show(want)}\n    got  {_show(got)}"
            )

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.wanted if self.wanted else 1.0

    @property
    def time_right(self) -> float:
        return self.timed_right / self.hits if self.hits else 1.0


def _show(found: Found) -> str:
    return (
        ", ".join(
            f"{d or '-'} {kind}{' ' + at.strftime('%H:%M') if at else ''}"
            for (d, kind), at in sorted(found.items(), key=str)
        )
        or "nothing"
    )


def score(rows: Iterable[dict], extractor: Extractor) -> dict[str, Score]:
    """Scores by language and ``all``."""
    scores = {key: Score() for key in (*LANGUAGES, "all")}
    for row in rows:
        got = extractor(row)
        scores[row["lang"]].add(row, got)
        scores["all"].add(row, got)
    return scores


# --- extractors ------------------------------------------------------------------------------


def rules(row: dict) -> Found:
    from pipeline.parse.announced import extract_announced

    found = extract_announced(row["text"], published_at=published(row), language=row["lang"])
    return {(a.local_date, a.kind): a.local_time for a in found}


def framed(dates: Callable[[str, dict], list[tuple[int, date, clock | None]]]) -> Extractor:
    """The rules' frame (sentence filter, kind, undated postponements) around a date finder
    that returns (position, day, time) for each date it sees in a sentence."""
    from pipeline.parse import announced as a
    from pipeline.parse.announced_sentence import _verbs

    def extract(row: dict) -> Found:
        vocabularies, cue = a._vocabularies(row["lang"])
        today = published(row).date()
        result: Found = {
            (x.local_date, x.kind): None
            for x in a.extract_announced(
                row["text"], published_at=published(row), language=row["lang"]
            )
            if x.local_date is None
        }
        for sentence in a.sentences(row["text"]):
            low = a._lower(sentence)
            if not cue.verbs.search(low):
                continue
            for vocabulary in vocabularies:
                if not vocabulary.nouns.search(low):
                    continue
                for kind, verb in _verbs(low, vocabulary):
                    near = [
                        (
                            abs(at - verb.end()) if at >= verb.end() else 1000 + verb.start() - at,
                            day,
                            t,
                        )
                        for at, day, t in dates(sentence, row)
                        if day >= today
                    ]
                    if near:
                        _, day, t = min(near, key=lambda n: n[0])
                        result.setdefault((day, kind), t)
        return result

    return extract


def dateparser_dates(sentence: str, row: dict) -> list[tuple[int, date, clock | None]]:
    from dateparser.search import search_dates

    settings = {
        "RELATIVE_BASE": published(row).replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
    }
    found = search_dates(sentence, languages=[row["lang"]], settings=settings) or []
    out = []
    for text, moment in found:
        at = moment.time() if (moment.hour, moment.minute) != (0, 0) else None
        out.append((sentence.find(text), moment.date(), at))
    return out


_NATASHA: list = []


def natasha_dates(sentence: str, row: dict) -> list[tuple[int, date, clock | None]]:
    from pipeline.parse.announced_dates import DateHit, resolve_day

    if not _NATASHA:
        from natasha import DatesExtractor, MorphVocab

        _NATASHA.append(DatesExtractor(MorphVocab()))
    out = []
    for match in _NATASHA[0](sentence):
        fact = match.fact
        if not (fact.day and fact.month):
            continue
        hit = DateHit(match.start, match.stop, fact.day, fact.month, fact.year, None, "")
        if (day := resolve_day(hit, published(row).date())) is not None:
            out.append((match.start, day, None))
    return out


def fallback(first: Extractor, second: Extractor) -> Extractor:
    """``first``; ``second`` where ``first`` finds nothing."""
    return lambda row: first(row) or second(row)


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "rules": lambda: rules,
    "dateparser": lambda: framed(dateparser_dates),
    "natasha": lambda: framed(natasha_dates),
    "rules+dp": lambda: fallback(rules, framed(dateparser_dates)),
}


# --- report ----------------------------------------------------------------------------------


def speed(rows: list[dict], extractor: Extractor, seconds: float = 2.0) -> float:
    for row in rows:
        extractor(row)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for row in rows:
            extractor(row)
        done += len(rows)
    return done / (time.perf_counter() - start)


def report(names: list[str], rows: list[dict], seconds: float, splits: list[str]) -> None:
    print(
        f"{len(rows)} sentences: "
        + ", ".join(f"{s} {sum(r['split'] == s for r in rows)}" for s in ("tune", "held"))
    )
    header = f"{'extractor':<11}{'split':<6}" + "".join(f"{k:>15}" for k in (*LANGUAGES, "all"))
    print("P/R per language (hits: right day and kind); time = share of hits with the right time")
    print(header)
    for name in names:
        extractor = EXTRACTORS[name]()
        for split in splits:
            scores = score([r for r in rows if r["split"] == split], extractor)
            cells = "".join(f"{s.precision:>8.2f}/{s.recall:.2f}" for s in scores.values())
            total = scores["all"]
            print(
                f"{name:<11}{split:<6}{cells}   time {total.time_right:.2f}"
                f"   day-only R {total.date_hits / max(total.wanted, 1):.2f}"
            )
        print(f"{'':<17}{speed(rows, extractor, seconds):,.0f} sentences/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(EXTRACTORS), action="append")
    parser.add_argument("--misses", choices=("tune", "held"), help="print the misses of a split")
    parser.add_argument(
        "--split",
        choices=("tune", "held"),
        action="append",
        help="score these splits only (default: both)",
    )
    parser.add_argument("--batch", type=int, help="only the rows of this batch (1: the first 210)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time for the speed figure")
    args = parser.parse_args(argv)
    rows = load_rows()
    if args.batch:
        rows = [r for r in rows if r.get("batch", 1) == args.batch]
    names = args.only or list(EXTRACTORS)
    if "natasha" in names and importlib.util.find_spec("natasha") is None:
        print("natasha: not installed, left out (pip install -e '.[bench]' to compare it)")
        names.remove("natasha")
    if args.misses:
        for name in names:
            scores = score([r for r in rows if r["split"] == args.misses], EXTRACTORS[name]())
            print(f"== {name}: {len(scores['all'].misses)} sentences wrong")
            print("\n".join(scores["all"].misses))
        return
    report(names, rows, args.seconds, args.split or ["tune", "held"])


if __name__ == "__main__":
    main()
