"""How good is a watch? Precision and recall of the shipped ``torture-kz`` watch on labelled
real excerpts and schedule rows (``bench/watches/labelled.jsonl``).

Each item is matched as ingest would: an article's title and summary by the watch's news
rule (topic near a region, court or ``require`` term, in a language read), a schedule row's
court, category and parties by its row rule (a topic hit). Two views are printed, per split
(dev, test) and for all items:

* **watch**: does the watch match what it should?
* **candidates**: what reaches ``casewatch candidates`` — an item a shipped case claims is
  never a candidate, so those items are left out of this view (they are followed already).

Then every misclassified item with the reason it matched or its text.

    python bench/watches.py [--config DIR] [--set FILE] [--watch torture-kz]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config.load import load_config
from pipeline.match.cases import Matcher, compile_cases
from pipeline.match.watches import WatchMatcher

DEFAULT_SET = Path(__file__).resolve().parent / "watches" / "labelled.jsonl"


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label:<26} {self.tp:>4} {self.fp:>4} {self.fn:>4} {self.tn:>4} "
            f"{self.precision():>10.3f} {self.recall():>8.3f}"
        )


def load_items(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if "_meta" not in r]


def fields(item: dict[str, Any]) -> dict[str, str]:
    if item["kind"] == "row":
        return {k: item.get(k) or "" for k in ("court", "category", "parties")}
    return {"title": item.get("title") or "", "summary": item.get("summary") or ""}


def judge(
    watches: WatchMatcher, cases: Matcher, watch: str, items: Iterable[dict[str, Any]]
) -> dict[str, dict[str, Tally]]:
    """split → view → tally."""
    out: dict[str, dict[str, Tally]] = {}
    for item in items:
        text = fields(item)
        if item["kind"] == "row":
            found = [m for m in watches.hearing(text) if m.case == watch]
        else:
            found = [m for m in watches.article(text, item["language"]) if m.case == watch]
        claimed = [m.case for m in cases.match(text)]
        for split in (item["split"], "all"):
            views = out.setdefault(split, {"watch": Tally(), "candidates": Tally()})
            _count(views["watch"], item, found, split == "all")
            if not claimed:
                _count(views["candidates"], item, found, False)
    return out


def _count(tally: Tally, item: dict[str, Any], found: list[Any], note: bool) -> None:
    wanted, got = bool(item["expected"]), bool(found)
    if wanted and got:
        tally.tp += 1
    elif got:
        tally.fp += 1
        if note:
            tally.errors.append(f"  FP {item['id']} [{item['split']}]: {found[0].reason()}")
    elif wanted:
        tally.fn += 1
        if note:
            tally.errors.append(f"  FN {item['id']} [{item['split']}]: {_head(item)}")
    else:
        tally.tn += 1


def _head(item: dict[str, Any]) -> str:
    text = " | ".join(v for v in fields(item).values() if v)
    return text if len(text) <= 150 else text[:147] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="config folder (default: the shipped config/)")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled JSONL file")
    parser.add_argument("--watch", default="torture-kz", help="the watch scored")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    items = load_items(args.set)
    watches = WatchMatcher(config.watches)
    if watches.watch(args.watch) is None:
        raise SystemExit(f"no enabled watch {args.watch!r} in {config.directory}")
    cases = compile_cases([c for c in config.cases if c.enabled])
    results = judge(watches, cases, args.watch, items)
    kinds = {k: sum(i["kind"] == k for i in items) for k in ("article", "row")}
    print(
        f"{len(items)} items ({kinds['article']} articles, {kinds['row']} rows), watch {args.watch}\n"
    )
    print(
        f"{'split / view':<26} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'precision':>10} {'recall':>8}"
    )
    for split in ("dev", "test", "all"):
        for view, tally in results.get(split, {}).items():
            print(tally.line(f"{split} / {view}"))
    errors = results["all"]["watch"].errors
    print("\nmisclassified (watch view):" if errors else "\nno misclassified items")
    for line in errors:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
