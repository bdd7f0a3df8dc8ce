"""``casewatch deliver``, ``casewatch deliveries`` and ``casewatch alerts test|retry``.

Registered at the end of :mod:`pipeline.cli.main`.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime

import click

from pipeline.cli.main import AppContext, _cutoff, _warn_unknown_case, listing_options
from pipeline.config.load import Config
from pipeline.events.kinds import ALERTS_TEST
from pipeline.notify.channels import AppriseNotifier, resolve_channel
from pipeline.notify.deliver import deliver_pending
from pipeline.notify.render import EventView, Message, format_time, render
from pipeline.notify.routing import DEFAULT_LANGUAGE, route_channels
from pipeline.output import render as render_rows
from pipeline.output import to_row
from pipeline.store import outbox

DELIVERY_COLUMNS = (
    "id", "created_at", "status", "channel", "kind", "case", "attempts", "next_attempt_at",
    "note", "last_error", "title",
)  # fmt: skip


@click.command()
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N deliveries.")
@click.pass_obj
def deliver(app: AppContext, limit: int | None) -> None:
    """Send the alerts that are due now (retries, digests whose time has come, alerts held
    for quiet hours that are over), then exit. `casewatch run --once` does this too."""
    report = deliver_pending(app.sessions(), app.config(), clock=app.clock, limit=limit)
    click.echo(
        f"deliveries: {report.sent} sent in {report.messages} message(s), {report.retried} to"
        f" retry, {report.failed} failed, {report.held} held; {report.pending} pending"
    )


@click.command()
@click.option(
    "--status",
    type=click.Choice(outbox.STATUSES),
    help="Only deliveries in this state.",
)
@click.option("--channel", metavar="ID", help="Only this channel.")
@listing_options
@click.pass_obj
def deliveries(
    app: AppContext,
    status: str | None,
    channel: str | None,
    case: str | None,
    since: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """The delivery log, newest first: each alert per channel, its state, attempts, why a
    pending one waits (quiet hours, digest time) and the last error."""
    cutoff = _cutoff(app, since)
    _warn_unknown_case(app, case)
    with app.sessions()() as session:
        entries = outbox.delivery_log(
            session, status=status, channel=channel, case=case, since=cutoff, limit=limit
        )
    render_rows([to_row(e) for e in entries], fmt, sys.stdout, DELIVERY_COLUMNS)  # type: ignore[arg-type]


@click.group()
def alerts() -> None:
    """Alert channels: send a test message, retry failed deliveries."""


@alerts.command("test")
@click.argument("channel_id", metavar="CHANNEL")
@click.option("--language", type=click.Choice(["en", "ru"]), help="Default: the channel's route.")
@click.pass_obj
def test_channel(app: AppContext, channel_id: str, language: str | None) -> None:
    """Send a test message to CHANNEL now (not through the outbox). Exit 1 when it fails."""
    config = app.config()
    channel = resolve_channel(config, channel_id)
    if channel is None:
        known = ", ".join(c.id for c in config.channels) or "none"
        raise click.BadParameter(
            f"{channel_id!r} is not an enabled channel with a URL (configured: {known})",
            param_hint="CHANNEL",
        )
    message = test_message(config, channel_id, language, app.clock())
    settings = config.settings.delivery
    notifier = AppriseNotifier(timeout=settings.timeout, min_interval=settings.min_interval)
    try:
        result = notifier.send(channel, message)
    finally:
        notifier.close()
    if not result.ok:
        click.echo(f"casewatch: test alert to {channel_id} failed: {result.error}", err=True)
        sys.exit(1)
    click.echo(f"test alert sent to {channel_id}")


def test_message(config: Config, channel_id: str, language: str | None, now: datetime) -> Message:
    """The ``alerts.test`` message, in the language of the first route sending to the channel."""
    routed = [r for r in config.routes if channel_id in route_channels(r, config.channels)]
    lang = language or (routed[0].language if routed else DEFAULT_LANGUAGE)
    sent_at = format_time(now, config.settings.timezone)
    event = EventView(ALERTS_TEST.name, None, {"channel": channel_id, "sent_at": sent_at})
    return replace(render(event, language=lang), ref=f"casewatch.test.{int(now.timestamp())}")


@alerts.command("retry")
@click.option("--channel", metavar="ID", help="Only this channel's failed deliveries.")
@click.pass_obj
def retry(app: AppContext, channel: str | None) -> None:
    """Make failed deliveries pending again (fresh attempts), due now."""
    with app.sessions().begin() as session:
        count = outbox.retry_failed(session, app.clock(), channel)
    click.echo(f"{count} failed deliveries queued again; `casewatch deliver` sends them")
