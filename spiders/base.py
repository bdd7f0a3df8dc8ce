"""The spider contract, owned by one base class: :class:`SourceSpider`.

A spider declares the source kinds it serves (``kinds``: the ``kind:`` values of sources.yaml)
and the keys of a row that are its own (``Options``, a pydantic model; the YAML stays flat). The
base plans the crawl from the config entries, guards every callback (:func:`source_callback`),
is the one errback (:meth:`SourceSpider.on_error`), and lets exactly one FetchReport out per
source and crawl (:class:`SourceRun`). A spider adds its requests and what its answers mean;
the parsing itself lives in ``pipeline.parse``.

In a crawl every guarded callback runs in a worker thread, within the parse budget
(:mod:`pipeline.parse.offloop`), so no parse holds up the loop that fetches; the callbacks and
errbacks of one source take turns (:attr:`SourceRun.turn`), and their items go out from the
loop. A callback may change its own source's run, never anything shared between sources.

Not a spider itself (the spider loader finds none here: ``SourceSpider`` has no name).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import scrapy
from pydantic import ValidationError
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.config.load import Config, load_config
from pipeline.config.sources import Source, SourceOptions
from pipeline.errors import ParseOverBudget
from pipeline.items import FetchReport, FetchSpec
from pipeline.parse.offloop import ParseWorkers, on_loop
from pipeline.parse.responses import describe_failure, failed_report, failure_status

DEFAULT_MAX_BODY = 10 * 1024 * 1024


def spec_of(meta: Mapping[str, Any]) -> FetchSpec:
    """The request's FetchSpec (a mapping is accepted too: meta may come from JSON)."""
    spec = meta["spec"]
    return spec if isinstance(spec, FetchSpec) else FetchSpec(**spec)


def entry_of(meta: Mapping[str, Any]) -> Source | None:
    """The request's source entry, if it carries one (a mapping too: meta may come from JSON)."""
    entry = meta.get("source")
    if entry is None or isinstance(entry, Source):
        return entry
    return Source.model_validate(entry)


def config_entries(config: Config, kinds: Iterable[str]) -> dict[str, Source]:
    """Every row of ``kinds``: configured (enabled or not) and generated (the news searches)."""
    kinds = tuple(kinds)
    rows = (*config.sources, *config.enabled_sources())
    return {s.id: s for s in rows if s.kind in kinds}


def specs_from_config(
    config: Config, kinds: Iterable[str], wanted: str | None = None
) -> tuple[FetchSpec, ...]:
    """Every enabled source of ``kinds``; ``wanted`` is fetched even when disabled (to try it)."""
    return tuple(
        FetchSpec(source_id=s.id, url=s.url, kind=s.kind, language=s.language or "")
        for s in config_entries(config, kinds).values()
        if s.enabled or s.id == wanted
    )


def sources_from_config(config: Config, kinds: Iterable[str]) -> dict[str, Source]:
    return config_entries(config, kinds)


def options_problem(exc: ValidationError) -> str:
    """``field: message`` for each error of a kind's options."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'options'}: "
        f"{err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors()
    )


@dataclass(slots=True)
class SourceRun:
    """One source in this crawl: what to fetch, its config row and options, the requests still
    in flight, and whether its one FetchReport has gone out. Mutable on purpose: the callbacks
    of one source interleave."""

    spec: FetchSpec
    entry: Source | None = None
    options: Any = None
    """The spider's ``Options`` read from ``entry``."""
    pending: int = 0
    reported: bool = False
    state: Any = None
    """What the spider keeps for the source between callbacks (:meth:`SourceSpider.new_state`)."""
    abandoned: bool = False
    """A parse of this source ran over its budget: the source has failed, and the rest of its
    answers are dropped unread (the abandoned thread may still be writing to ``state``)."""
    turn: asyncio.Lock | None = None
    """Held while one callback or errback of the source runs: they take turns, so what they
    change (``pending``, ``state``) is never changed by two threads at once."""


Callback = Callable[..., Iterator[Any]]


def source_callback(callback: Callback) -> Callback:
    """Guard a callback: its request is no longer pending, a second report of its source is
    dropped, and whatever it meets, the source still gets its report
    (:meth:`SourceSpider.callback_failed` says which; by default the source failed).

    In a crawl (a running asyncio loop) the callback runs in a worker thread within the parse
    budget (:meth:`SourceSpider.off_loop`), so no parse blocks the fetching; called on its own
    (the saved-response fixtures) it runs inline, as a plain generator."""

    @functools.wraps(callback)
    def guarded(spider: SourceSpider, response: Response, **kwargs: Any) -> Any:
        if on_loop():
            return spider.off_loop(callback, response, kwargs)
        return spider.inline(callback, response, kwargs)

    return guarded


def _drain(items: Iterable[Any]) -> tuple[list[Any], Exception | None]:
    """Everything ``items`` yields, and the exception that ended it early (if one did)."""
    out: list[Any] = []
    try:
        for item in items:
            out.append(item)
    except Exception as exc:
        return out, exc
    return out, None


