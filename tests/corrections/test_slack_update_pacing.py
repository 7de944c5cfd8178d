"""A correction's edits on Slack are paced by chat.update's budget, not by the posting rate:
Tier 3, ~50 a minute per workspace whatever the channels. The fake answers Slack's
`ratelimited` 429 with Retry-After above it; a correction that edited at the posting rate
(1/s per channel, nothing workspace-wide) would meet it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from digestbot.delivery import PacedSender
from digestbot.delivery.wiring import build_channel, pacing_for
from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import PartAction, open_store
from tests.corrections.harness import FIGURES, deliver_revision
from tests.delivery.harness import load, write_config
from tests.fakes.slack_history import TIER3_PER_MINUTE
from tests.fakes.slack_server import SlackFake

pytestmark = pytest.mark.slow

# Slack's budget is per minute: the fake and the sender share a clock running this much faster
# than the wall, so a minute passes in 12 s. Both sides read it, so the windows agree; the
# pacing's margin (3% of the minute) shrinks to 0.37 s of wall time, still far above the
# requests' latency here (at 20x, 0.09 s, a loaded machine's arrivals overran it).
SPEED = 5.0
CHANNELS = [(f"C{i:07d}", "top5") for i in range(TIER3_PER_MINUTE + 20)]  # one part each


class FastClock:
    def __init__(self) -> None:
        self.origin = time.monotonic()

    def __call__(self) -> float:
        return self.origin + (time.monotonic() - self.origin) * SPEED

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / SPEED)


async def test_slack_updates_wait_for_the_tier3_budget_not_the_posting_rate(
    tmp_path: Path,
) -> None:
    clock = FastClock()
    with SlackFake(clock=clock) as slack:
        config = load(
            write_config(
                tmp_path,
                store_url=f"sqlite:///{tmp_path}/ledger.db",
                slack=slack,
                slack_targets=CHANNELS,
            )
        )
        sender = PacedSender(
            build_channel(config, Channel.SLACK),
            pacing_for(config, Channel.SLACK),
            clock=clock,
            sleep=clock.sleep,
        )
        store = open_store(config.store.url.get_secret_value())
        try:
            first = await deliver_revision(
                1, config, store, Renderer(), senders={Channel.SLACK: sender}
            )
            assert first.unfinished == 0 and len(slack.posts) == len(CHANNELS)
            # A fresh minute for chat.update: posts have no Tier 3 budget, so none is spent.
            report = await deliver_revision(
                2, config, store, Renderer(), senders={Channel.SLACK: sender}
            )
        finally:
            store.close()

    assert report.unfinished == 0
    assert report.runs[Channel.SLACK].actions == {PartAction.EDIT: len(CHANNELS)}
    assert slack.rate_limited == 0, "chat.update went past Tier 3"
    assert [e for _, e in slack.errors] == []
    assert len(slack.updates) == len(CHANNELS) and len(slack.posts) == len(CHANNELS)
    for channel, _ in CHANNELS:
        (shown,) = slack.shown_in(channel)
        assert shown.edit_count == 1 and FIGURES[1] in str(shown.blocks), channel
    # Paced, not just lucky: the update past the budget waited for the minute (on the
    # shared clock, here in wall seconds).
    times = sorted(update.time for update in slack.updates)
    assert times[TIER3_PER_MINUTE] - times[0] >= 0.95 * 60.0 / SPEED
