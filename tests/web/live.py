"""The real app on a real socket (uvicorn, port 0) in a thread of its own, for a browser."""

from __future__ import annotations

import asyncio
import threading
from typing import Self

from starlette.applications import Starlette

from digestbot.server import serve


class LiveServer:
    def __init__(self, app: Starlette, port: int = 0) -> None:
        self.app = app
        self.port = port
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()

            def ready(host: str, port: int) -> None:
                self.url = f"http://{host}:{port}"
                self._ready.set()

            await serve(self.app, "127.0.0.1", self.port, self._stop, on_ready=ready)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._ready.set()

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise RuntimeError(f"server did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
