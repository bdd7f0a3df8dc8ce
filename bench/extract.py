"""Full articles: extraction speed, and grouping 100k articles into stories.

1. ``extract_page`` over the fixture pages (``tests/fixtures/extract/*.html``; the corpus
   pages under ``../shared/corpus/pages`` when there are none), repeated until ``--seconds``
   have passed. Target ≥ 50 pages/s.
2. ``pipeline.stories.group_stories`` over ``--articles`` generated articles (200 words
   each, drawn from a mixed ru/kk/en vocabulary; one in ten a reprint of an earlier one with
   a new lead, a dropped sentence and a few words swapped). Target < 60 s and < 1 GB peak.

    python bench/extract.py [--articles 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "extract"
CORPUS = ROOT.parent / "shared" / "corpus" / "pages"


def pages() -> list[tuple[str, bytes]]:
    found = sorted(FIXTURES.glob("*.html")) or sorted(CORPUS.rglob("*.html"))
    return [(p.name, p.read_bytes()) for p in found]


def bench_extract(seconds: float) -> tuple[int, float, int]:
    from pipeline.extract import ExtractError, extract_page

    corpus = pages()
    if not corpus:
        sys.exit("no pages to extract: tests/fixtures/extract/ and the corpus are empty")
    for name, body in corpus:  # warm caches (lxml, trafilatura, language models) once
        _extract(extract_page, ExtractError, name, body)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for name, body in corpus:
            _extract(extract_page, ExtractError, name, body)
            done += 1
    return done, time.perf_counter() - start, len(corpus)


def _extract(extract_page, error, name: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(error):
        extract_page(body, f"https://example.kz/{name}", content_type="text/html")


WORDS = (
    "суд полиция приговор заседание адвокат прокурор область город район жители власти "
    "министр заявил сообщил отметил решение дело статья кодекс пытки задержанные январь "
    "сот полиция үкім отырыс адвокат прокурор облыс қала аудан тұрғындар билік министр "
    "court police verdict hearing lawyer prosecutor region city district residents minister "
    "said reported decision case article code torture detainees January economy budget "
    "school hospital road bridge weather football concert festival election deputy tenge "
).split()
NAMES = "Батырбаев Кудебаев Мукашев Талдыкорган Алматы Астана Шымкент Токташ Жумашев".split()


def generated(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    vocab = WORDS + [f"{w}{i}" for i in range(400) for w in ("нов", "жаң", "new")]
    texts: list[tuple[str, str]] = []
    for i in range(count):
        if i > 10 and rng.random() < 0.1:
            text, lang = texts[rng.randrange(len(texts))]
            sentences = text.split(". ")
            del sentences[rng.randrange(1, len(sentences))]
            text = "Как сообщает агентство. " + ". ".join(sentences)
            texts.append((text, lang))
            continue
        words = [rng.choice(vocab) for _ in range(200)]
        for k in range(0, 200, 12):
            words[k] = rng.choice(NAMES) if k % 24 else str(rng.randint(10, 2026))
        sentences = [" ".join(words[j : j + 15]) for j in range(0, 200, 15)]
        texts.append((". ".join(s.capitalize() for s in sentences), rng.choice(("ru", "kk", "en"))))
    return texts


def bench_stories(count: int) -> tuple[float, float, int]:
    from pipeline.stories import group_stories

    texts = generated(count)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    stories = group_stories(texts)
    elapsed = time.perf_counter() - start
    print(f"  (CPU time of the grouping: {time.process_time() - cpu:.1f} s; the machine is "
          "shared, so wall time may be longer)")  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    grouped = sum(s != i for i, s in enumerate(stories))
    del before
    return elapsed, peak_mb, grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    done, elapsed, distinct = bench_extract(args.seconds)
    rate = done / elapsed
    print(f"extract_page:        {rate:7.1f} pages/s  ({done} pages, {distinct} distinct, "
          f"{elapsed:.1f} s)  ratio to target 50/s: {rate / 50:.2f}")  # fmt: skip
    seconds, peak_mb, grouped = bench_stories(args.articles)
    print(f"group {args.articles} articles: {seconds:6.1f} s  ratio to target 60 s: "
          f"{seconds / 60:.2f}  ({grouped} grouped as reprints, ~10% generated)")  # fmt: skip
    print(f"peak RSS (process):   {peak_mb:6.0f} MB  ratio to target 1024 MB: {peak_mb / 1024:.2f}")


if __name__ == "__main__":
    main()
