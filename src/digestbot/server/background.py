"""Work that outlives the request that started it (a slash command is acknowledged at once and
answered later), kept track of so shutdown can wait for it instead of dropping it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(self) -> None:
        # asyncio keeps only weak references to tasks; without this set a pending reply
        # could be garbage-collected half way.
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("background task %s failed: %r", task.get_name(), exc)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float = 10.0) -> None:
        """Wait for running work; cancel what is still running after `grace` seconds."""
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in still_running:
            task.cancel()
        if still_running:
            log.warning("cancelled %d background task(s) at shutdown", len(still_running))
            await asyncio.gather(*still_running, return_exceptions=True)


__all__ = ["BackgroundWork"]
