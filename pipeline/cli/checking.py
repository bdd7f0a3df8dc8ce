"""``casewatch crawl SOURCE --check``: which source, and what each step found, printed.

No database is opened: a check stores nothing (:mod:`pipeline.fetch.check`), so it works
before the first run, on a machine where the store is not set up yet.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.text import Text

from pipeline.config.load import Config
from pipeline.config.sources import Source
from pipeline.logs import configure_logging, level_for, url_secrets
from pipeline.output import printable
from pipeline.store.responses import SIDE_FILES, kept_path

if TYPE_CHECKING:
    from pipeline.fetch.check import CheckResult
    from pipeline.items import CheckStep

PIPE_WIDTH = 1000
"""Lines are not wrapped in a pipe or a file (what is sent to the developers)."""


def checked_source(config: Config, name: str) -> Source:
    """The configured source ``name`` (enabled or not: a check comes before enabling it), or
    the one source of the kind ``name`` spells (``office-sud-kz`` → kind ``office_sud_kz``)."""
    by_id = {s.id: s for s in config.sources}
    if name in by_id:
        return by_id[name]
    kind = name.replace("-", "_")
    of_kind = [s for s in config.sources if s.kind == kind]
    if len(of_kind) == 1:
        return of_kind[0]
    if of_kind:
        ids = ", ".join(s.id for s in of_kind)
        raise click.BadParameter(f"{len(of_kind)} sources of kind {kind}: {ids}; name one",
                                 param_hint="SOURCE")  # fmt: skip
    raise click.BadParameter(f"no source {name!r} in the config", param_hint="SOURCE")


def console() -> Console:
    wide = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(file=sys.stdout, width=wide, highlight=False, soft_wrap=wide is not None)


def print_step(out: Console, step: CheckStep) -> None:
    """One step: its number and name, what was asked and the status, then what it found."""
    status = f"HTTP {step.status}" if step.status is not None else "no answer"
    rows = [("asked", f"{step.request} {step.url} → {status}"), *step.found]
    width = max(len(what) for what, _ in rows)
    out.print(Text.assemble((f"step {step.step}", "bold"), f"  {step.title}"))
    for what, found in rows:
        out.print(Text(printable(f"  {what:<{width}}  {found}")))


def print_outcome(out: Console, result: CheckResult, source: Source) -> None:
    """The verdict, and for a broken site what to send to the developers."""
    report = result.report
    if not report.ok:
        out.print(Text.assemble(("BROKEN  ", "bold red"), printable(report.error)))
        path = kept_path(report.error)
        if path:
            sides = ", ".join(path.rsplit(".", 1)[0] + side for side in SIDE_FILES)
            out.print(Text(printable(
                f"Send the developers this output and the kept response: {path} (with {sides})."
            )))  # fmt: skip
        return
    if result.gaps:
        out.print(Text.assemble(("INCOMPLETE  ", "bold yellow"), printable(
            f"{source.id}: a run would read the site but leave out: {result.gaps}; "
            "nothing would be removed on its scans (check court_ids / case_types)")))  # fmt: skip
        return
    read = f"{result.hearings} hearing row(s) read" if result.hearings else (
        "no day of the window listed hearings: the results table and the pager were not seen, "
        "only the empty-result message")  # fmt: skip
    out.print(Text.assemble(("WHOLE  ", "bold green"),
                            f"{source.id}: every step answered as expected; {read}"))  # fmt: skip


def run_check(config: Config, name: str, verbose: int) -> int:
    """Check one source; the exit code: 0 whole, 1 broken or incomplete."""
    from pipeline.fetch.check import check_source, checking_spider
    from pipeline.fetch.plan import crawl_settings

    source = checked_source(config, name)
    checking_spider(crawl_settings(config), source)  # a usage error before anything is printed
    secrets = [c.url for c in config.channels] + list(url_secrets(source.url))
    configure_logging(verbose, config.settings.log_format, secrets)
    scrapy_level = logging.getLevelName(level_for(verbose))
    out = console()
    out.print(
        Text(printable(f"checking {source.id} ({source.kind}) at {source.url}"), style="bold")
    )
    result = check_source(config, source, lambda step: print_step(out, step),
                          overrides={"LOG_LEVEL": scrapy_level})  # fmt: skip
    print_outcome(out, result, source)
    return 0 if result.whole else 1
