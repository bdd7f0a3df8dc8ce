"""Send the due deliveries of the outbox and record each outcome.

A run first plans the held deliveries again with the config it has (``batches``): a hold that
no longer applies (quiet hours removed or shortened, ``ignore_quiet``) is lifted and the
delivery is due now; a hold that changed is moved. Then it looks at every due pending delivery
and, by the route that sends it (``routing.route_for``):

* holds it without counting an attempt — until the route's next digest time, or until its
  quiet hours end when it is not urgent (``timing``), unless ``ignore_quiet``;
* collects it into a digest: one message per channel and route with every due event;
* or sends it alone, right away.

Each message is sent in three short steps: claim its deliveries (one transaction), render and
send (no transaction open while the network is used), record the outcome (one transaction).
Messages go out one after another, so when the process dies at most one message can have been
sent without its commit: that one is sent again after the restart (with the same email
Message-ID); nothing else is. A failed send stays pending and is retried after
``backoff * 2**(attempts-1)`` (at most ``max_backoff``); after ``max_attempts`` it is
``failed``. A channel that fails ``breaker`` times in a row is left alone until the next run;
after ``channel_failing_after`` failed attempts in a row it raises ``channel.failing`` once
(to the other channels routed for it, e.g. the ``ops`` tag), and ``channel.recovered`` when it
works again.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings
from pipeline.events.health import channel_health_event
from pipeline.notify.batches import Batch, Due, Hold, plan
from pipeline.notify.channels import (
    CONSOLE_CHANNEL,
    CONSOLE_URL,
    AppriseNotifier,
    Notifier,
    SendResult,
    choose_body,
    print_message,
    resolve_channel,
    scrub,
)
from pipeline.notify.compose import ERROR_LIMIT, rendered
from pipeline.notify.render import EventView, Message
from pipeline.notify.report import DeliveryReport, quiet_count, waiting_by_reason
from pipeline.notify.routing import channels_for
from pipeline.store import outbox
from pipeline.store.events import add_events

log = logging.getLogger(__name__)

__all__ = [
    "CONSOLE_CHANNEL",
    "CONSOLE_URL",
    "AppriseNotifier",
    "DeliveryReport",
    "Notifier",
    "SendResult",
    "choose_body",
    "deliver_pending",
    "next_attempt_delay",
    "print_message",
    "resolve_channel",
    "scrub",
]


def deliver_pending(
    sessions: sessionmaker[Session],
    config: Config,
    *,
    clock: Callable[[], datetime],
    notifier: Notifier | None = None,
    limit: int | None = None,
    ignore_quiet: bool = False,
) -> DeliveryReport:
    """Send every due pending delivery (at most ``limit``), holding what must wait.

    ``ignore_quiet``: quiet hours hold nothing, and what they held goes out now (``casewatch
    deliver --now``) — each delivery still once: it is claimed before it is sent.
    """
    settings = config.settings.delivery
    own = notifier is None
    notifier = notifier or AppriseNotifier(
        timeout=settings.timeout, min_interval=settings.min_interval
    )
    run = _Run(sessions, config, notifier, clock, ignore_quiet)
    try:
        with sessions.begin() as session:
            outbox.ensure_channels(session, (c.id for c in config.channels))
            run.origin = outbox.installation_id(session, clock())
        run.recheck(_load(sessions, clock(), held=True))
        run.deliver(_load(sessions, clock(), limit))
        if run.new_events:  # channel.failing / recovered: tell the ops channel now
            run.deliver(_load(sessions, clock(), None, run.new_events))
    finally:
        close = getattr(notifier, "close", None)
        if own and callable(close):
            close()
    with sessions() as session:
        pending = outbox.counts(session)[outbox.PENDING]
    o = run.outcomes
    report = DeliveryReport(
        o["sent"], o["failed"], o["retried"], pending, o["held"], o["messages"],
        waiting_by_reason(run.waiting, clock()), quiet_count(run.waiting),
    )  # fmt: skip
    if sum(o.values()):
        log.info("deliveries: %s", report.summary())
    return report


def next_attempt_delay(attempts: int, settings: DeliverySettings) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: exponential, capped."""
    exponent = min(max(attempts - 1, 0), 32)
    return min(settings.backoff * 2**exponent, settings.max_backoff)


