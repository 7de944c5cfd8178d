"""What each channel of the Slack fake shows right now, and Slack's rules for chat.update and
chat.delete: their error codes and their Tier 3 rate limit.

The fake's `posts` list stays the log of every chat.postMessage; this history is the channel
as a member would scroll it: messages not deleted, each with its latest text and blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes._server import SlidingWindow

# api.slack.com/methods/chat.update and chat.delete: "Rate limits: Tier 3" — 50+ requests per
# minute per workspace, per method, "with occasional bursts"; a 429 carries Retry-After.
TIER3_PER_MINUTE = 50


@dataclass(slots=True)
class LivePost:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    edit_count: int = 0


class ChannelHistory:
    """Not thread-safe on its own: the fake holds its lock around every call."""

    def __init__(self, tier3_per_minute: int | None = TIER3_PER_MINUTE) -> None:
        self._live: dict[tuple[str, str], LivePost] = {}
        self.refuse_updates: set[str] = set()  # channels answering cant_update_message
        self.refuse_deletes: set[str] = set()  # channels answering cant_delete_message
        self._tier3 = tier3_per_minute
        self._windows: dict[str, SlidingWindow] = {}

    def add(self, post: LivePost) -> None:
        self._live[(post.channel, post.ts)] = post

    def update_error(self, channel: str, ts: str) -> str | None:
        """Slack's error code for chat.update on this message, or None."""
        if (channel, ts) not in self._live:
            return "message_not_found"
        if channel in self.refuse_updates:
            return "cant_update_message"
        return None

    def apply_update(self, channel: str, ts: str, params: dict[str, Any]) -> LivePost:
        post = self._live[(channel, ts)]
        if "text" in params:
            post.text = str(params["text"])
        if "blocks" in params:  # Slack keeps the old blocks when the field is left out
            post.blocks = params["blocks"]
        post.edit_count += 1
        return post

    def delete_error(self, channel: str, ts: str) -> str | None:
        if (channel, ts) not in self._live:
            return "message_not_found"
        if channel in self.refuse_deletes:
            return "cant_delete_message"
        return None

    def delete(self, channel: str, ts: str) -> None:
        del self._live[(channel, ts)]

    def tier3_wait(self, method: str, now: float) -> float:
        """Seconds until one more `method` call fits the workspace's Tier 3 window (0: now,
        and the call is counted)."""
        if self._tier3 is None:
            return 0.0
        window = self._windows.setdefault(method, SlidingWindow(self._tier3, 60.0))
        wait = window.wait_time(now)
        if wait <= 0:
            window.add(now)
        return wait

    def shown(self, channel: str) -> list[LivePost]:
        return sorted(
            (p for p in self._live.values() if p.channel == channel), key=lambda p: float(p.ts)
        )


__all__ = ["TIER3_PER_MINUTE", "ChannelHistory", "LivePost"]
