"""The "更正" mark on a part a correction sends anew because the reader's message could no
longer be edited (too old, deleted). No template engine here: the fan-out applies it."""

from __future__ import annotations

import dataclasses

from digestbot.payloads import Payload, SlackMessage, TelegramMessage

CORRECTION = "更正"
_SLACK_MAX_BLOCKS = 50


def marked_as_correction(payload: Payload) -> Payload:
    """`payload` with a first line saying it is a correction: the reader's earlier message
    could not be edited (too old, deleted), so this one arrives as a new message."""
    if isinstance(payload, TelegramMessage):
        if payload.parse_mode == "HTML":
            return dataclasses.replace(payload, text=f"<b>{CORRECTION}</b>\n{payload.text}")
        return dataclasses.replace(payload, text=f"{CORRECTION}\n{payload.text}")
    if isinstance(payload, SlackMessage):
        mark = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{CORRECTION}*"}]}
        blocks = payload.blocks
        if len(blocks) < _SLACK_MAX_BLOCKS:
            blocks = (mark, *blocks)
        return SlackMessage(text=f"{CORRECTION}: {payload.text}", blocks=blocks)
    return dataclasses.replace(payload, subject=f"{CORRECTION}：{payload.subject}")


__all__ = ["CORRECTION", "marked_as_correction"]
