"""Turning a rendered Slack digest into response_url posts, and posting them.

A response_url accepts at most five posts within 30 minutes, and each post is a whole message
(≤ 50 blocks) rather than a thread reply. So the rendered parts are packed greedily into as few
messages as fit 50 blocks each (a divider between parts that share one). When even that needs
more than five posts, the first four go out and a fifth points to `/today top5` and the
channel; in practice the largest variant of a real issue fits one or two posts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from digestbot.payloads import SlackMessage
from digestbot.rendering.limits import SLACK_MAX_BLOCKS

log = logging.getLogger(__name__)
# slack_sdk logs each request's URL at DEBUG, and a response_url is a bearer credential: its
# client gets a logger of its own that says only what goes wrong.
_sdk_log = logging.getLogger(f"{__name__}.sdk")
_sdk_log.setLevel(logging.WARNING)

ResponseType = Literal["ephemeral", "in_channel"]
MAX_RESPONSE_POSTS = 5
POST_TIMEOUT_SECONDS = 10
CONTINUED = (
    "…余下内容请使用 `/today top5`，或在频道中阅读全文。\n"
    "…continued: use `/today top5` or read the full issue in the channel."
)
_DIVIDER: dict[str, Any] = {"type": "divider"}


def _note_block(note: str) -> dict[str, Any]:
    # The note is our own sentence (a date and fixed words); nothing in it needs escaping.
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}


def _message(
    response_type: ResponseType, text: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"response_type": response_type, "text": text, "blocks": blocks}


def text_reply(text: str, response_type: ResponseType = "ephemeral") -> dict[str, Any]:
    """A plain message (usage, "no issue yet", errors): text only, no blocks."""
    return {"response_type": response_type, "text": text}


def response_messages(
    parts: Sequence[SlackMessage], response_type: ResponseType, note: str | None = None
) -> list[dict[str, Any]]:
    """The response_url payloads for `parts`, at most five, each within Slack's block limit."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    if note is not None:
        first = parts[0] if parts else None
        if first is not None and len(first.blocks) < SLACK_MAX_BLOCKS:
            # The note rides on top of the first part; only a part already at the limit
            # pushes it into a message of its own.
            parts = [
                SlackMessage(text=first.text, blocks=(_note_block(note), *first.blocks)),
                *parts[1:],
            ]
        else:
            groups.append((note, [_note_block(note)]))
    for part in parts:
        blocks = list(part.blocks)
        if groups and len(groups[-1][1]) + 1 + len(blocks) <= SLACK_MAX_BLOCKS:
            groups[-1][1].extend([_DIVIDER, *blocks])
        else:
            groups.append((part.text, blocks))
    if note is not None and groups:
        groups[0] = (f"{note}\n{groups[0][0]}", groups[0][1])
    messages = [_message(response_type, text, blocks) for text, blocks in groups]
    if len(messages) > MAX_RESPONSE_POSTS:
        messages = [*messages[: MAX_RESPONSE_POSTS - 1], text_reply(CONTINUED, response_type)]
    return messages


async def post_replies(response_url: str, messages: Sequence[dict[str, Any]]) -> int:
    """Post `messages` in order; stop at the first failure (a retry would spend one of the
    five posts Slack allows, and a later part without the earlier one reads wrong).
    Returns how many were accepted. The URL is never logged: it is a bearer credential."""
    posted = 0
    async with aiohttp.ClientSession() as session:
        # retry_handlers=[]: the SDK's default would resend after a dropped connection.
        client = AsyncWebhookClient(
            response_url,
            timeout=POST_TIMEOUT_SECONDS,
            session=session,
            logger=_sdk_log,
            retry_handlers=[],
        )
        for message in messages:
            try:
                response = await client.send_dict(message)
            except (TimeoutError, aiohttp.ClientError) as exc:
                log.warning("slash command reply %d failed: %s", posted + 1, type(exc).__name__)
                return posted
            if response.status_code >= 300:
                log.warning(
                    "slash command reply %d refused: HTTP %d %s",
                    posted + 1,
                    response.status_code,
                    (response.body or "")[:200],
                )
                return posted
            posted += 1
    return posted


__all__ = [
    "CONTINUED",
    "MAX_RESPONSE_POSTS",
    "ResponseType",
    "post_replies",
    "response_messages",
    "text_reply",
]
