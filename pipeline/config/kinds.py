"""Source kinds: the ``kind:`` values of sources.yaml, each served by the spider that declares it.

A spider states the kinds it serves (``kinds``) and the keys it reads from a row (``Options``, a
pydantic model). They are found through Scrapy's spider loader (the ``SPIDER_MODULES`` of
:mod:`pipeline.scrapy_settings`), never by importing ``spiders``: adding a kind is adding a
spider, with no list to edit here.

Scrapy and the spider modules are imported the first time a row is checked, once per process
(:func:`source_kinds`), not when this module is — and not at all when the row was checked
before by the same code (:class:`KindChecks`): importing Scrapy and the spiders is ≈ 0.2 s of
every command that reads the config, a third of a ``run --once`` with nothing due (issue 14).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ValidationError

from pipeline.config.models import locate
from pipeline.config.sources import Source, SourceOptions
from pipeline.startup import cache_folder, write_atomically

log = logging.getLogger(__name__)

SCRAPY_SETTINGS = "pipeline.scrapy_settings"
CACHE_FORMAT = 1
_CODE = ("pipeline", "spiders")
"""The packages whose modules answered: a change to any of their files means asking again."""
MAX_ROWS = 5_000
"""Rows a cache keeps (the most recently checked): enough for several config folders."""


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    spider: str
    """The name of the spider serving it."""
    options: type[BaseModel]
    """The spider's ``Options``: the keys a row of this kind may have beyond the common ones."""
    rereads: bool = False
    """The spider's ``rereads``: it reads a source back to what it stored (Telegram)."""


@functools.cache
def source_kinds(settings_module: str = SCRAPY_SETTINGS) -> Mapping[str, Kind]:
    """Every kind a spider of the project serves, by name."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import get_spider_loader

    settings = Settings()
    settings.setmodule(settings_module, priority="project")
    loader = get_spider_loader(settings)
    kinds: dict[str, Kind] = {}
    for name in sorted(loader.list()):
        spider = loader.load(name)
        options = getattr(spider, "Options", SourceOptions)
        for kind in getattr(spider, "kinds", ()):
            rereads = bool(getattr(spider, "rereads", False))
            kinds.setdefault(kind, Kind(kind, name, options, rereads))
    return kinds


def kind_problems(source: Source) -> list[tuple[str, str]]:
    """What is wrong with a row for its kind, as ``(".field", message)`` pairs: a kind no spider
    serves, or keys its spider's ``Options`` rejects (unknown, missing, malformed)."""
    return _checks().problems(source)


def _problems(source: Source) -> list[tuple[str, str]]:
    kinds = source_kinds()
    kind = kinds.get(source.kind)
    if kind is None:
        known = ", ".join(sorted(kinds))
        return [(".kind", f"unknown kind {source.kind!r}: no spider serves it (known: {known})")]
    try:
        kind.options.model_validate(source.options)
    except ValidationError as exc:
        return locate(exc)
    options = kind.options
    problem = options.url_problem(source.url) if issubclass(options, SourceOptions) else ""
    return [(".url", problem)] if problem else []


def rereads(kind: str) -> bool:
    """Whether the spider serving ``kind`` reads its sources back to what it stored and sees
    its items' edits and removals itself (their pages are then not re-checked as evidence)."""
    return _checks().rereads(kind)


def save_checks() -> None:
    """Keep what this process learnt of rows and kinds for the next one (if anything)."""
    _checks().save()


@dataclass
class KindChecks:
    """What the spiders answered — each kind's ``rereads``, each row's problems — kept in the
    cache folder with the files of the code that answered (path, size, mtime of every
    ``spiders`` and ``pipeline`` module loaded then) and the Python and pydantic versions.

    A row checked before is answered from here, without importing Scrapy; a new or edited row
    (its kind, URL and options are its key) is checked by the spiders. When any of those files
    changed, or the versions, everything is checked again."""

    path: Path | None
    files: dict[str, list[int]] = field(default_factory=dict)
    kinds: dict[str, bool] = field(default_factory=dict)
    rows: dict[str, list[list[str]]] = field(default_factory=dict)
    asked: bool = False
    """Whether this process asked the spiders (imported Scrapy)."""
    changed: bool = False

    @classmethod
    def load(cls, path: Path | None) -> KindChecks:
        try:
            saved = json.loads(path.read_bytes()) if path else None
        except (OSError, ValueError):
            saved = None
        if not isinstance(saved, dict) or saved.get("stamp") != _stamp():
            return cls(path)
        files = saved.get("files") or {}
        if not files or any(_file_stat(name) != stat for name, stat in files.items()):
            return cls(path)  # the code that answered has changed
        return cls(path, files, saved.get("kinds") or {}, saved.get("rows") or {})

    def problems(self, source: Source) -> list[tuple[str, str]]:
        key = _row_key(source)
        found = self.rows.pop(key, None)
        if found is None:
            self._answered()
            found = [list(p) for p in _problems(source)]
            self.changed = True
        self.rows[key] = found  # (again) the most recent
        return [(where, message) for where, message in found]

    def rereads(self, kind: str) -> bool:
        if not self.files:  # nothing kept: ask
            self._answered()
        return self.kinds.get(kind, False)

    def _answered(self) -> None:
        """Ask the spiders (imports Scrapy) what kinds there are."""
        if self.asked:
            return
        self.kinds = {name: kind.rereads for name, kind in source_kinds().items()}
        self.asked = self.changed = True

    def save(self) -> None:
        if not self.changed or self.path is None:
            return
        if self.asked:  # the code that answered: every module of ours loaded by now
            names = {getattr(m, "__file__", None) for n, m in list(sys.modules.items())
                     if n.split(".")[0] in _CODE}  # fmt: skip
            now = {name: stat for name in sorted(names - {None}) if (stat := _file_stat(name))}
            self.files = {**self.files, **now}
        rows = dict(list(self.rows.items())[-MAX_ROWS:])
        document = {"stamp": _stamp(), "files": self.files, "kinds": self.kinds, "rows": rows}
        body = json.dumps(document, ensure_ascii=False).encode()
        if write_atomically(self.path, lambda out: out.write(body)):
            self.changed = False
        else:
            log.debug("%s: cannot write the kind checks; the next process checks again", self.path)


@functools.cache
def _checks() -> KindChecks:
    folder = cache_folder()
    return KindChecks.load(folder / "kinds.json" if folder else None)


def _stamp() -> str:
    return f"{CACHE_FORMAT}|{sys.version}|pydantic {pydantic.VERSION}|{SCRAPY_SETTINGS}"


def _file_stat(name: str) -> list[int] | None:
    try:
        stat = Path(name).stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _row_key(source: Source) -> str:
    row: Any = [source.kind, source.url, source.options]
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