def _load(
    sessions: sessionmaker[Session],
    now: datetime,
    limit: int | None = None,
    event_ids: Iterable[int] | None = None,
    *,
    held: bool = False,
) -> list[Due]:
    """The due deliveries (at most ``limit``; of ``event_ids`` only), or with ``held`` the
    held ones not due yet."""
    with sessions() as session:
        if held:
            rows = outbox.held(session, now)
        else:
            rows = outbox.due(session, now, limit, event_ids=event_ids)
        events = outbox.events_by_id(session, (row.event_id for row in rows))
        return [
            Due(
                row.id,
                row.channel,
                row.attempts,
                row.event_id,
                row.created_at,
                EventView.of(events[row.event_id]),
                row.note,
                row.next_attempt_at if row.note is not None else None,
            )
            for row in rows
            if row.event_id in events
        ]


def _as_claimed(session: Session, items: tuple[Due, ...]) -> tuple[Due, ...]:
    """The claimed deliveries with their events as they are once claimed: an alert no
    channel had sent may have been rewritten since it was loaded (the publisher's own copy
    of an article taking over the alert of its aggregator copy,
    ``store.events.rewrite_unsent``); a claimed one is never rewritten again."""
    events = outbox.events_by_id(session, (i.event_id for i in items)) if items else {}
    return tuple(
        replace(i, event=EventView.of(events[i.event_id])) if i.event_id in events else i
        for i in items
    )


# ---------------------------------------------------------------- sending


