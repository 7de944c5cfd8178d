"""Telegram digests: one HTML render, cut into messages at block boundaries."""

from __future__ import annotations

import re

import jinja2

from digestbot.model import Issue, Variant
from digestbot.payloads import TelegramMessage
from digestbot.rendering.environment import BLOCK_BREAK
from digestbot.rendering.packing import pack_telegram
from digestbot.rendering.reach import NO_REACH, Reach
from digestbot.rendering.templating import render_template

_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
BLOCK_SEPARATOR = "\n\n"


def telegram_blocks(
    env: jinja2.Environment, issue: Issue, variant: Variant, reach: Reach = NO_REACH
) -> list[str]:
    """The sections and cards of a render, in order, each balanced HTML."""
    text = render_template(env, f"telegram/{variant.value}.html.j2", issue, variant, reach)
    blocks = (_BLANK_LINES.sub("\n\n", b).strip() for b in text.split(BLOCK_BREAK))
    return [b for b in blocks if b]


def render_telegram(
    env: jinja2.Environment, issue: Issue, variant: Variant, reach: Reach = NO_REACH
) -> list[TelegramMessage]:
    """As many messages as the limits require, numbered "(k/n)" when there is more than one."""
    parts = pack_telegram(telegram_blocks(env, issue, variant, reach), separator=BLOCK_SEPARATOR)
    return [TelegramMessage(text=p) for p in parts]


__all__ = ["BLOCK_SEPARATOR", "render_telegram", "telegram_blocks"]
