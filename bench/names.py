"""Person names as printed: precision and recall of the name rules on labelled real forms.

Each row of ``bench/names/labelled.jsonl`` is a person entry as a user writes it in
``cases.yaml`` ("Name Surname"), a text as printed (a title, a sentence, a court record's
list of parties) and whether that text names that person. The entry is compiled as the only
person of a case (``alone: true``); the row is a hit when the case matches the text. Figures
are printed per split (``tune``: the two thirds the rules were tuned on; ``held``: the third
kept back) and per form class (a row counts in every class of its ``forms``).

    python bench/names.py [--set FILE] [--split held|tune] [--errors]

Exit status 1 when the held-back precision or recall is below ``--min`` (default 0.9).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config.cases import Case, Person
from pipeline.match.cases import Matcher, compile_cases
from pipeline.records import Match

DEFAULT_SET = Path(__file__).resolve().parent / "names" / "labelled.jsonl"
CLASSES = ("given_first", "surname_first", "initials", "case_form", "kazakh", "latin", "party_list")
SPLITS = ("held", "tune")


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    person: str
    text: str
    field: str
    match: bool
    forms: tuple[str, ...]
    split: str
    note: str


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, wanted: bool, got: bool) -> None:
        self.tp += wanted and got
        self.fp += got and not wanted
        self.fn += wanted and not got
        self.tn += not (wanted or got)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_rows(path: Path = DEFAULT_SET) -> Iterator[Row]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip() or "_meta" in line[:12]:
                continue
            raw = json.loads(line)
            try:
                yield Row(
                    raw["id"], raw["person"], raw["text"], raw["field"], raw["match"],
                    tuple(raw["forms"]), raw["split"], raw["note"],
                )  # fmt: skip
            except KeyError as exc:
                raise SystemExit(f"{path}:{number}: missing field {exc}") from exc


@cache
def matcher_for(person: str) -> Matcher:
    """The entry as the only person of a case, as a user would configure it."""
    return compile_cases([Case(slug="case", title="case", people=(Person(name=person),))])


def match_row(row: Row) -> list[Match]:
    return matcher_for(row.person).match({row.field: row.text})


def evaluate(rows: Iterable[Row]) -> dict[tuple[str, str], Tally]:
    """Tallies by (split, class), with ``"all"`` for every class of a split."""
    tallies: dict[tuple[str, str], Tally] = {}
    for row in rows:
        found = match_row(row)
        got = bool(found)
        for key in ((row.split, "all"), *((row.split, c) for c in row.forms)):
            tally = tallies.setdefault(key, Tally())
            tally.add(row.match, got)
            if got != row.match and key[1] == "all":
                why = found[0].reason() if found else "no match"
                kind = "FP" if got else "FN"
                tally.errors.append(f"  {kind} {row.id} {row.person!r} | {row.text[:90]} | {why}")
    return tallies


def report(tallies: dict[tuple[str, str], Tally], splits: Iterable[str], errors: bool) -> None:
    print(f"{'split':<6} {'class':<14} {'rows':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} "
          f"{'precision':>10} {'recall':>7}")  # fmt: skip
    for split in splits:
        for cls in ("all", *CLASSES):
            t = tallies.get((split, cls))
            if t is None:
                continue
            rows = t.tp + t.fp + t.fn + t.tn
            print(f"{split:<6} {cls:<14} {rows:>5} {t.tp:>4} {t.fp:>4} {t.fn:>4} {t.tn:>4} "
                  f"{t.precision():>10.3f} {t.recall():>7.3f}")  # fmt: skip
        print()
    if errors:
        for split in splits:
            for line in tallies.get((split, "all"), Tally()).errors:
                print(f"{split}{line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled JSONL file")
    parser.add_argument("--split", choices=SPLITS, help="only this split (default: both)")
    parser.add_argument("--errors", action="store_true", help="list every misclassified row")
    parser.add_argument("--min", type=float, default=0.9, help="fail below this held P or R")
    args = parser.parse_args(argv)
    splits = (args.split,) if args.split else SPLITS
    tallies = evaluate(r for r in load_rows(args.set) if r.split in splits)
    report(tallies, splits, args.errors)
    held = tallies.get(("held", "all"))
    if held is None:
        return 0
    return 0 if min(held.precision(), held.recall()) >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
