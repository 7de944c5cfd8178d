"""Slack digests: a template prints Block Kit JSON; this packs the blocks into messages."""

from __future__ import annotations

import json
from typing import Any

import jinja2

from digestbot.model import Issue, Variant
from digestbot.payloads import SlackMessage
from digestbot.rendering.errors import RenderError
from digestbot.rendering.limits import (
    SLACK_MAX_BLOCKS,
    SLACK_MAX_FALLBACK,
    SLACK_MAX_MESSAGE_CHARS,
    truncate,
)
from digestbot.rendering.reach import NO_REACH, Reach
from digestbot.rendering.templating import render_template

Block = dict[str, Any]
Unit = list[Block]  # blocks that belong in the same message (a card, a section and its heading)


def _objects(text: str, template: str) -> list[dict[str, Any]]:
    """The JSON objects a Slack template printed, in order."""
    decoder = json.JSONDecoder()
    objects: list[dict[str, Any]] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return objects
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise RenderError(template, f"output is not a JSON object stream: {exc}") from exc
        if not isinstance(value, dict):
            raise RenderError(template, f"printed a JSON {type(value).__name__}, expected objects")
        objects.append(value)


def _block_chars(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def _pack(units: list[Unit]) -> list[list[Block]]:
    """Units into as few messages as the block and size limits allow, units kept whole."""
    messages: list[list[Block]] = []
    current: list[Block] = []
    chars = 0
    for unit in units:
        unit_chars = sum(_block_chars(b) for b in unit)
        fits = (
            len(current) + len(unit) <= SLACK_MAX_BLOCKS
            and chars + unit_chars <= SLACK_MAX_MESSAGE_CHARS
        )
        if current and not fits:
            messages.append(current)
            current, chars = [], 0
        for block in unit:  # a unit bigger than a message continues in the next one
            size = _block_chars(block)
            if current and (
                len(current) >= SLACK_MAX_BLOCKS or chars + size > SLACK_MAX_MESSAGE_CHARS
            ):
                messages.append(current)
                current, chars = [], 0
            current.append(block)
            chars += size
    if current:
        messages.append(current)
    return messages


def render_slack(
    env: jinja2.Environment, issue: Issue, variant: Variant, reach: Reach = NO_REACH
) -> list[SlackMessage]:
    """The first message is what the channel sees; any further ones are its thread replies."""
    name = f"slack/{variant.value}.json.j2"
    fallback = ""
    parent: list[Unit] = [[]]
    thread: list[Unit] = [[]]
    target = parent
    for obj in _objects(render_template(env, name, issue, variant, reach), name):
        match obj.get("digestbot"):
            case None:
                target[-1].append(obj)
            case "fallback":
                fallback = str(obj.get("text", ""))
            case "unit":
                target.append([])
            case "thread":
                target = thread
            case other:
                raise RenderError(name, f"unknown instruction {{'digestbot': {other!r}}}")
    fallback = truncate(
        fallback.strip() or issue.title or issue.date_iso or "digest", SLACK_MAX_FALLBACK
    )
    messages = _pack([u for u in parent if u]) + _pack([u for u in thread if u])
    if not messages:
        raise RenderError(name, "rendered no blocks")
    first_line = fallback.splitlines()[0]
    total = len(messages)
    return [
        SlackMessage(
            text=fallback
            if k == 1
            else truncate(f"{first_line} ({k}/{total})", SLACK_MAX_FALLBACK),
            blocks=tuple(blocks),
        )
        for k, blocks in enumerate(messages, start=1)
    ]


__all__ = ["render_slack"]
