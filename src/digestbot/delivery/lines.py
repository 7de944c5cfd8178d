"""One line per target, shared by every event loop that sends on a provider account.

`digestbot run` fans a publish out on an event loop of its own thread while the bot answers
readers on the main loop (`service.delivery_thread`); a reader asking /today may also be one
of the publish's targets. Both must hold the same line, so a digest's parts and a reply's are
not interleaved and the chat's spacing counts both: the lines and their locks work across
loops (asyncio.Lock binds to one loop)."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable

# Idle lines (nobody holding them, spacing over) are forgotten this often, so memory follows
# the chats being sent to right now, not every chat ever sent to.
LINE_SWEEP_SECONDS = 10.0


class LineLock:
    """An asyncio lock whose holders may wait on different event loops. FIFO; release hands
    the lock straight to the next waiter, on that waiter's loop."""

    __slots__ = ("_guard", "_held", "_waiters")

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    def locked(self) -> bool:
        return self._held

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._guard:
            if not self._held:
                self._held = True
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            with self._guard:
                handed = waiter.done() and not waiter.cancelled()
                if not handed and (loop, waiter) in self._waiters:
                    self._waiters.remove((loop, waiter))
            # Handed over just before the cancellation landed: pass it on. (Popped but not
            # yet handed: `_hand` finds the waiter cancelled and passes it on.)
            if handed:
                self.release()
            raise

    def release(self) -> None:
        with self._guard:
            if not self._waiters:
                self._held = False
                return
            loop, waiter = self._waiters.popleft()  # the lock stays held: it is theirs now
        if _running_loop() is loop:
            loop.call_soon(self._hand, waiter)
        else:
            loop.call_soon_threadsafe(self._hand, waiter)

    def _hand(self, waiter: asyncio.Future[None]) -> None:
        """On the waiter's loop: it holds the lock now, unless it gave up waiting."""
        if waiter.cancelled():
            self.release()
        else:
            waiter.set_result(None)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.release()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class TargetLine:
    """One target's outgoing line. The lock keeps one message's parts together; `ready_at`
    spaces sends from when the provider *answered* the previous one. The limiter spaces them
    from when they left, which is not enough on its own: Telegram counts arrivals, and a first
    request that had to open a connection arrives late enough to make the next look early."""

    __slots__ = ("lock", "ready_at")

    def __init__(self) -> None:
        self.lock = LineLock()
        self.ready_at = float("-inf")


class Lines:
    """The lines of one provider account, by target; idle ones are swept."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lines: dict[str, TargetLine] = {}
        self._swept = clock()
        self._guard = threading.Lock()

    def get(self, target: str) -> TargetLine:
        with self._guard:
            now = self._clock()
            if now - self._swept > LINE_SWEEP_SECONDS:
                self._swept = now
                for key, idle in list(self._lines.items()):
                    if not idle.lock.locked() and idle.ready_at < now:
                        del self._lines[key]
            line = self._lines.get(target)
            if line is None:
                line = self._lines[target] = TargetLine()
            return line

    def holds(self, target: str, line: TargetLine) -> bool:
        """Whether `line` is still `target`'s (a sweep in another thread may have dropped it
        between `get` and its lock being taken)."""
        with self._guard:
            return self._lines.get(target) is line

    def __len__(self) -> int:
        return len(self._lines)


__all__ = ["LINE_SWEEP_SECONDS", "LineLock", "Lines", "TargetLine"]
