"""Input caps: an issue beyond them is parsed (and shown) but never published. Shared by the
parser (which says when an issue is over them), the config (`[limits]`) and the checks.

A 50 MB file or a section of 10,000 items is a broken export or an attack, not a report: it
would be thousands of messages per reader. The defaults match `[limits]` in the config."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_ITEMS = 20
# A heading that promises N items over a section holding more than OVER_PROMISE × N of them
# ("今日 Top 5 大事件" with 12 events) is not an editor's slip of one.
OVER_PROMISE = 2


@dataclass(frozen=True, slots=True)
class InputLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_items: int = DEFAULT_MAX_ITEMS  # per section

    def size_problem(self, size: int) -> str | None:
        """Why an input of `size` bytes is too big to publish, or None."""
        if size <= self.max_bytes:
            return None
        return f"the issue is {_megabytes(size)}, over the {_megabytes(self.max_bytes)} cap"

    def count_problem(self, heading: str, count: int, promised: int | None) -> str | None:
        """Why a section of `count` items is too long to publish, or None."""
        if count > self.max_items:
            return f"{heading} has {count} items, over the cap of {self.max_items} per section"
        if promised is not None and count > OVER_PROMISE * promised:
            return (
                f"{heading} promises {promised} items but has {count}, more than "
                f"{OVER_PROMISE} times as many"
            )
        return None


DEFAULT_LIMITS = InputLimits()


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ITEMS",
    "OVER_PROMISE",
    "InputLimits",
]
