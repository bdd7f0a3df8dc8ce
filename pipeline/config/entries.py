"""Reading one YAML file of the config folder into validated entries.

``${NAME}`` (or ``${NAME:-default}``) reads the environment. Each list entry is validated on
its own: a bad entry becomes a :class:`ConfigProblem` naming the file, the entry and the field,
and the rest still loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.config.models import locate
from pipeline.errors import ConfigError

_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One entry that could not be used; ``where`` is ``file: entry.field``."""

    where: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def expand_env(value: Any, environ: Mapping[str, str], missing: list[str]) -> Any:
    """Replace ``${NAME}`` / ``${NAME:-default}`` in every string; note unset names."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in environ:
                return environ[name]
            if default is None:
                missing.append(name)
                return ""
            return default

        return _ENV_RE.sub(repl, value)
    if isinstance(value, list):
        return [expand_env(v, environ, missing) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, environ, missing) for k, v in value.items()}
    return value


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader (PyYAML's own constructors and resolver over its C parser): ≈ 9×
faster than the pure-Python one, the same values (≈ 55 ms of every run's CPU for 200
sources; issue 14). A file it cannot read is read again by the pure loader, whose error
messages stay the ones users see."""


def _load(fh: TextIO) -> Any:
    if _FAST_LOADER is not None:
        try:
            return yaml.load(fh, Loader=_FAST_LOADER)  # a safe loader (see above)
        except (yaml.YAMLError, UnicodeDecodeError):
            fh.seek(0)
    return yaml.safe_load(fh)


def read_yaml(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        with path.open(encoding="utf-8") as fh:
            return _load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8 — an editor's "
            "'Windows-1251' or 'Cyrillic' encoding is not read"
        ) from exc


M = TypeVar("M", bound=BaseModel)


def read_entries(
    path: Path,
    doc: Any,
    key: str,
    model: type[M],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
    on_missing_env: Callable[[dict[str, Any], list[str], str], bool] | None = None,
    positions: dict[int, int] | None = None,
    check: Callable[[M], list[tuple[str, str]]] | None = None,
) -> list[M]:
    """Validate ``doc[key]`` entry by entry; bad entries become problems and are skipped.

    ``positions`` (when given) maps ``id(model)`` to the entry's index in the file; ``check``
    finds what the model alone cannot (``(".field", message)`` pairs)."""
    if doc is None:
        return []
    raw = doc.get(key) if isinstance(doc, dict) else None
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(ConfigProblem(f"{path}: {key}", "expected a list"))
        return []
    out: list[M] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{path}: {_label(key, index, entry)}"
        item = _entry(where, entry, model, environ, problems, on_missing_env, check)
        if item is None:
            continue
        ident = getattr(item, "id", None) or getattr(item, "slug", None)
        if ident in seen:
            problems.append(ConfigProblem(where, f"duplicate id {ident!r}"))
            continue
        seen.add(str(ident))
        out.append(item)
        if positions is not None:
            positions[id(item)] = index
    return out


def _label(key: str, index: int, entry: Any) -> str:
    """``sources[3] (court-x)``: the entry's place and, when it has one, its id or slug."""
    label = f"{key}[{index}]"
    if isinstance(entry, dict) and ("id" in entry or "slug" in entry):
        label += f" ({entry.get('id') or entry.get('slug')})"
    return label


def _entry(
    where: str,
    entry: Any,
    model: type[M],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
    on_missing_env: Callable[[dict[str, Any], list[str], str], bool] | None,
    check: Callable[[M], list[tuple[str, str]]] | None = None,
) -> M | None:
    """One entry, environment expanded and validated; None (its problems noted) when unusable."""
    if not isinstance(entry, dict):
        problems.append(ConfigProblem(where, "expected a mapping"))
        return None
    missing: list[str] = []
    expanded = expand_env(entry, environ, missing)
    if missing:
        keep = on_missing_env(expanded, missing, where) if on_missing_env else False
        names = ", ".join(sorted(set(missing)))
        if not keep:
            problems.append(ConfigProblem(where, f"environment variable {names} is not set"))
            return None
    try:
        item = model.model_validate(expanded)
    except ValidationError as exc:
        problems.extend(ConfigProblem(f"{where}{loc}", msg) for loc, msg in locate(exc))
        return None
    found = check(item) if check else []
    problems.extend(ConfigProblem(f"{where}{loc}", msg) for loc, msg in found)
    return None if found else item
