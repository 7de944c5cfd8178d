"""What rendering produces and channels consume: one value per message, already inside the
platform limits. Beside the model, so channels never import rendering to know their input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Rendered into email bodies where the per-recipient unsubscribe URL goes; replaced per recipient
# so one render serves every address (rendering 100,000 bodies would dominate a publish).
UNSUBSCRIBE_PLACEHOLDER = "urn:digestbot:unsubscribe-url"
# The same for the recipient's preferences page (change variant, leave); without one it
# resolves to the unsubscribe link, so the footer never shows a dead link.
PREFERENCES_PLACEHOLDER = "urn:digestbot:preferences-url"


@dataclass(frozen=True, slots=True)
class InlineButton:
    text: str
    callback_data: str  # ≤ 64 bytes, handed back to the bot when the button is pressed


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    """Buttons under a Telegram message, in rows; named after the Bot API's own field."""

    inline_keyboard: tuple[tuple[InlineButton, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "inline_keyboard": [
                [{"text": b.text, "callback_data": b.callback_data} for b in row]
                for row in self.inline_keyboard
            ]
        }


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    text: str  # Telegram HTML, ≤ 4096 UTF-16 units of visible text, ≤ 100 entities
    parse_mode: str | None = "HTML"  # None: plain text (the bot's own short answers)
    # A digest cites many sources; a preview card of the first one would only push the text down.
    disable_link_preview: bool = True
    keyboard: InlineKeyboard | None = None

    def to_json(self) -> dict[str, Any]:
        """The sendMessage fields (Bot API 7+ spells the preview switch link_preview_options)."""
        body: dict[str, Any] = {"text": self.text}
        if self.parse_mode is not None:
            body["parse_mode"] = self.parse_mode
        if self.disable_link_preview:
            body["link_preview_options"] = {"is_disabled": True}
        if self.keyboard is not None:
            body["reply_markup"] = self.keyboard.to_json()
        return body


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the top-level fallback shown in notifications
    blocks: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}


def recipient_links(
    unsubscribe_url: str, preferences_url: str | None = None
) -> tuple[tuple[str, str], ...]:
    """What each link placeholder of an email becomes for one recipient, in the order to
    replace them (the preferences link falls back to the unsubscribe link)."""
    return (
        (PREFERENCES_PLACEHOLDER, preferences_url or unsubscribe_url),
        (UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
    )


@dataclass(frozen=True, slots=True)
class EmailMessage:
    subject: str
    text: str
    html: str

    def for_recipient(
        self, unsubscribe_url: str, preferences_url: str | None = None
    ) -> EmailMessage:
        links = recipient_links(unsubscribe_url, preferences_url)

        def fill(text: str) -> str:
            for placeholder, link in links:
                text = text.replace(placeholder, link)
            return text

        return EmailMessage(subject=self.subject, text=fill(self.text), html=fill(self.html))

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


Payload = TelegramMessage | SlackMessage | EmailMessage

__all__ = [
    "PREFERENCES_PLACEHOLDER",
    "UNSUBSCRIBE_PLACEHOLDER",
    "EmailMessage",
    "InlineButton",
    "InlineKeyboard",
    "Payload",
    "SlackMessage",
    "TelegramMessage",
    "recipient_links",
]
