"""publish(issue): render once per channel and variant, record the intent for every target,
then fan out on all channels at once. Re-running it sends only what is not sent yet."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from digestbot.changes import diff_issues
from digestbot.config import Config
from digestbot.delivery.fanout import ChannelDownAlert, ChannelJob, ChannelRun, Fanout, Progress
from digestbot.delivery.paced import PacedSender
from digestbot.delivery.report import PublishReport
from digestbot.delivery.revisions import Revision, move_to_revision
from digestbot.delivery.stepdown import rendered_as
from digestbot.delivery.wiring import (
    LedgerBudgets,
    build_sender,
    delivery_settings,
    share_budgets,
)
from digestbot.delivery.workers import worker_id
from digestbot.model import Channel, Issue, Variant
from digestbot.payloads import Payload
from digestbot.readiness import Problem, publication_problems, summarize
from digestbot.rendering import Audience, Renderer, audience_of
from digestbot.store import (
    Archive,
    DeliveryLog,
    DeliveryPlan,
    Held,
    OffLoopLedger,
    RevisionPlanner,
    SharedBudgets,
    Status,
    Subscribers,
)
from digestbot.store.offloop import LedgerStore
from digestbot.store.records import PartsFor


class PublishStore(
    LedgerStore, DeliveryPlan, RevisionPlanner, DeliveryLog, Archive, SharedBudgets, Protocol
):
    """What a publish asks of the store: intent rows (and older revisions' rows moved to the
    current one) and the fan-out's, the provider budgets shared with other workers, and the
    counts after."""


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

    def parts_for(self, channel: Channel) -> PartsFor:
        """How many parts the digest has for one target (its audience, its variant, and the
        smaller form it was stepped down to: a correction edits the form the target holds)."""
        totals = {audience: self.parts_total(audience) for audience in Audience}

        def count(target: str, variant: Variant, form: str | None) -> int:
            return totals[audience_of(channel, target)][rendered_as(Variant(variant), form)]

        return count


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
    revision: int = 1,
) -> dict[Channel, ChannelDigests]:
    """Render and write one ledger row per target before anything is sent. Each row records
    the parts count of the digest its target will get (a private chat's may differ) and the
    issue revision it carries."""
    assert issue.date is not None
    rendered: dict[Channel, ChannelDigests] = {}
    for channel in channels:
        digests = render_all(renderer, issue, channel)
        for audience, targets in _by_audience(channel, iter_targets(config, store, channel)):
            store.ensure_deliveries(
                issue.date, channel, targets, digests.parts_total(audience), revision
            )
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
    revision: Revision | None = None,
) -> PublishReport:
    """Deliver `issue` on `channels` (default: every enabled one). With `record=False` (used
    by `retry`) no new intent is written: only what the ledger holds is finished. `senders`
    are the process's long-lived ones (`digestbot run`: shared with the bot); a channel
    without one gets its own for this run. `ledger` is the process's way to the store off the
    event loop (one is made for this run when none is given). `alert` tells the admins when a
    channel stops as a whole (bad token, server down). Raises StoreUnavailable when the
    database stays away longer than `[store] outage_patience`.

    `revision` is the archive's current revision of the issue (`load_revision`); past the
    first, deliveries of older revisions are corrected: edited in place, email readers sent
    a notice, readers who had nothing yet sent the corrected issue."""
    problems = publication_problems(issue)
    if problems:
        raise PublishRefused(problems)
    names = select_channels(config, channels)
    run = _Run(
        config, store, renderer, progress, stop or asyncio.Event(), senders, revision, alert
    )
    if ledger is not None:
        return await run.publish(issue, ledger, names, record)
    own = OffLoopLedger(store, patience=config.store.outage_patience)
    try:
        return await run.publish(issue, own, names, record)
    finally:
        await own.aclose()


@dataclass(frozen=True, slots=True)
class _Run:
    config: Config
    store: PublishStore
    renderer: Renderer
    progress: Progress | None
    stop: asyncio.Event
    senders: Mapping[Channel, PacedSender[Any]] | None
    revision: Revision | None
    alert: ChannelDownAlert | None

    async def publish(
        self, issue: Issue, ledger: OffLoopLedger, names: list[Channel], record: bool
    ) -> PublishReport:
        assert issue.date is not None
        config, store = self.config, self.store
        revision = self.revision or await _current(ledger, store, issue.date)
        if record:
            rendered = await ledger.call(
                record_intent, config, store, self.renderer, issue, names, revision.number
            )
        else:
            rendered = {name: render_all(self.renderer, issue, name) for name in names}
        owner = worker_id()
        fanout = Fanout(
            ledger,
            delivery_settings(config),
            owner=owner,
            progress=self.progress,
            stop=self.stop,
            alert=self.alert,
        )
        report = PublishReport(issue.date, revision=revision.number)
        if revision.number > 1:
            previous = revision.previous
            report.changes = diff_issues(previous, issue) if previous is not None else ()
            for name in names:
                await move_to_revision(
                    ledger,
                    store,
                    issue.date,
                    name,
                    revision.number,
                    rendered[name].parts_for(name),
                    _held(config, name),
                    owner=owner,
                    stop=self.stop,
                )
        notices = _notices(self.renderer, issue, revision) if Channel.EMAIL in names else {}
        given = self.senders or {}
        chosen = {name: given.get(name) or build_sender(config, name) for name in names}
        if store.budgets_shared:
            share_budgets(config, chosen, LedgerBudgets(ledger, store))
        jobs = [
            ChannelJob(
                name,
                chosen[name],
                rendered[name].broadcast,
                chat_payloads=rendered[name].chat,
                revision=revision.number,
                notices=notices if name is Channel.EMAIL else None,
            )
            for name in names
        ]
        if self.progress is not None:
            before = await ledger.call(store.summary, issue.date)
            for name in names:
                self.progress.channel_started(name, before.get(name, Counter())[Status.PENDING])
        runs = await _gather_or_cancel(fanout.run(issue.date, job) for job in jobs)
        report.runs = {run.channel: run for run in runs}
        summary = await ledger.call(store.summary, issue.date)
        report.ledger = {name: summary.get(name, Counter()) for name in names}
        if store.budgets_shared:
            # Once per publish keeps the budgets to the chats sent to lately (there is a row per
            # chat). SQLite's limits live in its one process: nothing writes rows there.
            await ledger.call(store.prune_budgets)
        return report


async def _current(ledger: OffLoopLedger, store: Archive, day: dt.date) -> Revision:
    """The archive's current revision number (no earlier issues parsed: no email notices)."""
    record = await ledger.call(store.issue_record, day)
    return Revision(record.revision) if record is not None else Revision()


def _held(config: Config, channel: Channel) -> Held:
    """What a correction does for a target that holds an earlier revision."""
    if channel is not Channel.EMAIL:
        return Held.EDIT
    email = config.email
    return Held.NOTICE if email is None or email.corrections == "notice" else Held.KEEP


def _notices(renderer: Renderer, issue: Issue, revision: Revision) -> dict[int, Payload]:
    """The email notice for readers of each earlier revision: what changed since theirs."""
    return {
        number: renderer.correction_notice(earlier, issue)
        for number, earlier in revision.earlier.items()
    }


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
