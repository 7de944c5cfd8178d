"""What each chat of the Telegram fake shows right now, and the Bot API's rules for changing it:
editMessageText and deleteMessage with the real answers ("message is not modified", "message
to edit not found", "message can't be deleted" after 48 hours…).

The fake's `messages` list stays the log of every sendMessage; this book is the chat as a reader
would scroll it: messages not deleted, each with its latest text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_html import Entity, EntityParseError, parse_html, utf16_len

MAX_TEXT_UTF16 = 4096
# Bot API deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WINDOW_SECONDS = 48 * 3600
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
CANT_EDIT = "Bad Request: message can't be edited"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
CANT_DELETE = "Bad Request: message can't be deleted"


def check_text(params: dict[str, Any]) -> tuple[str, list[Entity], str | None]:
    """(visible text, its entities, None) for a text Telegram accepts, else ("", [], its error
    description)."""
    text = str(params.get("text", ""))
    entities: list[Entity] = []
    try:
        shown, entities = parse_html(text) if params.get("parse_mode") == "HTML" else (text, [])
    except EntityParseError as exc:
        return "", [], f"Bad Request: can't parse entities: {exc}"
    if not shown.strip():
        return "", [], "Bad Request: message text is empty"
    if utf16_len(shown) > MAX_TEXT_UTF16:
        return "", [], "Bad Request: message is too long"
    return shown, entities, None


@dataclass(slots=True)
class LiveMessage:
    chat_id: str
    message_id: int
    text: str  # the latest HTML source
    parse_mode: str | None
    reply_markup: Any
    sent_at: float  # the fake's clock, for the 48-hour deletion window
    reply_to: int | None = None
    edit_count: int = 0


class MessageBook:
    """Not thread-safe on its own: the fake holds its lock around every call."""

    def __init__(self) -> None:
        self._live: dict[tuple[str, int], LiveMessage] = {}
        self.uneditable: set[str] = set()  # chats whose messages Telegram refuses to edit

    def add(self, message: LiveMessage) -> None:
        self._live[(message.chat_id, message.message_id)] = message

    def get(self, chat_id: str, message_id: int) -> LiveMessage | None:
        return self._live.get((chat_id, message_id))

    def edit_problem(self, chat_id: str, message_id: int, params: dict[str, Any]) -> str | None:
        """Why Telegram would refuse this edit (before spending a rate-limit slot), or None."""
        message = self.get(chat_id, message_id)
        if message is None:
            return EDIT_NOT_FOUND
        if chat_id in self.uneditable:
            return CANT_EDIT
        same_text = message.text == str(params.get("text", ""))
        same_mode = message.parse_mode == params.get("parse_mode")
        if same_text and same_mode and message.reply_markup == params.get("reply_markup"):
            return NOT_MODIFIED
        return None

    def apply_edit(self, chat_id: str, message_id: int, params: dict[str, Any]) -> LiveMessage:
        message = self._live[(chat_id, message_id)]
        message.text = str(params.get("text", ""))
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = params.get("reply_markup")
        message.edit_count += 1
        return message

    def delete_problem(self, chat_id: str, message_id: int, now: float) -> str | None:
        message = self.get(chat_id, message_id)
        if message is None:
            return DELETE_NOT_FOUND
        if now - message.sent_at >= DELETE_WINDOW_SECONDS:
            return CANT_DELETE
        return None

    def delete(self, chat_id: str, message_id: int) -> None:
        self._live.pop((chat_id, message_id), None)

    def age(self, chat_id: str, seconds: float) -> None:
        """Pretend every message in the chat was sent `seconds` earlier."""
        for message in self._live.values():
            if message.chat_id == chat_id:
                message.sent_at -= seconds

    def shown(self, chat_id: str) -> list[LiveMessage]:
        return sorted(
            (m for m in self._live.values() if m.chat_id == chat_id), key=lambda m: m.message_id
        )

    def chats(self) -> set[str]:
        return {chat_id for chat_id, _ in self._live}


__all__ = [
    "CANT_DELETE",
    "CANT_EDIT",
    "DELETE_NOT_FOUND",
    "DELETE_WINDOW_SECONDS",
    "EDIT_NOT_FOUND",
    "MAX_TEXT_UTF16",
    "NOT_MODIFIED",
    "LiveMessage",
    "MessageBook",
    "check_text",
]
