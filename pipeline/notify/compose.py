"""A batch of deliveries as the one message it goes out as (an alert, or a digest), and what
to do when some of it cannot be rendered. Pure: nothing is sent or stored here."""

from __future__ import annotations

import logging
from dataclasses import replace

from pipeline.config.load import Config
from pipeline.notify.batches import Batch, Due
from pipeline.notify.channels import SendResult
from pipeline.notify.digest import render_digest
from pipeline.notify.render import Message, render
from pipeline.notify.routing import describe_route

log = logging.getLogger(__name__)

ERROR_LIMIT = 500

Unrenderable = tuple[str, tuple[Due, ...], SendResult]
"""(channel, the alerts that cannot be rendered, their failed outcome)."""


def rendered(
    batch: Batch, config: Config, origin: str
) -> tuple[Batch, Message | None, Unrenderable | None]:
    """``batch`` less the alerts that cannot be rendered, its message (None when none is
    left), and the bad alerts as a failed outcome.

    A digest with one bad alert still goes out with the others; the bad one fails alone
    with the reason, and the channel is not blamed."""
    try:
        return batch, batch_message(batch, config, origin), None
    except Exception as exc:  # a template or a stored value that cannot be shown
        problem = f"{type(exc).__name__}: {exc}"
    bad = []
    for item in batch.items:
        try:
            batch_message(replace(batch, items=(item,), digest=False), config, origin)
        except Exception:
            bad.append(item)
    rest = replace(batch, items=tuple(i for i in batch.items if i not in bad))
    try:
        message = batch_message(rest, config, origin) if bad and rest.items else None
    except Exception:  # only the digest of them all fails: none of it can go out
        message = None
    if message is None:
        rest, bad = replace(batch, items=()), list(batch.items)
    log.error("alert(s) %s cannot be rendered: %s", [i.event_id for i in bad], problem)
    failure = SendResult(False, f"cannot render this alert: {problem}"[:ERROR_LIMIT], False)
    return rest, message, (batch.channel, tuple(bad), failure)


def batch_message(batch: Batch, config: Config, origin: str) -> Message:
    """The message of ``batch`` in its route's language, times in each case's zone; ``origin``
    (this installation's id) and the deliveries make its Message-ID."""
    first = batch.items[0]
    index, route = batch.route if batch.route else (-1, None)
    language = route.language if route else "en"
    why = describe_route(index, route) if route else ""
    listed = config.settings.delivery.digest_entries
    if batch.digest:
        message = render_digest(
            [(i.event, _zone(config, i.event.case_slug)) for i in batch.items],
            language=language,
            route=why,
            period=_folded(batch, language, listed),
            listed=listed,
        )
        ref = f"casewatch.digest.{first.id}.{batch.items[-1].id}.{len(batch.items)}"
    else:
        message = render(
            first.event,
            language=language,
            timezone=_zone(config, first.event.case_slug),
            route=why,
        )
        ref = f"casewatch.{first.id}.{first.event_id}"
    return replace(message, ref=ref, origin=origin)


def _zone(config: Config, case_slug: str | None) -> str:
    case = next((c for c in config.cases if c.slug == case_slug), None)
    return case.timezone if case else config.settings.timezone


def _folded(batch: Batch, language: str, listed: int) -> str:
    """The digest's heading note when it folds alerts over a channel's hourly limit."""
    if not batch.folded:
        return ""
    count, more = len(batch.items), len(batch.items) > listed
    if language == "ru":
        note = f"(сверх лимита {batch.folded} в час: {count}"
        return note + (f", в письме первые {listed}; все — casewatch events)" if more else ")")
    note = f"(over the limit of {batch.folded} an hour: {count}"
    return note + (f", the first {listed} listed; all in casewatch events)" if more else ")")
