"""Helpers every spider shares: the request's FetchSpec and source entry, failure reports,
readable failures, and :class:`ConfiguredSpider`, the base of spiders driven by config entries.

Not a spider itself (the spider loader finds none here: ``ConfiguredSpider`` has no name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import scrapy
from twisted.python.failure import Failure

from pipeline.config.load import Config, load_config
from pipeline.config.sources import Source
from pipeline.items import FetchReport, FetchSpec


def spec_of(meta: Mapping[str, Any]) -> FetchSpec:
    """The request's FetchSpec (a mapping is accepted too: meta may come from JSON)."""
    spec = meta["spec"]
    return spec if isinstance(spec, FetchSpec) else FetchSpec(**spec)


def failed(spec: FetchSpec, problem: str, status: int | None = None) -> FetchReport:
    return FetchReport(
        source_id=spec.source_id,
        url=spec.url,
        status=status,
        ok=False,
        error=f"{spec.source_id}: {problem}",
    )


def describe_failure(failure: Failure, meta: Mapping[str, Any], max_body: int) -> str:
    """A readable problem for a download that produced no response the callback could see.

    A cancelled download counts as an oversized body: Scrapy cancels one in flight only when
    the body streaming in outgrows ``download_maxsize`` (without a Content-Length to refuse
    it up front)."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc)
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    if "max size" in text or "DOWNLOAD_MAXSIZE" in text or "Cancelled" in name:
        return f"body over {human_size(meta.get('download_maxsize', max_body))} cap"
    if "Timeout" in name or "TimedOut" in name:
        return f"timed out after {meta.get('download_timeout', 0):g}s"
    if "Refused" in name:
        return "connection refused"
    if "DNS" in name or "Resolve" in name:
        return "cannot resolve host"
    if name == "IgnoreRequest":
        return f"request ignored: {text or 'no reason given'}"
    return f"{name}: {text}" if text else name


def human_size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


def entry_of(meta: Mapping[str, Any]) -> Source:
    """The request's source entry (a mapping is accepted too: meta may come from JSON)."""
    entry = meta["source"]
    return entry if isinstance(entry, Source) else Source.model_validate(entry)


def specs_from_config(
    config: Config, kinds: Iterable[str], wanted: str | None = None
) -> tuple[FetchSpec, ...]:
    """Every enabled source of ``kinds``; ``wanted`` is fetched even when disabled (to try it)."""
    kinds = tuple(kinds)
    return tuple(
        FetchSpec(source_id=s.id, url=s.url, kind=s.kind, language=s.language or "")
        for s in config.sources
        if s.kind in kinds and (s.enabled or s.id == wanted)
    )


def sources_from_config(config: Config, kinds: Iterable[str]) -> dict[str, Source]:
    kinds = tuple(kinds)
    return {s.id: s for s in config.sources if s.kind in kinds}


class ConfiguredSpider(scrapy.Spider):
    """A spider whose work is config entries of its ``kinds``: given by the runner
    (``crawl(Spider, specs=[FetchSpec…], sources={id: Source})``) or read from the config folder
    (``scrapy crawl NAME [-a source=ID]``)."""

    kinds: ClassVar[tuple[str, ...]] = ()
    """Source kinds this spider serves (the runner routes specs by kind)."""

    def __init__(
        self,
        specs: Iterable[FetchSpec] | None = None,
        sources: Mapping[str, Source] | None = None,
        source: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.specs = None if specs is None else tuple(specs)
        self.sources = None if sources is None else dict(sources)
        self.source = source

    def plan(self) -> tuple[tuple[FetchSpec, ...], dict[str, Source]]:
        """The specs to fetch and the source entries that say how to read them."""
        specs, sources = self.specs, self.sources
        if specs is None or sources is None:
            config = load_config(self.settings.get("CASEWATCH_CONFIG"))
            if specs is None:
                specs = specs_from_config(config, self.kinds, self.source)
            if sources is None:
                sources = sources_from_config(config, self.kinds)
        if self.source:
            specs = tuple(s for s in specs if s.source_id == self.source)
            if not specs:
                self.logger.error("source %r: no %s source with that id", self.source, self.name)
        return specs, {k: v for k, v in sources.items() if v.kind in self.kinds}
