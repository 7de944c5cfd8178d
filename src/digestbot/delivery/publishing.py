"""publish(issue): render once per channel and variant, record the intent for every target,
then fan out on all channels at once. Re-running it sends only what is not sent yet."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from digestbot.config import Config
from digestbot.delivery.fanout import ChannelDownAlert, ChannelJob, ChannelRun, Fanout, Progress
from digestbot.delivery.paced import PacedSender
from digestbot.delivery.report import PublishReport
from digestbot.delivery.wiring import build_sender, delivery_settings, share_budgets
from digestbot.delivery.workers import worker_id
from digestbot.model import Channel, Issue, Variant
from digestbot.payloads import Payload
from digestbot.readiness import Problem, publication_problems, summarize
from digestbot.rendering import Audience, Renderer, audience_of
from digestbot.store import (
    DeliveryLog,
    DeliveryPlan,
    OffLoopLedger,
    SharedBudgets,
    Status,
    Subscribers,
)
from digestbot.store.offloop import LedgerStore


class PublishStore(LedgerStore, DeliveryPlan, DeliveryLog, SharedBudgets, Protocol):
    """What a publish asks of the store: intent rows and the fan-out's, the provider budgets
    shared with other workers, and the counts after."""


_INTENT_BATCH = 1000


class PublishRefused(ValueError):
    """The issue may not go out (malformed, undated, a channel that is off): nothing was
    sent or recorded. `problems` says why, one value per reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(summarize(list(problems)))
        self.problems = list(problems)


def iter_targets(
    config: Config, store: Subscribers, channel: Channel
) -> Iterator[tuple[str, Variant]]:
    """Static config targets (minus those who blocked the bot or left), then subscribers.

    Static targets are resolved as a set (one query for the moves, one per few hundred for
    who left), not with reads per target; subscribers stream from the store, so memory does
    not grow with the audience."""
    listed = config.static_targets(channel)
    now_at = store.resolve_targets(channel, (target for target, _ in listed))
    left = store.inactive_targets(channel, set(now_at.values()))
    static: set[str] = set()
    for target, variant in listed:
        current = now_at[target]
        if current not in left and current not in static:
            static.add(current)
            yield current, variant
    for target, variant in store.iter_active_subscribers(channel):
        if target not in static:
            yield target, variant


@dataclass(frozen=True, slots=True)
class ChannelDigests:
    """Every variant of one channel's digest; `chat` (Telegram only) for readers who can
    send commands, whose digest may point to /today instead of a link."""

    broadcast: dict[Variant, list[Payload]]
    chat: dict[Variant, list[Payload]] | None = None

    def parts_total(self, audience: Audience) -> dict[Variant, int]:
        chosen = (
            self.chat if audience is Audience.CHAT and self.chat is not None else self.broadcast
        )
        return {variant: len(parts) for variant, parts in chosen.items()}


def render_all(renderer: Renderer, issue: Issue, channel: Channel | str) -> ChannelDigests:
    def every_variant(audience: Audience) -> dict[Variant, list[Payload]]:
        return {v: renderer.render(issue, channel, v, audience) for v in Variant}

    chat = every_variant(Audience.CHAT) if Channel(channel) is Channel.TELEGRAM else None
    return ChannelDigests(every_variant(Audience.BROADCAST), chat)


def _by_audience(
    channel: Channel, targets: Iterable[tuple[str, Variant]]
) -> Iterator[tuple[Audience, list[tuple[str, Variant]]]]:
    """Targets in batches of one audience each, streamed: subscribers never all in memory."""
    iterator = iter(targets)
    while batch := list(itertools.islice(iterator, _INTENT_BATCH)):
        groups: dict[Audience, list[tuple[str, Variant]]] = {}
        for target, variant in batch:
            groups.setdefault(audience_of(channel, target), []).append((target, variant))
        yield from groups.items()


def record_intent(
    config: Config,
    store: PublishStore,
    renderer: Renderer,
    issue: Issue,
    channels: Sequence[Channel],
) -> dict[Channel, ChannelDigests]:
    """Render and write one ledger row per target before anything is sent. Each row records
    the parts count of the digest its target will get (a private chat's may differ)."""
    assert issue.date is not None
    rendered: dict[Channel, ChannelDigests] = {}
    for channel in channels:
        digests = render_all(renderer, issue, channel)
        for audience, targets in _by_audience(channel, iter_targets(config, store, channel)):
            store.ensure_deliveries(issue.date, channel, targets, digests.parts_total(audience))
        rendered[channel] = digests
    return rendered


