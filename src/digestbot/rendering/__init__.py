"""Channel digests from templates: Issue × channel × variant → payloads within platform limits."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.rendering.errors import RenderError
    from digestbot.rendering.limits import (
        telegram_entity_count,
        telegram_length,
        telegram_visible_text,
        utf16_len,
    )
    from digestbot.rendering.packing import pack_telegram, strip_part_number
    from digestbot.rendering.reach import Audience, Reach, audience_of, bot_chat_url
    from digestbot.rendering.renderer import Renderer
    from digestbot.rendering.splitting import split_mrkdwn
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "errors": ("RenderError",),
            "limits": (
                "telegram_entity_count",
                "telegram_length",
                "telegram_visible_text",
                "utf16_len",
            ),
            "packing": ("pack_telegram", "strip_part_number"),
            "reach": ("Audience", "Reach", "audience_of", "bot_chat_url"),
            "renderer": ("Renderer",),
            "splitting": ("split_mrkdwn",),
        },
    )

__all__ = [
    "Audience",
    "Reach",
    "RenderError",
    "Renderer",
    "audience_of",
    "bot_chat_url",
    "pack_telegram",
    "split_mrkdwn",
    "strip_part_number",
    "telegram_entity_count",
    "telegram_length",
    "telegram_visible_text",
    "utf16_len",
]
