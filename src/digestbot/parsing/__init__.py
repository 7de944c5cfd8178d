"""Parsing: an issue file (plain text, Markdown export or HTML page) → digestbot.model.Issue."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.parsing.api import parse_issue, read_issue
    from digestbot.parsing.cache import ParseCache
    from digestbot.parsing.decoding import decode
    from digestbot.parsing.detect import Format, detect_format
    from digestbot.parsing.errors import NotAnIssueError, ParseError
    from digestbot.parsing.html import html_to_text
    from digestbot.parsing.items import CitedSource
    from digestbot.parsing.markdown import markdown_to_text
    from digestbot.parsing.normalize import normalize
    from digestbot.parsing.sources import parse_sources
    from digestbot.parsing.text import TextParse, parse_text
    from digestbot.parsing.warnings import ParseWarning, WarningKind
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "api": ("parse_issue", "read_issue"),
            "cache": ("ParseCache",),
            "decoding": ("decode",),
            "detect": ("Format", "detect_format"),
            "errors": ("NotAnIssueError", "ParseError"),
            "html": ("html_to_text",),
            "items": ("CitedSource",),
            "markdown": ("markdown_to_text",),
            "normalize": ("normalize",),
            "sources": ("parse_sources",),
            "text": ("TextParse", "parse_text"),
            "warnings": ("ParseWarning", "WarningKind"),
        },
    )

__all__ = [
    "CitedSource",
    "Format",
    "NotAnIssueError",
    "ParseCache",
    "ParseError",
    "ParseWarning",
    "TextParse",
    "WarningKind",
    "decode",
    "detect_format",
    "html_to_text",
    "markdown_to_text",
    "normalize",
    "parse_issue",
    "parse_sources",
    "parse_text",
    "read_issue",
]
