"""Heavy libraries imported where a command first needs them, out of the collector's way.

A ``run --once`` with nothing due must not pay for Scrapy and Twisted (issue 14), so the crawl
machinery is imported when there is something to crawl. What such an import makes (modules,
classes, SQLAlchemy and Scrapy registries) lives as long as the process, yet every full cyclic
collection would walk it again: ≈ 0.1 s of an unchanged ``run --once`` and 0.4 s of a first run
of 200 feeds. :func:`long_lived_imports` pauses the collector for the import and then moves
everything made so far out of its reach (``gc.freeze``).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_imports() -> Iterator[None]:
    """Run the block (its imports) with the collector paused; if it imported anything, freeze
    every object that exists then. The collector is back on after, or stays off if it was off.

    Freezing again after a later import also keeps that moment's other objects from the
    collector (the config, open engines): they live as long as the process too, and a block
    that imports nothing new (the second call of a service's crawl) freezes nothing."""
    before = len(sys.modules)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > before:
            gc.freeze()
        if enabled:
            gc.enable()
