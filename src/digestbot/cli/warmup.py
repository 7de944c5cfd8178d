"""The HTTP client a command will send with, imported on a thread while the command loads the rest.

aiohttp (Telegram's and Slack's clients run on it) makes two SSL contexts when it is imported,
loading the system's CA certificates into each: about 30 ms in which the GIL is free. Started
on a thread as soon as the config says a live Telegram or Slack channel will send, that load
runs beside the store's, the delivery stack's and the renderer's imports instead of before the
first message (`benchmarks.startup`). A config that sends nothing over HTTP (an outbox, email
only) loads no aiohttp at all.

The thread only imports a third-party package that imports nothing of digestbot, so the two
threads never import the same digestbot module. Whoever needs the package first waits on the
import lock as for any import, and a failed import is raised again, and reported, there."""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Sequence

from digestbot.config import Config
from digestbot.model import Channel

HTTP_CLIENT = "aiohttp"
_OVER_HTTP = (Channel.TELEGRAM, Channel.SLACK)


def warm_senders(config: Config, only: Sequence[Channel] | None = None) -> threading.Thread | None:
    """Start importing the HTTP client when one of the channels to send on (`only`, default
    every enabled one) is live Telegram or Slack; the thread, if one was started."""
    for channel in _OVER_HTTP:
        section = config.channel(channel)
        if section is not None and section.transport == "live" and (not only or channel in only):
            return warm(HTTP_CLIENT)
    return None


def warm(module: str) -> threading.Thread | None:
    """Start importing `module` on a thread, unless it is loaded already."""
    if module in sys.modules:
        return None
    # Not a daemon: a command that ends early waits for the import instead of exiting under it.
    thread = threading.Thread(target=_import, args=(module,), name="digestbot-warmup")
    thread.start()
    return thread


def _import(module: str) -> None:
    # The command's own import of it raises the same error where it can say what failed.
    with contextlib.suppress(Exception):
        importlib.import_module(module)


__all__ = ["HTTP_CLIENT", "warm", "warm_senders"]
