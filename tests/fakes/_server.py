"""Runs an aiohttp application on 127.0.0.1 in a background thread with its own event loop,
so a fake serves both async tests (any loop) and plain code, benchmarks or subprocesses."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, Generic, Protocol, Self, TypeVar

from aiohttp import web

T = TypeVar("T")


class _Counted(Protocol):
    times: int | None  # uses left; None: for ever


F = TypeVar("F", bound=_Counted)
ANY_TARGET = "*"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SlidingWindow:
    """Counts events in the last `period` seconds; tells how long until one more fits."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self._times: list[float] = []

    def wait_time(self, now: float) -> float:
        """0 when one more event fits now, else seconds until the oldest leaves the window."""
        cutoff = now - self.period
        self._times = [t for t in self._times if t > cutoff]
        if len(self._times) < self.limit:
            return 0.0
        return self._times[-self.limit] + self.period - now

    def add(self, now: float) -> None:
        self._times.append(now)


class TokenBucket:
    """`rate` events per second on average with bursts of `burst`: how Telegram's bot-wide
    ~30 msg/s behaves (a burst of 30, then one every 1/30 s), and the model behind the
    benchmark's floor of (N - 30) / 30 s. `tolerance` (seconds) lets an arrival that much
    early pass: per-chat limits of "about one message per second" are not enforced to the
    millisecond by the services, while a request's network delay varies by a few."""

    def __init__(self, rate: float, burst: int, tolerance: float = 0.0) -> None:
        self.rate, self.burst, self.tolerance = rate, burst, tolerance
        self._tat = float("-inf")  # theoretical arrival time of the next conforming event

    def wait_time(self, now: float) -> float:
        allowed_at = max(self._tat, now) - (self.burst - 1) / self.rate - self.tolerance
        return max(0.0, allowed_at - now)

    def add(self, now: float, *, saturate: bool = False) -> None:
        """Count one event. `saturate`: an event this bucket did not admit (it went through
        another limit) empties the bucket but never runs it into debt."""
        tat = max(self._tat, now) + 1.0 / self.rate
        self._tat = min(tat, now + self.burst / self.rate) if saturate else tat


class FaultScript(Generic[F]):
    """Faults a test scripted per target (a chat, a channel; "*" for every request). Each
    fake keeps its own fault type and the methods that name its faults; what they share is
    this bookkeeping: the first live fault applies, a counted one is used up as it fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # requests are served on the server's thread
        self._faults: dict[str, list[F]] = {}

    def add(self, target: str, fault: F) -> None:
        with self._lock:
            self._faults.setdefault(target, []).append(fault)

    def take(self, target: str) -> F | None:
        """The fault for a request to `target` ("" when it names none), using up one of its
        uses; faults for the target itself come before those for every request."""
        with self._lock:
            for key in (target, ANY_TARGET) if target else (ANY_TARGET,):
                for fault in self._faults.get(key, []):
                    if fault.times is not None:
                        if fault.times <= 0:
                            continue
                        fault.times -= 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus JSON or form body in one dict, as both Web APIs accept either."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


class BackgroundServer:
    """Subclasses build `self.app`; start() serves it, stop() tears it down."""

    def __init__(self, port: int = 0, clock: Callable[[], float] = time.monotonic) -> None:
        self.port = port
        self.clock = clock  # rate-limit windows read this; tests may freeze it
        self.lock = threading.RLock()  # guards recorded state read from other threads
        self.held = 0  # requests that waited at a closed gate (see hold)
        self._gate_open = threading.Event()
        self._gate_open.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def build_app(self) -> web.Application:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None, "server not started"
        return self._loop

    def start(self) -> Self:
        if self._thread is not None:
            return self
        ready: Future[None] = Future()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:
                ready.set_exception(exc)
                return
            ready.set_result(None)
            loop.run_forever()
            loop.run_until_complete(self._stop_site())
            # Handlers still sleeping (slow mode) or long-polling are cancelled, not leaked.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.result(timeout=10)
        return self

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(
            self.build_app(), handle_signals=False, access_log=None, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        if self.port == 0:
            server = site._server
            assert isinstance(server, asyncio.base_events.Server)
            self.port = int(server.sockets[0].getsockname()[1])

    async def _stop_site(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        thread.join(timeout=10)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the server's loop from another thread and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def now(self) -> float:
        return self.clock()

    def hold(self) -> None:
        """From now on, requests that pass the gate wait there (unanswered, not yet recorded)
        until release(): lets a test line up several clients before any of them finishes."""
        self._gate_open.clear()

    def release(self) -> None:
        self._gate_open.set()

    async def gate(self) -> None:
        if self._gate_open.is_set():
            return
        with self.lock:
            self.held += 1
        while not self._gate_open.is_set():
            await asyncio.sleep(0.01)

    def serve_forever(self, banner: str) -> None:
        """For `python -m tests.fakes.…`: serve until Ctrl-C."""
        self.start()
        print(f"{banner} on {self.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stop()


async def drop_connection(request: web.Request) -> web.StreamResponse:
    """Hang up without answering, like a proxy that lost its upstream."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    # Nothing can be written any more; aiohttp notices the closed transport and moves on.
    raise asyncio.CancelledError