def select_channels(config: Config, wanted: Sequence[Channel | str] | None) -> list[Channel]:
    enabled = config.enabled_channels()
    if not wanted:
        return enabled
    unknown = [str(c) for c in wanted if c not in enabled]
    if unknown:
        on = ", ".join(enabled) or "none"
        raise PublishRefused(
            [
                Problem(f"channel {name} is not enabled in the config (enabled: {on})", "channel")
                for name in unknown
            ]
        )
    return list(dict.fromkeys(Channel(c) for c in wanted))


async def publish(
    issue: Issue,
    config: Config,
    store: PublishStore,
    renderer: Renderer,
    *,
    channels: Sequence[Channel | str] | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    record: bool = True,
    senders: Mapping[Channel, PacedSender[Any]] | None = None,
    ledger: OffLoopLedger | None = None,
    alert: ChannelDownAlert | None = None,
) -> PublishReport:
    """Deliver `issue` on `channels` (default: every enabled one). With `record=False` (used
    by `retry`) no new intent is written: only what the ledger holds is finished. `senders`
    are the process's long-lived ones (`digestbot run`: shared with the bot); a channel
    without one gets its own for this run. `ledger` is the process's way to the store off the
    event loop (one is made for this run when none is given). `alert` tells the admins when a
    channel stops as a whole (bad token, server down). Raises StoreUnavailable when the
    database stays away longer than `[store] outage_patience`."""
    problems = publication_problems(issue)
    if problems:
        raise PublishRefused(problems)
    names = select_channels(config, channels)
    if ledger is not None:
        return await _publish(
            issue, config, store, ledger, renderer, names, progress, stop, record, senders, alert
        )
    own = OffLoopLedger(store, patience=config.store.outage_patience)
    try:
        return await _publish(
            issue, config, store, own, renderer, names, progress, stop, record, senders, alert
        )
    finally:
        await own.aclose()


async def _publish(
    issue: Issue,
    config: Config,
    store: PublishStore,
    ledger: OffLoopLedger,
    renderer: Renderer,
    names: list[Channel],
    progress: Progress | None,
    stop: asyncio.Event | None,
    record: bool,
    senders: Mapping[Channel, PacedSender[Any]] | None,
    alert: ChannelDownAlert | None,
) -> PublishReport:
    assert issue.date is not None
    if record:
        rendered = await ledger.call(record_intent, config, store, renderer, issue, names)
    else:
        rendered = {name: render_all(renderer, issue, name) for name in names}
    fanout = Fanout(
        ledger,
        delivery_settings(config),
        owner=worker_id(),
        progress=progress,
        stop=stop,
        alert=alert,
    )
    given = senders or {}
    chosen = {name: given.get(name) or build_sender(config, name) for name in names}
    if store.budgets_shared:

        async def reserve(key: str, interval: float, count: int) -> tuple[float, float]:
            return await ledger.call(store.reserve_sends, key, interval, count)

        share_budgets(config, chosen, reserve)
    jobs = [
        ChannelJob(name, chosen[name], rendered[name].broadcast, chat_payloads=rendered[name].chat)
        for name in names
    ]
    report = PublishReport(issue.date)
    if progress is not None:
        before = await ledger.call(store.summary, issue.date)
        for name in names:
            progress.channel_started(name, before.get(name, Counter())[Status.PENDING])
    runs = await _gather_or_cancel(fanout.run(issue.date, job) for job in jobs)
    report.runs = {run.channel: run for run in runs}
    summary = await ledger.call(store.summary, issue.date)
    report.ledger = {name: summary.get(name, Counter()) for name in names}
    return report


async def _gather_or_cancel(runs: Iterable[Coroutine[Any, Any, ChannelRun]]) -> list[ChannelRun]:
    """Every channel's fan-out; should one fail (the store stayed away), the others stop
    too and are awaited, so nothing is left running when the error is reported."""
    tasks = [asyncio.create_task(run) for run in runs]
    try:
        return await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


__all__ = [
    "PublishRefused",
    "PublishStore",
    "iter_targets",
    "publish",
    "record_intent",
    "render_all",
    "select_channels",
]
