"""Source kinds: the ``kind:`` values of sources.yaml, each served by the spider that declares it.

A spider states the kinds it serves (``kinds``) and the keys it reads from a row (``Options``, a
pydantic model). They are found through Scrapy's spider loader (the ``SPIDER_MODULES`` of
:mod:`pipeline.scrapy_settings`), never by importing ``spiders``: adding a kind is adding a
spider, with no list to edit here.

Scrapy and the spider modules are imported the first time a row is checked, once per process
(:func:`source_kinds`), not when this module is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from pipeline.config.models import locate
from pipeline.config.sources import Source, SourceOptions

SCRAPY_SETTINGS = "pipeline.scrapy_settings"


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
    found = source_kinds().get(kind)
    return found.rereads if found else False
