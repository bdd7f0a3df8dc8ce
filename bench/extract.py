"""Full articles: extraction speed, and grouping 100k articles into stories.

1. ``extract_page`` over the fixture pages (``tests/fixtures/extract/*.html``, trimmed to
   the article: ~5 KB each), then over the real-size pages of ``../shared/corpus/pages``
   (whole pages as served, ~115 KB each, when that folder exists; read in place, never
   copied), each repeated until ``--seconds`` have passed. Target ≥ 50 pages/s, judged on
   the fixture pages as the issue sets it; the real-size figure is printed beside it because
   that is what a crawl sees.
2. ``pipeline.match.story_groups.group_stories`` over ``--articles`` generated articles (200 words
   each, drawn from a mixed ru/kk/en vocabulary; one in ten a reprint of an earlier one with
   a new lead and a dropped sentence), in a fresh child process so its peak memory is the
   grouping's (texts included), not the extractor's. Target < 60 s and < 1 GB peak.

    python bench/extract.py [--articles 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "extract"
CORPUS = ROOT.parent / "shared" / "corpus" / "pages"


def pages(folder: Path) -> list[tuple[str, bytes]]:
    return (
        [(p.name, p.read_bytes()) for p in sorted(folder.rglob("*.html"))]
        if folder.is_dir()
        else []
    )


def bench_extract(corpus: list[tuple[str, bytes]], seconds: float) -> tuple[int, float]:
    from pipeline.parse.page import ExtractError, extract_page

    for name, body in corpus:  # warm caches (lxml, trafilatura, language models) once
        _extract(extract_page, ExtractError, name, body)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for name, body in corpus:
            _extract(extract_page, ExtractError, name, body)
            done += 1
    return done, time.perf_counter() - start


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


def bench_stories(count: int) -> tuple[float, float, int, float]:
    """Wall s, CPU s, texts grouped as reprints, peak RSS MB of the process doing it."""
    from pipeline.match.story_groups import group_stories

    texts = generated(count)
    start, cpu = time.perf_counter(), time.process_time()
    stories = group_stories(texts)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    grouped = sum(s != i for i, s in enumerate(stories))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return elapsed, cpu, grouped, peak_mb


def report_extract(label: str, corpus: list[tuple[str, bytes]], seconds: float) -> None:
    if not corpus:
        print(f"extract_page {label}: no pages found")
        return
    done, elapsed = bench_extract(corpus, seconds)
    rate = done / elapsed
    size = sum(len(b) for _, b in corpus) / len(corpus) / 1024
    print(f"extract_page {label}: {rate:7.1f} pages/s  ({len(corpus)} distinct, "
          f"{size:.0f} KB avg, {done} pages in {elapsed:.1f} s)  ratio to 50/s: {rate / 50:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        seconds, cpu, grouped, peak_mb = pool.apply(bench_stories, (args.articles,))
    print(f"group {args.articles} articles: {seconds:6.1f} s wall ({cpu:.1f} s CPU)  ratio to "
          f"target 60 s: {seconds / 60:.2f}  ({grouped} grouped as reprints, ~10% generated)")  # fmt: skip
    print(f"  peak RSS of the grouping process: {peak_mb:6.0f} MB  ratio to 1024 MB: "
          f"{peak_mb / 1024:.2f}")  # fmt: skip
    report_extract("fixtures  (target judged here)", pages(FIXTURES), args.seconds)
    report_extract("real-size (shared corpus)     ", pages(CORPUS), args.seconds)


if __name__ == "__main__":
    main()
