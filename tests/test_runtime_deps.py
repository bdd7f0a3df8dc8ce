"""Every third-party module the app imports comes from `pip install -e .` alone: the README's
main command installs no test extra (httpx once slipped through as a test-only package)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = {"pipeline", "spiders"}


def imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("spiders/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - OWN - set(sys.stdlib_module_names) - {"__future__"}


def requirement_name(text: str) -> str:
    return re.split(r"[\s\[<>=!~;]", text.strip(), maxsplit=1)[0].lower().replace("_", "-")


def runtime_closure() -> set[str]:
    """The distributions `pip install .` brings in: the project's dependencies, recursively
    (requirements behind an extra left out)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [requirement_name(r) for r in project["dependencies"]]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [requirement_name(r) for r in requires if "extra ==" not in r]
    return seen


def test_every_imported_package_is_a_runtime_dependency() -> None:
    installed = metadata.packages_distributions()
    closure = runtime_closure()
    missing = {}
    for module in sorted(imported_top_levels()):
        dists = [d.lower().replace("_", "-") for d in installed.get(module, [])]
        if not any(d in closure for d in dists):
            missing[module] = dists
    assert not missing, f"imported but not installed by `pip install .`: {missing}"


def test_every_data_file_ships_in_the_wheel() -> None:
    """A non-editable install (the Docker image) gets the templates and migrations too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["pipeline"]
    shipped = {path for pattern in patterns for path in (ROOT / "pipeline").glob(pattern)}
    data = {
        path
        for path in (ROOT / "pipeline").rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert data, "no data files found under pipeline/"
    assert sorted(str(p.relative_to(ROOT)) for p in data - shipped) == []
