"""What makes a process start fast: heavy libraries imported where a command first needs
them, out of the collector's way, and a cache folder for what is costly to compute again.

A ``run --once`` with nothing due must not pay for Scrapy and Twisted (issue 14), so the crawl
machinery is imported when there is something to crawl. What such an import makes (modules,
classes, SQLAlchemy and Scrapy registries) lives as long as the process, yet every full cyclic
collection would walk it again: ≈ 0.1 s of an unchanged ``run --once`` and 0.4 s of a first run
of 200 feeds. :func:`long_lived_imports` pauses the collector for the import and then moves
everything made so far out of its reach (``gc.freeze``).
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


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


def cache_folder() -> Path | None:
    """Where casewatch keeps what it can compute again (``$XDG_CACHE_HOME/casewatch``, else
    ``~/.cache/casewatch``); None without a home folder."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casewatch"
    except RuntimeError:  # no home folder to expand
        return None


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Write a cache file through ``write`` so that a reader never sees half of it; False
    when the folder is read-only or full (the next process computes it again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            try:
                write(out)
            except BaseException:
                os.unlink(out.name)
                raise
        os.replace(out.name, path)
    except OSError:
        return False
    return True
