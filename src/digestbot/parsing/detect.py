"""Which grammar an input is written in: from the file extension, else from the content."""

from __future__ import annotations

import enum
import re
from pathlib import PurePath

from digestbot.parsing import vocabulary as vocab


class Format(enum.StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


_EXTENSIONS = {
    ".txt": Format.TEXT,
    ".text": Format.TEXT,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
}
# Only a document that *starts* like HTML is HTML: plain text may quote "<script>" as data.
_HTML_START = re.compile(
    r"^\s*(?:<\?xml|<!doctype\s+html|<html|<head|<body|<article|<main|<div|<meta|<!--|<section)",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(\S.*)$", re.MULTILINE)
_MD_BOLD_LABEL = re.compile(r"^(?:[-*+]\s+)?\*\*([^*\n]{1,24})\*\*", re.MULTILINE)


def detect_format(text: str, filename: str | None = None) -> Format:
    if filename:
        by_extension = _EXTENSIONS.get(PurePath(filename).suffix.lower())
        if by_extension is not None:
            return by_extension
    if _HTML_START.match(text):
        return Format.HTML
    for match in _MD_HEADING.finditer(text):
        if vocab.match_section(match.group(1)) is not None or "日报" in match.group(1):
            return Format.MARKDOWN
    for match in _MD_BOLD_LABEL.finditer(text):
        if vocab.is_any_label(match.group(1) + "：") or vocab.match_section(match.group(1)):
            return Format.MARKDOWN
    return Format.TEXT


__all__ = ["Format", "detect_format"]
