"""Platform length limits, and how a render is measured against them. Pure functions.

Telegram counts a message's length in UTF-16 code units of the text *after* entity parsing (tags
removed, `&amp;` counted as one `&`), and allows at most 100 entities (one per tag pair). Slack
counts the raw mrkdwn characters of a section. Splitting a render that is over them is
`splitting.py`'s job; laying a digest out as messages, `packing.py`'s.
"""

from __future__ import annotations

import html
import re

TELEGRAM_MAX_UTF16 = 4096
TELEGRAM_MAX_ENTITIES = 100
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
SLACK_MAX_BLOCKS = 50  # per message, and per response_url post
SLACK_MAX_FALLBACK = 3000  # the top-level `text` shown in notifications
# Slack truncates a message's text at 40,000 characters; a reply this size is already a wall.
SLACK_MAX_MESSAGE_CHARS = 12_000
# The whole encoded MIME message: Gmail clips a message past ~102 KB ("[Message clipped]").
EMAIL_MAX_BYTES = 100_000

_TG_TAG = re.compile(r"<(/?)[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: astral characters (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def telegram_visible_text(text: str) -> str:
    """The text a Telegram reader sees: tags dropped, entities decoded."""
    return html.unescape(_TG_TAG.sub("", text))


def telegram_length(text: str) -> int:
    """The length Telegram checks against its 4096 limit."""
    return utf16_len(telegram_visible_text(text))


def telegram_entity_count(text: str) -> int:
    """Formatting entities in Telegram HTML: one per opening tag."""
    return sum(1 for m in _TG_TAG.finditer(text) if not m.group(1))


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters, ending in an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)].rstrip() + ellipsis


__all__ = [
    "EMAIL_MAX_BYTES",
    "SLACK_MAX_BLOCKS",
    "SLACK_MAX_FALLBACK",
    "SLACK_MAX_HEADER",
    "SLACK_MAX_MESSAGE_CHARS",
    "SLACK_MAX_SECTION",
    "TELEGRAM_MAX_ENTITIES",
    "TELEGRAM_MAX_UTF16",
    "telegram_entity_count",
    "telegram_length",
    "telegram_visible_text",
    "truncate",
    "utf16_len",
]
