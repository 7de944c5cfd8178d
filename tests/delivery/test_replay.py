"""A restarted run counts what the ledger says left in the last minute before it sends more:
checked on a virtual clock, so it is exact and never sleeps."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from digestbot.channels.slots import SharedSlots
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout, PacedSender, TelegramPacing
from digestbot.model import Variant
from digestbot.payloads import Payload, TelegramMessage
from digestbot.store import OffLoopLedger, PartStep, open_store

GROUP = "-100777"
TODAY = dt.date(2026, 4, 20)


class Clock:
    """One virtual time for the store (wall clock) and the limiter (monotonic)."""

    def __init__(self) -> None:
        self.wall = dt.datetime(2026, 4, 20, 0, 30, tzinfo=dt.UTC)
        self.mono = 1000.0

    def now(self) -> dt.datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += dt.timedelta(seconds=seconds)


class RecordingChannel:
    """Sends nowhere; remembers when (virtual time) each message left."""

    name = "telegram"
    connections = 8

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, float]] = []
        self._slots = SharedSlots(self, self.connections)

    def slot(self) -> AbstractAsyncContextManager[RecordingChannel]:
        return self._slots.hold()

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        self.sent.append((target, self.clock.mono))
        return str(len(self.sent))


async def test_resumed_run_waits_out_the_group_window_the_crashed_run_used(
    tmp_path: Path,
) -> None:
    clock = Clock()
    store = open_store(f"sqlite:///{tmp_path}/ledger.db", clock=clock.now)
    # A crashed run sent the group 20 messages (its 20/min budget) 30 s ago: 20 earlier
    # issues' deliveries, recorded as they are when a request leaves.
    clock.wall -= dt.timedelta(seconds=30)
    for day in range(20):
        date = TODAY - dt.timedelta(days=day + 1)
        store.ensure_deliveries(date, "telegram", [(GROUP, Variant.TOP3)], {Variant.TOP3: 1})
        (claimed,) = store.claim(date, "telegram", "crashed", 1, 60)
        store.record_steps("crashed", [PartStep.in_flight(claimed.id, 0)])
        store.record_steps("crashed", [PartStep.sent(claimed.id, 0, "1")])
    clock.wall += dt.timedelta(seconds=30)

    store.ensure_deliveries(TODAY, "telegram", [(GROUP, Variant.TOP3)], {Variant.TOP3: 1})
    channel = RecordingChannel(clock)
    payloads = {v: [TelegramMessage("<b>digest</b>")] for v in Variant}
    started = clock.mono
    sender = PacedSender(channel, TelegramPacing(), clock=clock.monotonic, sleep=clock.sleep)
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(
            ledger,
            DeliverySettings(),
            owner="resumed",
            monotonic=clock.monotonic,
            sleep=clock.sleep,
        )
        await fanout.run(TODAY, ChannelJob("telegram", sender, payloads))
    store.close()

    assert len(channel.sent) == 1
    waited = channel.sent[0][1] - started
    # The oldest of the 20 leaves the (safety-widened) 60 s window 30+ s from now; without the
    # replay the message would have gone at once and earned a 429.
    assert 30 <= waited <= 35, waited


async def test_a_fresh_ledger_sends_at_once(tmp_path: Path) -> None:
    clock = Clock()
    store = open_store(f"sqlite:///{tmp_path}/ledger.db", clock=clock.now)
    store.ensure_deliveries(TODAY, "telegram", [(GROUP, Variant.TOP3)], {Variant.TOP3: 1})
    channel = RecordingChannel(clock)
    payloads = {v: [TelegramMessage("<b>digest</b>")] for v in Variant}
    started = clock.mono
    sender = PacedSender(channel, TelegramPacing(), clock=clock.monotonic, sleep=clock.sleep)
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(
            ledger, DeliverySettings(), owner="w", monotonic=clock.monotonic, sleep=clock.sleep
        )
        await fanout.run(TODAY, ChannelJob("telegram", sender, payloads))
    store.close()
    assert channel.sent == [(GROUP, started)]
