"""How many requests a channel can have out at once, as permits a sender holds.

A request is marked "in flight" in the ledger only once it holds the connection it leaves on,
and keeps holding it until its outcome is written. So however many deliveries the fan-out has
claimed, a crash leaves at most `capacity` parts per channel that may or may not have
arrived. An HTTP client multiplexes its own pool; `SharedSlots` bounds the requests on it to
that pool's size and hands out the client itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedSlots(Generic[T]):
    """`capacity` permits to send on one shared `connection` object."""

    def __init__(self, connection: T, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a channel needs at least one connection")
        self.connection = connection
        self.capacity = capacity
        self._free = asyncio.Semaphore(capacity)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[T]:
        async with self._free:
            yield self.connection


__all__ = ["SharedSlots"]
