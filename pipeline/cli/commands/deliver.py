"""``casewatch deliver``: send the alerts that are due now, then exit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from pipeline.cli.context import AppContext

if TYPE_CHECKING:
    from pipeline.notify.report import DeliveryReport

NOW_HINT = (
    "alerts held by quiet hours go out when they end; `casewatch deliver --now` sends them now"
)


@click.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N deliveries.")
@click.option(
    "--now",
    "ignore_quiet",
    is_flag=True,
    help="Send the alerts held by quiet hours now too (each still once); digests keep their time.",
)
@click.pass_obj
def command(app: AppContext, limit: int | None, ignore_quiet: bool) -> None:
    """Send the alerts that are due now (retries, digests whose time has come, alerts held
    for quiet hours that are over), then exit; say how many are held, why and until when.
    `casewatch run --once` does this too.

    Holds follow the current alerts.yaml: quiet hours removed or shortened there release
    what they held at the next delivery."""
    from pipeline.notify.deliver import deliver_pending  # Apprise: only when sending

    report = deliver_pending(
        app.sessions(), app.config(), clock=app.clock, limit=limit, ignore_quiet=ignore_quiet
    )
    for line in report_lines(report, prefix="deliveries: "):
        click.echo(line)


def report_lines(report: DeliveryReport, prefix: str) -> list[str]:
    """The run's summary, and how to send now what quiet hours hold (`run --once` too)."""
    lines = [prefix + report.summary()]
    if report.quiet:
        lines.append(" " * len(prefix) + NOW_HINT)
    return lines
