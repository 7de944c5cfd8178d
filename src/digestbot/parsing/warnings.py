"""Collects parse warnings, each tied to a line of the (converted) input."""

from __future__ import annotations


class WarningLog:
    """De-duplicated warnings formatted as "line N: message"."""

    def __init__(self) -> None:
        self._items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        item = (max(line, 1), message)
        if item not in self._items:
            self._items.append(item)

    def extend(self, line: int, messages: list[str]) -> None:
        for message in messages:
            self.add(line, message)

    def as_tuple(self) -> tuple[str, ...]:
        """In line order, so a reader can walk the file top to bottom."""
        return tuple(f"line {line}: {message}" for line, message in sorted(
            self._items, key=lambda item: item[0]))


__all__ = ["WarningLog"]
