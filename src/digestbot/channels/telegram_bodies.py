"""sendMessage bodies, encoded once per part and spliced per chat.

A broadcast sends the same part to thousands of chats; only `chat_id` (and, for parts after
the first, the message they answer) differs. Building PTB's parameters and encoding the whole
JSON again for each chat cost more CPU than the HTTP request; here the part's fields are
encoded once and each body is `{"chat_id":…,` + the reply + that encoding."""

from __future__ import annotations

import json
import re

from digestbot.payloads import TelegramMessage

_NUMERIC_CHAT = re.compile(r"-?\d+")
# Parts that stay cached: a publish has a handful (variants x parts, chat and channel forms),
# a long-running bot renders new ones every day.
MAX_CACHED = 256


def chat_id(target: str) -> int | str:
    """The Bot API's chat_id: a number for chats and groups, the @username for channels."""
    return int(target) if _NUMERIC_CHAT.fullmatch(target) else target


def encode(value: object) -> bytes:
    """As compact as the Bot API accepts: UTF-8, not \\u escapes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class SendBodies:
    """The JSON bodies of sendMessage for the parts this channel sends (`paid`: each carries
    allow_paid_broadcast)."""

    __slots__ = ("_paid", "_tails")

    def __init__(self, *, paid: bool) -> None:
        self._paid = paid
        # id(part) -> (part, its fields after chat_id). The part is kept so its id cannot be
        # reused by another object while the entry lives.
        self._tails: dict[int, tuple[TelegramMessage, bytes]] = {}

    def body(self, target: str, message: TelegramMessage, reply_to: str | None) -> bytes:
        """The body sending `message` to `target` (as a reply to message `reply_to`: parts
        2+ of a split digest answer part 1; if part 1 is gone the rest still goes out)."""
        chat = b"%d" % int(target) if _NUMERIC_CHAT.fullmatch(target) else encode(target)
        head = b'{"chat_id":' + chat + b","
        if reply_to is not None and reply_to.isdigit():
            head += b'"reply_parameters":{"message_id":%d,"allow_sending_without_reply":true},' % (
                int(reply_to)
            )
        return head + self._tail(message)

    def _tail(self, message: TelegramMessage) -> bytes:
        cached = self._tails.get(id(message))
        if cached is not None and cached[0] is message:
            return cached[1]
        fields = message.to_json()
        if self._paid:
            fields["allow_paid_broadcast"] = True
        tail = encode(fields)[1:]  # without its "{": chat_id comes first
        if len(self._tails) >= MAX_CACHED:
            self._tails.clear()
        self._tails[id(message)] = (message, tail)
        return tail


__all__ = ["MAX_CACHED", "SendBodies", "chat_id", "encode"]
