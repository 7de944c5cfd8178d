"""Slow clients are cut off. uvicorn closes idle keep-alive connections but gives no deadline
to a request being received: a client that opens a connection and sends its headers one byte
a minute (slowloris) holds a connection, and its buffers, for as long as it likes. Here the
request head must arrive within `header_timeout` of its first byte (or of the connection),
and the body within `body_timeout` of the head; else the connection is closed. How long the
app takes to answer is not limited here."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline per request phase. `header_timeout` and
    `body_timeout` are set on the subclass `with_deadlines` makes."""

    header_timeout = 5.0
    body_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None  # "head" or "body": what the deadline waits for

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("head", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _follow_request(self) -> None:
        state = self.conn.their_state
        if state is h11.IDLE:
            # The first bytes of the next request on a kept-alive connection.
            self._arm("head", self.header_timeout)
        elif state is h11.SEND_BODY:
            self._arm("body", self.body_timeout)
        else:  # the whole request is in (or the connection is ending): the app's turn
            self._disarm()

    def _arm(self, phase: str, seconds: float) -> None:
        if self._phase == phase:
            return  # the deadline runs from the phase's start, not from the latest byte
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, None

    def _expired(self) -> None:
        phase, self._deadline, self._phase = self._phase, None, None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        log.info("closing the connection of %s: request %s too slow", client, phase)
        self.transport.close()


def with_deadlines(header_timeout: float, body_timeout: float) -> type[DeadlineH11Protocol]:
    """The protocol class for `uvicorn.Config(http=...)` with these deadlines (seconds)."""
    return type(
        "ConfiguredDeadlineH11Protocol",
        (DeadlineH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )


__all__ = ["DeadlineH11Protocol", "with_deadlines"]
