"""The parts of the config folder beside the four main files: ``cases.d/`` and ``watches.yaml``.

``cases.d/*.yaml`` hold more cases in the format of ``cases.yaml`` (a ``cases:`` list), read in
file-name order after it — ``casewatch follow`` writes one file there per candidate followed,
so the hand-written ``cases.yaml`` is never rewritten. A slug already taken (in ``cases.yaml``
or an earlier file) is an error naming both files; the first one wins.

``watches.yaml`` holds the watches (``pipeline.config.watches``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config.cases import Case
from pipeline.config.entries import ConfigProblem, read_entries, read_yaml
from pipeline.config.watches import Watch

CASES_DIR = "cases.d"
WATCHES_FILE = "watches.yaml"


def case_files(root: Path) -> list[Path]:
    """The files of ``cases.d/`` that are read, in the order they are read."""
    folder = root / CASES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_case_folder(
    root: Path,
    cases: Sequence[Case],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
) -> list[Case]:
    """The cases of ``cases.d/*.yaml``; ``cases``: those loaded already (from ``cases.yaml``)."""
    taken = {c.slug: root / "cases.yaml" for c in cases}
    out: list[Case] = []
    for path in case_files(root):
        doc = read_yaml(path)
        if not _is_cases_document(path, doc, problems):
            continue
        positions: dict[int, int] = {}
        for case in read_entries(path, doc, "cases", Case, environ, problems, None, positions):
            where = f"{path}: cases[{positions[id(case)]}] ({case.slug})"
            if case.slug in taken:
                problems.append(
                    ConfigProblem(
                        where, f"duplicate slug {case.slug!r} (also in {taken[case.slug]})"
                    )
                )
                continue
            taken[case.slug] = path
            out.append(case)
    return out


def _is_cases_document(path: Path, doc: Any, problems: list[ConfigProblem]) -> bool:
    if doc is None:
        problems.append(ConfigProblem(str(path), "empty file (no cases)", "warning"))
        return False
    if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
        return True
    hint = ""
    if isinstance(doc, dict) and "slug" in doc:
        hint = " (one case goes under `cases:` as `- slug: …`, as in cases.yaml)"
    problems.append(ConfigProblem(f"{path}: cases", f"expected a `cases:` list{hint}"))
    return False


def load_watches(
    root: Path, environ: Mapping[str, str], problems: list[ConfigProblem]
) -> list[Watch]:
    """The watches of ``watches.yaml`` (none when it is absent)."""
    path = root / WATCHES_FILE
    doc = read_yaml(path)
    if doc is not None and not isinstance(doc, dict):
        problems.append(ConfigProblem(f"{path}: watches", "expected a `watches:` list"))
        return []
    return read_entries(path, doc, "watches", Watch, environ, problems)
