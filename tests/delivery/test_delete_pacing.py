"""Slack's chat.delete has a budget of its own (Tier 3: 50 a minute per workspace) on top of
the per-channel pace: a retraction spread over many channels waits for it instead of running
into 429s, while sends to as many channels are not held back by it. On a virtual clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from digestbot.delivery import PacedSender, SlackPacing, attempt
from digestbot.delivery.attempts import RetryPolicy, sending
from digestbot.delivery.pacing import SAFETY
from digestbot.delivery.retraction import deleting
from digestbot.payloads import TelegramMessage
from tests.delivery.test_paced_sender import Clock, ScriptedChannel

CHANNELS = [f"C{i:07d}" for i in range(60)]


@dataclass
class DeletingChannel(ScriptedChannel):
    deleted: list[tuple[str, float]] = field(default_factory=list)

    async def delete(self, target: str, message_id: str) -> None:
        self.deleted.append((target, self.clock.now))


async def _each_channel(sender: PacedSender[DeletingChannel], delete: bool) -> None:
    async def one(target: str) -> None:
        action = deleting("1.000100") if delete else sending(TelegramMessage("x", parse_mode=None))
        method = "chat.delete" if delete else None
        async with sender.line(target) as line:
            await attempt(sender, line, target, action, policy=RetryPolicy(), method=method)

    await asyncio.gather(*(one(target) for target in CHANNELS))


async def test_deletions_across_channels_wait_for_the_workspace_budget() -> None:
    clock = Clock()
    channel = DeletingChannel(clock, name="slack")
    sender = PacedSender(channel, SlackPacing(), clock=clock, sleep=clock.sleep)

    await _each_channel(sender, delete=True)

    times = sorted(at for _, at in channel.deleted)
    assert len(times) == len(CHANNELS)
    assert times[49] - times[0] < 1.0, "the first 50 go at once"
    assert times[50] - times[0] >= 60.0 / SAFETY - 1e-6, "the 51st waits for the minute"


async def test_sends_to_as_many_channels_are_not_held_by_that_budget() -> None:
    clock = Clock()
    channel = DeletingChannel(clock, name="slack")
    sender = PacedSender(channel, SlackPacing(), clock=clock, sleep=clock.sleep)

    await _each_channel(sender, delete=False)

    sent = sorted(at for _, _, at in channel.requests)
    assert len(sent) == len(CHANNELS) and sent[-1] - sent[0] < 1.0
