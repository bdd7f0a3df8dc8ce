"""``casewatch crawl SOURCE...``: ``run --once`` for just these sources, due or not;
``casewatch crawl SOURCE --check``: walk one source's site step by step, storing nothing."""

from __future__ import annotations

import click

from pipeline.cli.commands.run import command as run
from pipeline.cli.context import AppContext


@click.command("crawl")
@click.argument("source_ids", metavar="SOURCE...", nargs=-1, required=True)
@click.option(
    "--check",
    is_flag=True,
    help="Walk one source's site step by step (office_sud_kz sources) and print what each step "
    "asked and found; stop at the first missing piece. Stores nothing, alerts nobody, needs no "
    "database. SOURCE may be the kind (office-sud-kz) when one source has it. Exit 0 when every "
    "step answered as expected, 1 otherwise.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.pass_context
def command(ctx: click.Context, source_ids: tuple[str, ...], check: bool, verbose: int) -> None:
    """Fetch these sources now, due or not, store, alert: `run --once` for just them.
    With --check, walk one source's site step by step instead (see --check)."""
    if check:
        if len(source_ids) > 1:
            raise click.UsageError("--check takes one SOURCE")
        from pipeline.cli.checking import run_check

        app: AppContext = ctx.obj
        ctx.exit(run_check(app.config(), source_ids[0], verbose))
    try:
        ctx.invoke(run, once=True, all_sources=False, only=source_ids, verbose=verbose)
    except click.BadParameter as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param_hint="SOURCE") from exc
