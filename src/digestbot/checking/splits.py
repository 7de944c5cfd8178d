"""How many messages each channel × variant takes, and where the renderer splits them: read
from the real renders (the renderer is used as is, never changed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from digestbot.model import Channel, Issue, Variant
from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.rendering import Renderer, strip_part_number, telegram_visible_text

_CONTINUITY = re.compile(r"^\(\d+/\d+\)\s*")  # "(2/3)" leading a continued Slack part
_SLACK_MARKUP = re.compile(r"[*_~`]|<[^|>]*\|([^>]*)>")
_SHOWN = 40  # characters of a part's opening shown to say where it starts


@dataclass(frozen=True, slots=True)
class Parts:
    channel: Channel
    variant: Variant
    count: int
    starts: tuple[str, ...]  # how each part after the first begins
    size: int  # bytes of all parts' text (email: text + HTML)

    def to_json(self) -> dict[str, Any]:
        return {"parts": self.count, "splits_before": list(self.starts), "bytes": self.size}


def parts_of(issue: Issue, renderer: Renderer) -> list[Parts]:
    """Every channel × variant, in the order telegram, slack, email × top3, top5, full."""
    found = []
    for channel in Channel:
        for variant in Variant:
            payloads = renderer.render(issue, channel, variant)
            texts = [_visible(p) for p in payloads]
            found.append(Parts(
                channel,
                variant,
                len(payloads),
                tuple(_opening(text) for text in texts[1:]),
                sum(_size(p) for p in payloads),
            ))
    return found


def _visible(payload: Payload) -> str:
    if isinstance(payload, TelegramMessage):
        return telegram_visible_text(strip_part_number(payload.text))
    if isinstance(payload, SlackMessage):
        return "\n".join(_block_text(block) for block in payload.blocks)
    return payload.text


def _block_text(block: dict[str, Any]) -> str:
    text = block.get("text")
    if isinstance(text, dict):
        return _SLACK_MARKUP.sub(lambda m: m.group(1) or "", str(text.get("text", "")))
    return ""


def _opening(text: str) -> str:
    lines = [line.strip() for line in _CONTINUITY.sub("", text.strip()).splitlines()]
    first = next((line for line in lines if line and not _CONTINUITY.fullmatch(line)), "")
    return first if len(first) <= _SHOWN else first[: _SHOWN - 1] + "…"


def _size(payload: Payload) -> int:
    if isinstance(payload, EmailMessage):
        return len(payload.text.encode()) + len(payload.html.encode())
    if isinstance(payload, TelegramMessage):
        return len(payload.text.encode())
    return len(str(payload.to_json()).encode())


__all__ = ["Parts", "parts_of"]
