"""Which limits a send to one target must respect, per channel, and how long to back off.

The numbers are the providers' published guidance (Telegram Bot FAQ: ~1 msg/s per chat, 20/min
per group, ~30/s per bot; Slack: ~1 msg/s per channel), configurable because paid Telegram
broadcasts raise the global limit to 1000/s."""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import dataclass

from digestbot.ratelimit import AnsweredBucket, Limit, SlidingWindow, TokenBucket

# We pace a few percent under each published limit: our clock and the provider's differ by
# network jitter, and a request released exactly on the limit can arrive a hair early.
SAFETY = 0.97
# The bot-wide bucket: the provider counts *arrivals*, and a burst arrives later than we release
# it - a new connection's handshake, and on a busy host the CPU time to build and write each
# request, which a burst of requests takes in turn while later paced ones go out at once. Under
# load ~10 on 2 cores we measured a burst of 35 releases spread over 0.19 s arriving within
# 0.09 s, and a 30/s bucket then answers 429.
# In this process the bucket counts each send from its release until its answer
# (`ratelimit.AnsweredBucket`): the arrival lies in between, so no skew can crowd the arrivals
# more than the bucket counted them, and it may use the provider's whole burst. The budget shared
# with other workers through the database (`bot_budget`) cannot see their answers: it counts at
# release, and keeps 40% of the burst in reserve for the skew (~400 ms of it at 30/s; it costs
# ~0.4 s once per broadcast); pacing 3% under the rate then widens that margin by ~30 ms every
# second.
BURST_RESERVE = 0.6
# Counted until the answers, the bucket needs no margin for jitter (that is the skew
# `AnsweredBucket` accounts for); 1% under the rate stays for the provider's own accounting, which
# is "about 30/s", not ours to know to the percent: 0.06 s over 200 chats. Measured against the
# fake (its bucket exactly 30/s, burst 30), 200 chats from first to last arrival, floor 5.67 s:
# 5.73-5.75 s at load ~4, 5.78-5.89 s at load 7-10, 0 x 429 (a 3% margin and 60% of the burst
# counted at release, as before: 6.22-6.25 s in the same runs).
ANSWERED_SAFETY = 0.99


# Bot API methods that paid broadcast does not cover: allow_paid_broadcast is a sendMessage
# parameter, so Telegram holds edits and deletes to the free bot-wide rate whatever the bot pays.
FREE_RATE_METHODS = frozenset({"editMessageText", "deleteMessage"})


@dataclass(frozen=True, slots=True)
class TelegramPacing:
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20
    global_per_second: float = 30.0  # sends, bot-wide: the paid rate with paid broadcast
    free_per_second: float = 30.0  # edits and deletes, bot-wide, paid broadcast or not

    @property
    def target_interval(self) -> float:
        """Seconds between the answer to one message and the next one to the same chat."""
        return 1.0 / self.per_chat_per_second

    def keys(self, target: str) -> list[Hashable]:
        keys: list[Hashable] = [("bot",), ("chat", target)]
        if target.startswith("-"):  # groups, supergroups and channels have negative ids
            keys.append(("group", target))
        return keys

    def bot_budget(self) -> tuple[float, int]:
        """The bot-wide budget shared with other workers, counted at release: (sends per
        second, burst, part of it in reserve)."""
        return _shared_bucket(self.global_per_second)

    def limit(self, key: Hashable) -> Limit | None:
        kind = key[0] if isinstance(key, tuple) else key
        if kind == "bot":
            return _answered_bucket(self.global_per_second)
        if kind == "free":
            return _answered_bucket(self.free_per_second)
        if kind == "chat":
            return TokenBucket(self.per_chat_per_second * SAFETY, burst=1)
        if kind == "group":
            return SlidingWindow(self.per_group_per_minute, 60.0 / SAFETY)
        return None

    def method_keys(self, method: str) -> list[Hashable]:
        """Edits and deletes count against the same chat, group and bot limits as sends; when
        the bot's sends are paced above the free rate (paid broadcast), also against the free
        bot-wide rate, which is theirs."""
        if method in FREE_RATE_METHODS and self.global_per_second > self.free_per_second:
            return [("free",)]
        return []


def _shared_bucket(per_second: float) -> tuple[float, int]:
    """A bot-wide budget's (rate, burst) counted at release: under the limit, with part of the
    burst in reserve."""
    return per_second * SAFETY, max(1, int(per_second * BURST_RESERVE))


def _answered_bucket(per_second: float) -> AnsweredBucket:
    """A bot-wide bucket counted until the answers: the whole burst, under the rate."""
    return AnsweredBucket(per_second * ANSWERED_SAFETY, burst=max(1, int(per_second)))


# api.slack.com/methods/chat.update, chat.delete: "Tier 3" (50+ per minute per workspace and
# method) on top of the per-channel pace; chat.postMessage has no such budget.
TIER3_METHODS = frozenset({"chat.update", "chat.delete"})


@dataclass(frozen=True, slots=True)
class SlackPacing:
    per_channel_per_second: float = 1.0
    tier3_per_minute: int = 50

    @property
    def target_interval(self) -> float:
        return 1.0 / self.per_channel_per_second

    def keys(self, target: str) -> list[Hashable]:
        return [("channel", target)]

    def method_keys(self, method: str) -> list[Hashable]:
        """The workspace-wide budget of a Tier 3 method, beside the channel's pace."""
        return [("method", method)] if method in TIER3_METHODS else []

    def limit(self, key: Hashable) -> Limit | None:
        if isinstance(key, tuple) and key[0] == "method":
            return SlidingWindow(self.tier3_per_minute, 60.0 / SAFETY)
        return TokenBucket(self.per_channel_per_second * SAFETY, burst=1)


@dataclass(frozen=True, slots=True)
class Unpaced:
    """Email and the outbox: one SMTP connection (or the disk) is its own pace."""

    target_interval = 0.0

    def keys(self, target: str) -> list[Hashable]:
        return []

    def method_keys(self, method: str) -> list[Hashable]:
        return []

    def limit(self, key: Hashable) -> Limit | None:
        return None


Pacing = TelegramPacing | SlackPacing | Unpaced


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Capped exponential backoff with "equal jitter": never 0, never in lockstep with the
    other workers that saw the same outage."""
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


__all__ = [
    "FREE_RATE_METHODS",
    "TIER3_METHODS",
    "Pacing",
    "SlackPacing",
    "TelegramPacing",
    "Unpaced",
    "backoff_delay",
]
