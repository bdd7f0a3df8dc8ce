"""Walking one source's site step by step, storing nothing (``casewatch crawl SOURCE --check``).

The source's own spider runs in check mode (one that supports it sets ``checks = True``): the
same requests, headers, cookies and retries as a run, but it yields a
:class:`~pipeline.items.CheckStep` for each answer it could read, walks only as far as the
cascade needs proving, and its items reach no item pipeline — no database is opened, no
hearing stored, no alert made. A failed report's response is kept under the data folder as a
run keeps it (:func:`~pipeline.store.responses.kept_report`), so the check prints the very
message and path a run would record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.clock import utc_now
from pipeline.config.load import Config
from pipeline.config.sources import Source
from pipeline.errors import SourceError
from pipeline.fetch.plan import crawl_settings, fetch_spec, plan_crawls
from pipeline.items import CheckStep, FetchReport, RawHearing
from pipeline.logs import quiet_libraries
from pipeline.store.responses import kept_report


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check met: the steps it could read, the spider's report, the rows it read."""

    source_id: str
    steps: tuple[CheckStep, ...]
    report: FetchReport
    hearings: int = 0

    @property
    def gaps(self) -> str:
        """What a run would leave unread (a configured court or case type not offered)."""
        return self.report.extra.get("gaps", "")

    @property
    def whole(self) -> bool:
        """The cascade answered every step, and a run would be a complete scan."""
        return self.report.ok and not self.gaps


def checking_spider(settings: Any, source: Source) -> type[Any]:
    """The spider serving ``source``'s kind, when it has a check mode."""
    plan, _ = plan_crawls(settings, [fetch_spec(source, None)])
    spider_cls = plan[0][0] if plan else None
    if spider_cls is None or not getattr(spider_cls, "checks", False):
        raise SourceError(f"{source.id}: --check walks step by step only sources of a kind "
                          f"whose spider has a check mode (office_sud_kz), not {source.kind!r}")  # fmt: skip
    return spider_cls


def check_source(
    config: Config,
    source: Source,
    on_step: Callable[[CheckStep], None] = lambda step: None,
    *,
    overrides: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> CheckResult:
    """Walk ``source``'s site in check mode, in this process (blocks; a process runs one
    crawl: Twisted's reactor does not restart). ``on_step`` hears of each step as it ends."""
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess

    settings = crawl_settings(config, {**(overrides or {}), "ITEM_PIPELINES": {}})
    spider_cls = checking_spider(settings, source)
    steps: list[CheckStep] = []
    reports: list[FetchReport] = []
    hearings: list[RawHearing] = []

    def collect(item: Any, **_: Any) -> None:
        if isinstance(item, CheckStep):
            steps.append(item)
            on_step(item)
        elif isinstance(item, FetchReport):
            reports.append(item)
        elif isinstance(item, RawHearing):
            hearings.append(item)

    process = AsyncCrawlerProcess(settings)
    quiet_libraries()  # the process set Scrapy's loggers to DEBUG
    crawler = process.create_crawler(spider_cls)
    crawler.signals.connect(collect, signal=signals.item_scraped)
    process.crawl(crawler, specs=[fetch_spec(source, None)], sources={source.id: source},
                  check=True)  # fmt: skip
    process.start(install_signal_handlers=False)
    report = reports[0] if reports else FetchReport(
        source.id, source.url, ok=False, error=f"{source.id}: no report (the spider failed)"
    )  # fmt: skip
    if report.response is not None:
        steps.append(failed_step(report))
        on_step(steps[-1])
    report = kept_report(report, config.data_dir(), clock())
    return CheckResult(source.id, tuple(steps), report, len(hearings))


def failed_step(report: FetchReport) -> CheckStep:
    """The step whose answer lacked what the spider expected, told like the others."""
    raw = report.response
    assert raw is not None
    problem = report.error.split(f"({raw.title}): ", 1)[-1] if raw.title else report.error
    return CheckStep(source_id=report.source_id, step=raw.step, title=raw.title,
                     request=raw.request, url=raw.url, status=raw.status,
                     found=(("MISSING", problem),))  # fmt: skip
