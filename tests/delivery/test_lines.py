"""A target's line is held by one sender at a time across event loops (`delivery.lines`):
the delivery thread's fan-out and the main loop's replies to the same chat take turns."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from digestbot.delivery.lines import LineLock


@pytest.fixture
def other_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own, as the delivery loop does."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def there(loop: asyncio.AbstractEventLoop, coro: object) -> asyncio.Future[object]:
    return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))  # type: ignore[arg-type]


async def test_a_holder_on_one_loop_keeps_a_waiter_on_another_out_until_it_releases(
    other_loop: asyncio.AbstractEventLoop,
) -> None:
    lock = LineLock()
    order: list[str] = []

    async def take(name: str) -> None:
        await lock.acquire()
        order.append(name)
        lock.release()

    await lock.acquire()
    waiting = there(other_loop, take("other loop"))
    await asyncio.sleep(0.2)
    assert not waiting.done() and lock.locked()
    order.append("holder")
    lock.release()
    await asyncio.wait_for(waiting, 5)
    assert order == ["holder", "other loop"]
    assert not lock.locked()


async def test_waiters_from_both_loops_get_it_in_the_order_they_asked(
    other_loop: asyncio.AbstractEventLoop,
) -> None:
    lock = LineLock()
    order: list[str] = []

    async def take(name: str) -> None:
        async with lock:
            order.append(name)
            await asyncio.sleep(0.01)

    await lock.acquire()
    first = there(other_loop, take("first, other loop"))
    while len(lock._waiters) < 1:
        await asyncio.sleep(0.01)
    second = asyncio.ensure_future(take("second, this loop"))
    while len(lock._waiters) < 2:
        await asyncio.sleep(0.01)
    third = there(other_loop, take("third, other loop"))
    while len(lock._waiters) < 3:
        await asyncio.sleep(0.01)
    lock.release()
    await asyncio.wait_for(asyncio.gather(first, second, third), 5)
    assert order == ["first, other loop", "second, this loop", "third, other loop"]
    assert not lock.locked()


async def test_a_waiter_that_gives_up_does_not_keep_the_line(
    other_loop: asyncio.AbstractEventLoop,
) -> None:
    lock = LineLock()
    await lock.acquire()
    impatient = asyncio.ensure_future(lock.acquire())
    await asyncio.sleep(0.05)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient

    async def take() -> str:
        async with lock:
            return "taken"

    later = there(other_loop, take())
    lock.release()
    assert await asyncio.wait_for(later, 5) == "taken"
    assert not lock.locked()


async def test_a_waiter_cancelled_as_the_line_is_handed_to_it_passes_it_on() -> None:
    lock = LineLock()
    await lock.acquire()
    handed = asyncio.ensure_future(lock.acquire())
    await asyncio.sleep(0)  # it waits now
    lock.release()  # handed to it on this loop's next turn ...
    handed.cancel()  # ... and cancelled before that turn comes
    with pytest.raises(asyncio.CancelledError):
        await handed
    await asyncio.sleep(0)
    assert not lock.locked()
    await asyncio.wait_for(lock.acquire(), 1)  # nobody holds it
