"""How relevant are the shipped cases' matches? Precision and recall on labelled real excerpts.

Loads the shipped ``config/`` (or ``--config DIR``), matches every item of
``bench/relevance/labelled.jsonl`` (title + summary) and prints, per case and overall (micro
average over case × item decisions), precision and recall, then every misclassified item with
the reason it matched or the slugs it missed.

    /work/venv/bin/python bench/relevance.py [--config DIR] [--set FILE] [--origin real|written]

Exit status 1 when overall precision or recall is below ``--min`` (default 0.95).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config.load import load_config
from pipeline.match.cases import Matcher, compile_cases
from pipeline.records import Match

DEFAULT_SET = Path(__file__).resolve().parent / "relevance" / "labelled.jsonl"


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    origin: str
    language: str
    url: str | None
    title: str
    summary: str
    expected: frozenset[str]


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_items(path: Path) -> Iterator[Item]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "_meta" in row:
                continue
            try:
                yield Item(
                    row["id"], row["origin"], row["language"], row.get("url"),
                    row.get("title") or "", row.get("summary") or "", frozenset(row["expected"]),
                )  # fmt: skip
            except KeyError as exc:
                raise SystemExit(f"{path}:{number}: missing field {exc}") from exc


def evaluate(matcher: Matcher, items: Iterable[Item], slugs: Iterable[str]) -> dict[str, Tally]:
    tallies = {slug: Tally() for slug in slugs}
    for item in items:
        found: dict[str, Match] = {
            m.case: m for m in matcher.match({"title": item.title, "summary": item.summary})
        }
        for slug, tally in tallies.items():
            wanted, got = slug in item.expected, slug in found
            if wanted and got:
                tally.tp += 1
            elif got:
                tally.fp += 1
                tally.errors.append(f"  FP {item.id} [{item.language}]: {found[slug].reason()}")
            elif wanted:
                tally.fn += 1
                tally.errors.append(f"  FN {item.id} [{item.language}]: {_head(item)}")
    return tallies


def _head(item: Item) -> str:
    text = f"{item.title} | {item.summary}" if item.title else item.summary
    return text if len(text) <= 140 else text[:137] + "..."


def report(tallies: dict[str, Tally], count: int) -> Tally:
    total = Tally()
    print(f"{count} items\n")
    print(f"{'case':<24} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for slug, t in tallies.items():
        print(f"{slug:<24} {t.tp:>4} {t.fp:>4} {t.fn:>4} {t.precision():>10.3f} {t.recall():>8.3f}")
        total.tp, total.fp, total.fn = total.tp + t.tp, total.fp + t.fp, total.fn + t.fn
        total.errors += [f"{slug}:{e}" for e in t.errors]
    print(f"{'overall (micro)':<24} {total.tp:>4} {total.fp:>4} {total.fn:>4} "
          f"{total.precision():>10.3f} {total.recall():>8.3f}")  # fmt: skip
    print("\nmisclassified:" if total.errors else "\nno misclassified items")
    for line in total.errors:
        print(line)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="config folder (default: the shipped config/)")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled JSONL file")
    parser.add_argument("--origin", choices=("real", "written"), help="only items of this origin")
    parser.add_argument("--min", type=float, default=0.95, help="fail below this P or R")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    cases = [c for c in config.cases if c.enabled]
    items = [i for i in load_items(args.set) if args.origin in (None, i.origin)]
    total = report(evaluate(compile_cases(cases), items, [c.slug for c in cases]), len(items))
    return 0 if min(total.precision(), total.recall()) >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
