"""The ChannelClient protocol: one provider account, sending one already-rendered part to one
target. (`digestbot.model.Channel` names a channel; a ChannelClient talks to its provider.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

from digestbot.payloads import Payload


class Connection(Protocol):
    """Where one request leaves: an SMTP connection, or an HTTP client's pool."""

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        """Send one part to `target` and return the provider's message id.

        `reply_to` is the id returned for the first part of the same digest: Slack posts the
        part as a thread reply to it, Telegram as a reply to that message; email ignores it."""
        ...


class ChannelClient(Connection, Protocol):
    """A provider account. Formatting never happens here; retries and pacing never either
    (delivery owns both). A channel only sends, and maps provider failures onto
    `digestbot.channels.errors`.

    `slot()` hands out one of its `connections` for one request at a time: delivery takes a
    slot, then its rate-limit token, then marks the part in flight, sends on the slot's
    connection and writes the outcome before letting go - so only requests that really left
    can be in flight, never more than `connections` per channel. `send` on the channel itself
    finds its own connection, for a one-off message outside delivery."""

    name: str
    connections: int

    async def open(self) -> None:
        """Connect/log in (SMTP login, HTTP session); a no-op when already open. Everything
        that sends on one provider shares one channel through a `delivery.PacedSender`, which
        opens it for its first user and closes it after its last."""

    async def close(self) -> None:
        """Release connections; safe to call twice, and after an `open()` that failed."""

    def slot(self) -> AbstractAsyncContextManager[Connection]:
        """Wait for a free connection and hold it until the block ends."""
        ...


# Decides, once, whether the request leaves (its in-flight mark committed): False keeps it.
Leaving = Callable[[], Awaitable[bool]]


@runtime_checkable
class Enveloped(Protocol):
    """A connection whose request starts with steps that deliver nothing (SMTP MAIL and
    RCPT: nothing arrives before DATA ends). `send_when` takes those steps while `leaving`
    is decided, and sends the message itself only once it said yes, so the in-flight mark's
    commit overlaps the envelope's round trips instead of preceding them."""

    async def send_when(
        self, target: str, payload: Payload, leaving: Leaving, *, reply_to: str | None = None
    ) -> str | None:
        """`send`, gated by `leaving` (awaited exactly once, even when the envelope fails):
        None when it said no - then nothing was sent and the connection stays usable."""
        ...


@runtime_checkable
class Editable(Protocol):
    """A channel (or a slot's connection) whose sent messages can be changed in place
    (Telegram editMessageText, Slack chat.update). Edits pass through the same slots, pacing
    and retries as sends (`delivery.attempts`)."""

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """Replace the message `message_id` in `target` with `payload`. An edit to what the
        message already shows is done, not an error. Raises MessageGone / MessageFrozen when
        the provider cannot edit it any more."""
        ...


@runtime_checkable
class Deletable(Protocol):
    """A channel (or a slot's connection) whose sent messages can be deleted (Telegram
    deleteMessage, Slack chat.delete): corrections with fewer parts, and retractions."""

    async def delete(self, target: str, message_id: str) -> None:
        """Delete `message_id` in `target`; one already gone counts as deleted. Raises
        MessageFrozen when the provider refuses (Telegram, after 48 hours)."""
        ...


__all__ = ["ChannelClient", "Connection", "Deletable", "Editable", "Enveloped", "Leaving"]
