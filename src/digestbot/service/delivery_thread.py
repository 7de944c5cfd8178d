"""`digestbot run` publishes on an event loop of its own, in its own thread.

A 10,000-target publish is CPU work for every message (building the request, reading the
answer, the ledger's bookkeeping). On the loop that also runs the HTTP server, the bot and the
scheduler, every `/healthz`, Slack ack and bot reply waited behind a queue of the fan-out's
callbacks: p99 207 / 125 / 339 ms during a publish, 32 / 14 / 40 ms idle (benchmarks.latency).
On its own loop the fan-out still shares the interpreter, but the main loop gets it back
within a switch interval (`SWITCH_INTERVAL`) instead of after a whole batch of callbacks.

What the two loops share, and how:
- each provider's limits and target lines: the delivery loop sends through twins of the main
  loop's senders (`PacedSender.twin`: own client and connections, the same limiter), so a
  reply and the publish still add up against one budget and never interleave in one chat;
- the store: the delivery loop has its own `OffLoopLedger` (its step groups and futures
  belong to one loop) over the same store, with the same `Outage` record;
- `stop` (an asyncio.Event of the main loop): the fan-out only reads `is_set()`;
- alerts go back to the main loop (`on_main`), where the admins' sender lives."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ParamSpec, TypeVar

from digestbot.channels.base import ChannelClient
from digestbot.delivery import PacedSender
from digestbot.model import Channel
from digestbot.store import OffLoopLedger
from digestbot.store.offloop import LedgerStore
from digestbot.store.outage import Outage

T = TypeVar("T")
P = ParamSpec("P")
# Seconds a thread holds the interpreter while another waits for it (CPython's default is
# 5 ms). Each step of a request on the main loop (accept, read, answer) may wait this long
# for the fan-out thread to let go.
SWITCH_INTERVAL = 0.001


class DeliveryThread:
    """The delivery loop: `start()` it, `run()` publishes on it, `aclose()` when done."""

    def __init__(
        self,
        store: LedgerStore,
        senders: Mapping[Channel, PacedSender[Any]],
        client: Callable[[Channel], ChannelClient],
        *,
        outage: Outage | None = None,
        patience: float | None = None,
    ) -> None:
        # Built here, used only on the delivery loop: neither binds to a loop before use.
        self.senders = {name: sender.twin(client(name)) for name, sender in senders.items()}
        self.ledger = OffLoopLedger(store, patience=patience, outage=outage)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="digestbot-delivery", daemon=True)

    def start(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """`work()` on the delivery loop, its result (or exception) here. Cancelling the
        caller cancels the work there (and waits for nothing: the cancellation is passed on)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work(), self._loop))

    async def aclose(self) -> None:
        """Cancel what still runs there (a publish past the shutdown grace) and wait for it,
        let the ledger write what waits, then stop the loop and its thread."""
        if not self._thread.is_alive():
            self._loop.close()
            return
        await self.run(self._finish)
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join)

    async def _finish(self) -> None:
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self.ledger.aclose()


def on_main(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`fn` (a coroutine function of the calling loop), callable from the delivery loop: it
    runs on the loop it belongs to, and the caller there awaits its result."""
    home = asyncio.get_running_loop()

    async def there(*args: P.args, **kwargs: P.kwargs) -> T:
        async def call() -> T:
            return await fn(*args, **kwargs)

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), home))

    return there


__all__ = ["SWITCH_INTERVAL", "DeliveryThread", "on_main"]