class _Run:
    """One delivery run: its outcomes, per-channel failure streaks and new health events."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: Config,
        notifier: Notifier,
        clock: Callable[[], datetime],
        ignore_quiet: bool = False,
    ) -> None:
        self.sessions, self.config, self.notifier, self.clock = sessions, config, notifier, clock
        self.ignore_quiet = ignore_quiet
        self.settings = config.settings.delivery
        self.outcomes: Counter[str] = Counter()
        self.waiting: Counter[Hold] = Counter()
        """Deliveries left held after this run, per hold."""
        self.streak: Counter[str] = Counter()
        self.healthy: set[str] = set()
        self.new_events: list[int] = []
        self.origin = ""
        """This installation's id, for Message-IDs (read once per run)."""
        self._carry: list[tuple[str, tuple[Due, ...], SendResult]] = []

    def recheck(self, items: Sequence[Due]) -> None:
        """Plan held deliveries again with this run's config: lift the holds that no longer
        apply (the deliveries are due now), move the ones that changed, keep the rest."""
        if not items:
            return
        now = self.clock()
        work = plan(items, self.config, now, ignore_quiet=self.ignore_quiet)
        lifted = [i.id for b in work.batches for i in b.items]
        with self.sessions.begin() as session:
            for hold, held in work.holds.items():
                if hold.until <= now:  # due now after all: planned with the due ones
                    lifted += [i.id for i in held]
                    continue
                moved = [i.id for i in held if (i.held_until, i.note) != (hold.until, hold.note)]
                outbox.hold(session, moved, hold.until, hold.note, now)
                self.waiting[hold] += len(held)
            outbox.release(session, lifted, now)

    def deliver(self, items: Sequence[Due]) -> None:
        now = self.clock()
        work = plan(items, self.config, now, ignore_quiet=self.ignore_quiet)
        if work.holds:
            with self.sessions.begin() as session:
                for hold, held in work.holds.items():
                    count = outbox.hold(session, [i.id for i in held], hold.until, hold.note, now)
                    self.outcomes["held"] += count
                    self.waiting[hold] += count
        budget = self._hourly_budget()
        over: dict[str, list[Batch]] = defaultdict(list)
        for batch in work.batches:
            if self.streak[batch.channel] >= self.settings.breaker:
                continue  # the channel is down: leave the rest for the next run
            if budget is not None and budget.get(batch.channel, 0) <= 0 and not batch.digest:
                over[batch.channel].append(batch)
                continue
            self._send(batch)
            if budget is not None and batch.channel in budget:
                budget[batch.channel] -= len(batch.items)
        for channel, batches in over.items():  # never dropped: one digest says how many
            if self.streak[channel] < self.settings.breaker:
                items = tuple(i for b in batches for i in b.items)
                route = batches[0].route
                self._send(Batch(channel, items, route, True, self.settings.max_per_hour))
        self._flush()

    def _hourly_budget(self) -> dict[str, int] | None:
        """Alerts each channel may still send one by one this hour (None: no limit)."""
        cap = self.settings.max_per_hour
        if not cap:
            return None
        with self.sessions() as session:
            sent = outbox.sent_since(session, self.clock() - timedelta(hours=1))
        channels = {c.id for c in self.config.channels} | set(sent) | {CONSOLE_CHANNEL.id}
        return {channel: cap - sent.get(channel, 0) for channel in channels}

    def _send(self, batch: Batch) -> None:
        """Claim ``batch`` in the transaction that records the previous send, then send it.

        One commit per message; the previous outcome is committed before this message goes
        out, so at any moment at most one sent message lacks its commit.
        """
        now = self.clock()
        lease = now + self.settings.lease_for()
        with self.sessions.begin() as session:
            self._record_carried(session)
            claimed = tuple(i for i in batch.items if outbox.claim(session, i.id, now, lease))
            claimed = _as_claimed(session, claimed)
        if not claimed:
            return
        batch, message, unrenderable = rendered(
            replace(batch, items=claimed), self.config, self.origin
        )
        if unrenderable:
            self._carry.append(unrenderable)
        if message is None:
            return
        result = self._attempt(batch, message)
        if result.ok or result.channel_fault:
            self.streak[batch.channel] = 0 if result.ok else self.streak[batch.channel] + 1
        self._carry.append((batch.channel, batch.items, result))

    def _flush(self) -> None:
        if self._carry:
            with self.sessions.begin() as session:
                self._record_carried(session)

    def _record_carried(self, session: Session) -> None:
        carried, self._carry = self._carry, []
        for channel, items, result in carried:
            self._record(session, channel, items, result)

    def _attempt(self, batch: Batch, message: Message) -> SendResult:
        """Send one rendered message; any error becomes a readable failed result."""
        channel = resolve_channel(self.config, batch.channel)
        if channel is None:
            return SendResult(
                False, f"{batch.channel}: channel is not in alerts.yaml or is disabled"
            )
        try:
            result = self.notifier.send(channel, message)
        except Exception as exc:  # a bug in one delivery must not stop the others
            result = SendResult(False, f"{type(exc).__name__}: {exc}")
            crash = scrub(result.error, channel.url)
            log.error("delivery to channel %s crashed: %s", channel.id, crash)
        if result.ok:
            return result
        error = scrub(result.error or "the notifier reported a failure", channel.url)
        return SendResult(False, f"{channel.id}: {error}"[:ERROR_LIMIT])

    def _record(
        self, session: Session, channel: str, items: Sequence[Due], result: SendResult
    ) -> None:
        done = self.clock()
        if result.ok:
            for item in items:
                outbox.mark_sent(session, item.id, done)
            self.outcomes["sent"] += len(items)
            self.outcomes["messages"] += 1
            if channel not in self.healthy:  # once per run, and after each failure
                self.healthy.add(channel)
                if outbox.record_success(session, channel, done):
                    self._health_event(session, channel, result, done, recovered=True)
            return
        if not result.channel_fault:  # the alert is at fault: it fails for good, alone
            for item in items:
                self._fail(session, item, result.error, done, give_up=True)
            return
        self.healthy.discard(channel)
        for item in items:
            self._fail(session, item, result.error, done)
        reached = outbox.record_failure(
            session, channel, result.error, done, self.settings.channel_failing_after
        )
        if reached:
            self._health_event(session, channel, result, done, recovered=False)

    def _fail(
        self, session: Session, item: Due, error: str, done: datetime, *, give_up: bool = False
    ) -> None:
        attempts = item.attempts + 1
        give_up = give_up or attempts >= self.settings.max_attempts
        retry_at = done + next_attempt_delay(attempts, self.settings)
        outbox.mark_failed(session, item.id, error, retry_at, give_up=give_up, now=done)
        self.outcomes["failed" if give_up else "retried"] += 1
        state = "failed for good" if give_up else "failed, will retry"
        log.warning(
            "delivery %d (%s) attempt %d %s: %s", item.id, item.event.kind, attempts, state, error
        )

    def _health_event(
        self, session: Session, channel: str, result: SendResult, at: datetime, *, recovered: bool
    ) -> None:
        failures = self.settings.channel_failing_after
        event = channel_health_event(
            channel, recovered=recovered, failures=failures, error=result.error, at=at
        )
        exclude = frozenset({channel})
        ids = add_events(
            session, [event], lambda k, c: channels_for(k, c, self.config, exclude=exclude), at
        )
        self.new_events.extend(ids)
        log.warning("alert channel %s: %s", channel, event.kind)
