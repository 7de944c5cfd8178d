"""`digestbot run`, in parts: `root` (the composition root), `daily` (what a publish does for
the service), `polling` (the schedule) and `signals` (SIGTERM/SIGINT)."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.service.daily import DailyPublish, DailyStore, PublishInterrupted
    from digestbot.service.polling import Poller
    from digestbot.service.root import SHUTDOWN_GRACE, Service
    from digestbot.service.signals import stop_on_signals
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "daily": ("DailyPublish", "DailyStore", "PublishInterrupted"),
            "polling": ("Poller",),
            "root": ("SHUTDOWN_GRACE", "Service"),
            "signals": ("stop_on_signals",),
        },
    )

__all__ = [
    "SHUTDOWN_GRACE",
    "DailyPublish",
    "DailyStore",
    "Poller",
    "PublishInterrupted",
    "Service",
    "stop_on_signals",
]
