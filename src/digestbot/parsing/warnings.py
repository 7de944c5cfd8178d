"""Collects parse warnings, each tied to a line of the (converted) input."""

from __future__ import annotations


class WarningLog:
    """Ordered, de-duplicated warnings formatted as "line N: message"."""

    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, line: int, message: str) -> None:
        item = f"line {max(line, 1)}: {message}"
        if item not in self._items:
            self._items.append(item)

    def extend(self, line: int, messages: list[str]) -> None:
        for message in messages:
            self.add(line, message)

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._items)


__all__ = ["WarningLog"]
