"""How fast is matching? Shipped cases + 100 generated ones against ~10k synthetic news items.

Items are a title (~12 words) and a summary (~70 words) drawn with a Zipf distribution from a
vocabulary of real Russian / Kazakh / English news words plus generated words (so that the
per-word cache sees new words the way a real feed does); one item in twenty mentions a case.

    /work/venv/bin/python bench/match_speed.py [--items 10000] [--cases 100]

Prints compile time, items/s and how many items matched. Target: ≥ 5,000 items/s.
"""

from __future__ import annotations

import argparse
import random
import time

from pipeline.config.cases import Case, Person
from pipeline.config.load import load_config
from pipeline.match.cases import compile_cases

BASE_WORDS = [
    "суд",
    "полиция",
    "приговор",
    "заседание",
    "адвокат",
    "прокурор",
    "область",
    "город",
    "район",
    "жители",
    "новости",
    "года",
    "января",
    "февраля",
    "марта",
    "сообщает",
    "пресс-служба",
    "департамент",
    "решение",
    "уголовное",
    "дело",
    "сот",
    "полиция",
    "үкім",
    "отырыс",
    "адвокат",
    "прокурор",
    "облыс",
    "қала",
    "аудан",
    "тұрғындар",
    "жаңалықтар",
    "жылы",
    "қаңтар",
    "ақпан",
    "наурыз",
    "хабарлайды",
    "баспасөз",
    "қызметі",
    "департамент",
    "шешім",
    "қылмыстық",
    "іс",
    "court",
    "police",
    "verdict",
    "hearing",
    "lawyer",
    "prosecutor",
    "region",
    "city",
    "district",
    "residents",
    "news",
    "year",
    "january",
    "february",
    "march",
    "reported",
    "press",
    "service",
    "department",
    "decision",
    "criminal",
    "case",
    "tenge",
    "Kim",
    "Ten",
    "Almaty",
    "Astana",
    "Shymkent",
    "Taldykorgan",
    "Талдыкорган",
    "Алматы",
    "Астана",
    "Шымкент",
]
NEWS_SYLLABLES = [
    "ка",
    "ра",
    "ба",
    "ту",
    "ле",
    "но",
    "ми",
    "са",
    "да",
    "ер",
    "ан",
    "ов",
    "ев",
    "ин",
    "ский",
    "ская",
    "та",
    "ко",
    "ль",
    "ма",
    "ны",
    "қа",
    "ға",
    "ді",
    "ta",
    "ra",
    "lo",
]
CASE_SYLLABLES = ["жу", "зе", "щи", "фы", "чо", "хэ", "vu", "ze", "qi", "fo", "xe", "jo"]


def generated_word(rng: random.Random, syllables: list[str] = CASE_SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def generated_cases(n: int, rng: random.Random) -> list[Case]:
    cases = []
    for i in range(n):
        name = generated_word(rng).capitalize()
        surname = generated_word(rng).capitalize() + "ов"
        cases.append(
            Case(
                slug=f"generated-{i}",
                title=f"Generated case {i}",
                keywords={
                    "ru": (generated_word(rng), f"{generated_word(rng)} {generated_word(rng)}"),
                    "kk": (generated_word(rng) + "*",),
                    "en": (generated_word(rng),),
                },
                require={"ru": (generated_word(rng).capitalize(),), "en": (generated_word(rng),)},
                people=(Person(name=f"{name} {surname}", variants=(surname,)),),
                articles=(str(100 + i),),
                case_numbers=(f"19{i % 100:02d}-24-00-1/{i}",),
            )
        )
    return cases


def items(n: int, rng: random.Random, vocabulary: list[str]) -> list[dict[str, str]]:
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    out = []
    for i in range(n):
        title = rng.choices(vocabulary, weights, k=12)
        summary = rng.choices(vocabulary, weights, k=70)
        if i % 20 == 0:
            summary[5:8] = ["пытками", "в", "Талдыкоргане"]
        out.append({"title": " ".join(title), "summary": " ".join(summary)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    cases = [*load_config().cases, *generated_cases(args.cases, rng)]
    started = time.perf_counter()
    matcher = compile_cases(cases)
    compiled = time.perf_counter() - started
    vocabulary = BASE_WORDS + [generated_word(rng, NEWS_SYLLABLES) for _ in range(30_000)]
    rng.shuffle(vocabulary)
    batch = items(args.items, rng, vocabulary)
    started = time.perf_counter()
    matched = sum(1 for item in batch if matcher.match(item))
    elapsed = time.perf_counter() - started
    print(f"cases: {len(cases)}  compile: {compiled:.2f} s")
    print(f"items: {len(batch)}  matched: {matched}  time: {elapsed:.2f} s")
    print(f"throughput: {len(batch) / elapsed:,.0f} items/s")


if __name__ == "__main__":
    main()
