"""Channel digests from templates: Issue × channel × variant → payloads within platform limits."""

from digestbot.rendering.environment import CHANNELS
from digestbot.rendering.errors import RenderError
from digestbot.rendering.limits import (
    pack_telegram,
    split_mrkdwn,
    strip_part_number,
    telegram_entity_count,
    telegram_length,
    telegram_visible_text,
    utf16_len,
)
from digestbot.rendering.payloads import (
    UNSUBSCRIBE_PLACEHOLDER,
    EmailMessage,
    Payload,
    SlackMessage,
    TelegramMessage,
)
from digestbot.rendering.renderer import Renderer

__all__ = [
    "CHANNELS",
    "UNSUBSCRIBE_PLACEHOLDER",
    "EmailMessage",
    "Payload",
    "RenderError",
    "Renderer",
    "SlackMessage",
    "TelegramMessage",
    "pack_telegram",
    "split_mrkdwn",
    "strip_part_number",
    "telegram_entity_count",
    "telegram_length",
    "telegram_visible_text",
    "utf16_len",
]
