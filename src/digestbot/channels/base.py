"""The Channel protocol: one provider, sending one already-rendered part to one target."""

from __future__ import annotations

from typing import Protocol

from digestbot.rendering.payloads import Payload


class Channel(Protocol):
    """A provider connection. Formatting never happens here; retries and pacing never either
    (delivery owns both). A channel only sends, and maps provider failures onto
    `digestbot.channels.errors`."""

    name: str

    async def open(self) -> None:
        """Connect/log in once before a fan-out (SMTP login, HTTP session)."""

    async def close(self) -> None:
        """Release connections; safe to call twice."""

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        """Send one part to `target` and return the provider's message id.

        `reply_to` is the id returned for an earlier part of the same digest: Slack posts the
        part as a thread reply to it; other channels ignore it."""
        ...


__all__ = ["Channel"]
