"""The parsing layer's exceptions. Anything short of "this is not an issue" is a warning instead."""

from __future__ import annotations


class ParseError(ValueError):
    """Base of every error the parser raises."""


class NotAnIssueError(ParseError):
    """The input is not an issue at all: empty, binary, or a page without any section heading."""


__all__ = ["NotAnIssueError", "ParseError"]