class SourceSpider(scrapy.Spider):
    """A spider whose work is config entries of its ``kinds``: given by the runner
    (``crawl(Spider, specs=[FetchSpec…], sources={id: Source})``) or read from the config folder
    (``scrapy crawl NAME [-a source=ID]``).

    A subclass sets ``name``, ``kinds`` and ``Options``, yields a source's first requests from
    :meth:`begin` (built with :meth:`request`), and decorates its callbacks with
    :func:`source_callback`."""

    kinds: ClassVar[tuple[str, ...]] = ()
    """Source kinds this spider serves (the runner and the config find spiders by kind)."""
    Options: ClassVar[type[SourceOptions]] = SourceOptions
    """The keys of a sources.yaml row this spider reads, beyond those every source has."""
    needs_entry: ClassVar[bool] = True
    """False when a FetchSpec says all the spider needs: no config row is looked up."""
    rereads: ClassVar[bool] = False
    """True when the spider reads a source back to what it stored and sees its items' edits
    and removals itself (a Telegram channel): its FetchSpec carries the URL of the source's
    newest stored article (``newest_url``), and its articles' pages are not re-checked as
    evidence (its own reading is the check)."""
    checks: ClassVar[bool] = False
    """True when the spider takes ``check=True`` (``casewatch crawl SOURCE --check``): it then
    yields a ``CheckStep`` per answer, walks only as far as proving the site needs, and stores
    nothing (the check runs it without the item pipeline)."""

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
        self.runs: dict[str, SourceRun] = {}

    # ------------------------------------------------------------ planning

    async def start(self) -> AsyncIterator[Any]:
        for run in self.plan():
            for item in self.once(self._begin(run)):
                yield item

    def plan(self) -> list[SourceRun]:
        """The sources to fetch, each with its config entry (None when it has none)."""
        specs, sources = self.specs, self.sources
        if specs is None or (sources is None and self.needs_entry):
            config = load_config(self.settings.get("CASEWATCH_CONFIG"))
            if specs is None:
                specs = specs_from_config(config, self.kinds, self.source)
            if sources is None:
                sources = sources_from_config(config, self.kinds)
        if self.source:
            specs = tuple(s for s in specs if s.source_id == self.source)
            if not specs:
                self.logger.error("source %r: no %s source with that id", self.source, self.name)
        entries = {k: v for k, v in (sources or {}).items() if v.kind in self.kinds}
        for spec in specs:
            self.runs[spec.source_id] = SourceRun(
                spec, entries.get(spec.source_id), state=self.new_state()
            )
        return [self.runs[spec.source_id] for spec in specs]

    def _begin(self, run: SourceRun) -> Iterator[Any]:
        if run.entry is None and self.needs_entry:
            yield self.fail(run, f"no {self.name} entry with this id in the config")
            return
        try:
            run.options = self.options_for(run.entry)
        except ValidationError as exc:
            yield self.fail(run, f"config: {options_problem(exc)}")
            return
        problem = self.Options.url_problem(run.spec.url)
        if problem:
            yield self.fail(run, f"config: url: {problem}")
            return
        try:
            yield from self.begin(run)
        except Exception as exc:
            self.logger.exception("%s: cannot start", run.spec.source_id)
            yield self.fail(run, f"cannot start: {exc!r}")

    def begin(self, run: SourceRun) -> Iterator[Any]:
        """A source's first requests (or its report, when it cannot be fetched)."""
        raise NotImplementedError

    def new_state(self) -> Any:
        """A source's :attr:`SourceRun.state` before its first request (None: it keeps none)."""
        return None

    def options_for(self, entry: Source | None) -> Any:
        """The spider's ``Options`` of a config row (defaults without one)."""
        return self.Options.model_validate(entry.options if entry is not None else {})

    # ------------------------------------------------------------ running callbacks

    @functools.cached_property
    def parse_workers(self) -> ParseWorkers:
        """This crawl's parse threads, each parse within ``CASEWATCH_PARSE_BUDGET`` seconds."""
        return ParseWorkers.from_settings(getattr(self, "settings", None))

    def inline(
        self, callback: Callback, response: Response, kwargs: dict[str, Any]
    ) -> Iterator[Any]:
        """A guarded callback run here and now (no loop: a saved response replayed)."""
        run = self.run_of(response.meta)
        run.pending -= 1
        items, problem = _drain(callback(self, response, **kwargs))
        yield from self.once(items)
        if problem is not None:
            self.logger.error("%s: cannot read %s", run.spec.source_id, response.url,
                              exc_info=problem)  # fmt: skip
            yield from self.once(self.callback_failed(run, response, problem))

    async def off_loop(
        self, callback: Callback, response: Response, kwargs: dict[str, Any]
    ) -> AsyncIterator[Any]:
        """A guarded callback in a crawl: the callback's generator is run to its end in a
        worker thread, in its source's turn; its items go out from the loop. Over the parse
        budget, the source fails with the named error and its later answers are dropped. A
        response without a body (a 304) has nothing to parse: its callback runs here, in its
        turn, without a thread."""
        run = self.run_of(response.meta)
        async with self.turn_of(run):
            run.pending -= 1
            if run.abandoned:
                return

            def work() -> tuple[list[Any], Exception | None]:
                return _drain(callback(self, response, **kwargs))

            try:
                items, problem = (
                    await self.parse_workers.run(work, f"parsing {response.url}")
                    if response.body
                    else work()
                )
            except ParseOverBudget as exc:
                run.abandoned = True
                out = list(self.once([self.fail(run, str(exc), response.status)]))
            else:
                out = list(self.once(items))
                if problem is not None:
                    self.logger.error("%s: cannot read %s", run.spec.source_id, response.url,
                                      exc_info=problem)  # fmt: skip
                    out += self.once(self.callback_failed(run, response, problem))
        for item in out:
            yield item

    def turn_of(self, run: SourceRun) -> asyncio.Lock:
        if run.turn is None:
            run.turn = asyncio.Lock()
        return run.turn

    # ------------------------------------------------------------ requests and runs

    @property
    def max_body(self) -> int:
        """The body size cap of the project (``CASEWATCH_MAX_BODY_BYTES``)."""
        return self.settings.getint("CASEWATCH_MAX_BODY_BYTES", DEFAULT_MAX_BODY)

    def request(
        self,
        run: SourceRun,
        url: str,
        callback: Callback,
        *,
        meta: Mapping[str, Any] | None = None,
        factory: Callable[..., scrapy.Request] = scrapy.Request,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request of ``run``'s source, pending until its callback or errback has run, and
        never dropped as a duplicate by Scrapy (the spider decides what it has seen)."""
        run.pending += 1
        carried: dict[str, Any] = {"spec": run.spec}
        if run.entry is not None:
            carried["source"] = run.entry
        return factory(url, callback=callback, errback=self.on_error, dont_filter=True,
                       meta={**carried, **(meta or {})}, **kwargs)  # fmt: skip

    def spec_of(self, meta: Mapping[str, Any]) -> FetchSpec:
        return spec_of(meta)

    def run_of(self, meta: Mapping[str, Any]) -> SourceRun:
        """The request's source run; a response replayed on its own (a saved fixture) starts
        one from its meta, with itself as the one pending request."""
        spec = self.spec_of(meta)
        run = self.runs.get(spec.source_id)
        if run is None:
            entry = entry_of(meta)
            run = SourceRun(spec, entry, self.options_for(entry), 1, state=self.new_state())
            self.runs[spec.source_id] = run
        return run

    # ------------------------------------------------------------ reports

    def once(self, items: Iterable[Any]) -> Iterator[Any]:
        """``items``, with only the first FetchReport of each source: a later one is dropped."""
        for item in items:
            if isinstance(item, FetchReport):
                run = self.runs.setdefault(item.source_id, SourceRun(FetchSpec(
                    item.source_id, item.url, self.name)))  # fmt: skip
                if run.reported:
                    self.logger.error("%s: a second report dropped (%r)", item.source_id, item)
                    continue
                run.reported = True
            yield item

    def fail(self, run: SourceRun, problem: str, status: int | None = None) -> FetchReport:
        """The failed report of ``run``'s source (logged)."""
        report = failed_report(run.spec, problem, status)
        self.logger.warning("%s", report.error)
        return report

    def callback_failed(self, run: SourceRun, response: Response, exc: Exception) -> Iterator[Any]:
        """What a callback that raised yields: by default, the source failed."""
        yield self.fail(run, f"parse failed: {exc!r}", response.status)

    def on_error(self, failure: Failure) -> Any:
        """The one errback: a request that got no response its callback could read (after
        Scrapy's retries). In a crawl it waits for its source's turn (:meth:`off_loop`)."""
        if on_loop():
            return self._on_error_in_turn(failure)
        return self._on_error(failure)

    async def _on_error_in_turn(self, failure: Failure) -> AsyncIterator[Any]:
        run = self.run_of(failure.request.meta)  # type: ignore[attr-defined]
        async with self.turn_of(run):
            out = list(self._on_error(failure))
        for item in out:
            yield item

    def _on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        run = self.run_of(request.meta)
        run.pending -= 1
        if run.abandoned:
            return
        max_body = self.settings.getint("DOWNLOAD_MAXSIZE")
        problem = describe_failure(failure, request.meta, max_body)
        yield from self.once(self.request_failed(run, request, problem, failure))

    def request_failed(
        self, run: SourceRun, request: scrapy.Request, problem: str, failure: Failure
    ) -> Iterator[Any]:
        """What a request without a readable response yields: by default, the source failed."""
        self.logger.warning("%s: %s (%s)", run.spec.source_id, problem, request.url)
        yield failed_report(run.spec, problem, failure_status(failure))
