"""The ChannelClient protocol: one provider connection, sending one already-rendered part to one
target. (`digestbot.model.Channel` names a channel; a ChannelClient talks to its provider.)"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from digestbot.payloads import Payload


class ChannelClient(Protocol):
    """A provider connection. Formatting never happens here; retries and pacing never either
    (delivery owns both). A channel only sends, and maps provider failures onto
    `digestbot.channels.errors`."""

    name: str

    async def open(self) -> None:
        """Connect/log in (SMTP login, HTTP session); a no-op when already open. Everything
        that sends on one provider shares one channel through a `delivery.PacedSender`, which
        opens it for its first user and closes it after its last."""

    async def close(self) -> None:
        """Release connections; safe to call twice, and after an `open()` that failed."""

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        """Send one part to `target` and return the provider's message id.

        `reply_to` is the id returned for the first part of the same digest: Slack posts the
        part as a thread reply to it, Telegram as a reply to that message; email ignores it."""
        ...


@runtime_checkable
class Editable(Protocol):
    """A channel whose sent messages can be changed in place (Telegram editMessageText).
    Edits pass through the same pacing and retries as sends (`delivery.attempts`)."""

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """Replace the message `message_id` in `target` with `payload`."""
        ...


__all__ = ["ChannelClient", "Editable"]
