"""The shape the code keeps: layers one way, no import cycles, short modules, spiders only in
spider modules. The import rules live in ``.importlinter`` and run in ``.ci/run``; these tests
show they pass on the tree and fail on a tree broken on purpose."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_LINES = 400
SPIDER_HELPERS = {"__init__.py", "base.py", "middlewares.py"}


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """pipeline/, spiders/ and the contracts, copied so a test can break them."""
    for package in ("pipeline", "spiders"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    marker = "from __future__ import annotations\n"
    assert marker in text, f"{module} has no __future__ import to anchor the new line"
    module.write_text(text.replace(marker, f"{marker}\n{line}\n", 1), encoding="utf-8")


def test_the_contracts_are_kept_on_the_tree() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_an_import_upward_breaks_the_layers(tree_copy: Path) -> None:
    add_import(tree_copy / "pipeline/items.py", "import pipeline.store.models  # noqa")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "pipeline: one way down the flow BROKEN" in result.stdout
    assert "pipeline.items -> pipeline.store.models" in result.stdout


def test_an_import_cycle_is_refused(tree_copy: Path) -> None:
    # hearing_time imports dates; dates importing hearing_time closes a cycle
    add_import(tree_copy / "pipeline/normalize/dates.py", "import pipeline.normalize.hearing_time")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "No cycles are allowed in pipeline.normalize" in result.stdout


def test_pipeline_importing_a_spider_is_refused(tree_copy: Path) -> None:
    add_import(tree_copy / "pipeline/ingest/batch.py", "import spiders.feed  # noqa")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "pipeline never imports spiders" in result.stdout
    assert "pipeline.ingest.batch -> spiders.feed" in result.stdout


def source_files() -> list[Path]:
    return sorted(p for pkg in ("pipeline", "spiders") for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in source_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert source_files(), "no source files found"
    assert long == {}


def test_spider_modules_hold_spiders_only() -> None:
    modules = [p for p in (ROOT / "spiders").glob("*.py") if p.name not in SPIDER_HELPERS]
    assert modules, "no spider modules found"
    strays = {}
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        assert any(name.endswith("Spider") for name in classes), f"{path.name} has no spider"
        if others := [name for name in classes if not name.endswith("Spider")]:
            strays[path.name] = others
    assert strays == {}
