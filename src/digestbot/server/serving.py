"""Running the app under uvicorn inside digestbot's own event loop and signal handling."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable, Generator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from digestbot.server.app import background_of
from digestbot.server.slow_clients import with_deadlines

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 5


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: `digestbot run` owns SIGTERM/SIGINT and stops
    every part of the process (scheduler, bot, server) together through one event."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:  # uvicorn ≥ 0.29's hook
        yield

    def install_signal_handlers(self) -> None:  # the same hook in older uvicorn releases
        return None


class PortUnavailable(OSError):
    """The configured address cannot be listened on (taken by another process, not a local
    address, a privileged port). `str()` is the one line an operator reads, naming the key."""


def bind(host: str, port: int, key: str = "server.port") -> socket.socket:
    """A listening socket, bound here, before anything else starts, so a taken port stops
    `digestbot run` with one line (uvicorn itself would log a traceback and call sys.exit
    from inside the event loop)."""
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        return socket.create_server(address[:2], family=family)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason = "address already in use (another digestbot run, or another server?)"
        raise PortUnavailable(f"{key}: cannot listen on {host}:{port}: {reason}") from exc


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long a client may take to send a request's head and its body (seconds)."""

    header: float = 5.0
    body: float = 10.0


async def serve(
    app: Starlette,
    host: str,
    port: int,
    stop_event: asyncio.Event,
    *,
    on_ready: Callable[[str, int], None] | None = None,
    deadlines: Deadlines = Deadlines(),
    sock: socket.socket | None = None,
) -> None:
    """Serve until `stop_event` is set, then close connections and wait for pending
    slash-command replies. `port=0` picks a free port; `on_ready(host, port)` reports it.
    `sock`, bound beforehand with `bind`, is served instead of binding `host:port` here."""
    if sock is None:
        sock = bind(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=False,  # request lines would log unsubscribe tokens
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        http=with_deadlines(deadlines.header, deadlines.body),
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="http-server")
    try:
        # uvicorn exposes readiness only as a flag, so it is polled.
        while not server.started and not task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if server.started:
            bound_host, bound_port = sock.getsockname()[:2]
            log.info("HTTP server listening on %s:%d", bound_host, bound_port)
            if on_ready is not None:
                on_ready(bound_host, bound_port)
        stopping = asyncio.create_task(stop_event.wait())
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
    finally:
        server.should_exit = True
        await task  # re-raises if the server itself failed
        sock.close()
        background = getattr(app.state, "background", None)
        if background is not None:
            await background_of(app).drain(GRACEFUL_SECONDS)


__all__ = ["Deadlines", "PortUnavailable", "bind", "serve"]
