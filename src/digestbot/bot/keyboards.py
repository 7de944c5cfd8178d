"""The variant picker: an inline keyboard whose buttons carry `v:<variant>` (Telegram allows at
most 64 bytes of callback_data)."""

from __future__ import annotations

from digestbot.model import Variant
from digestbot.payloads import InlineButton, InlineKeyboard

CALLBACK_PREFIX = "v:"
MAX_CALLBACK_BYTES = 64
VARIANT_LABELS: dict[Variant, str] = {
    Variant.TOP3: "top3 · 三条结论",
    Variant.TOP5: "top5 · 五大事件",
    Variant.FULL: "full · 全文",
}


def variant_callback(variant: Variant) -> str:
    data = f"{CALLBACK_PREFIX}{Variant(variant).value}"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def parse_variant_callback(data: str | None) -> Variant | None:
    """`v:top3` → Variant.TOP3; anything else (stale or foreign buttons) → None."""
    if not data or not data.startswith(CALLBACK_PREFIX):
        return None
    try:
        return Variant(data[len(CALLBACK_PREFIX) :])
    except ValueError:
        return None


def variant_keyboard(current: Variant | None = None) -> InlineKeyboard:
    """One row, the current choice ticked."""
    row = tuple(
        InlineButton(("✓ " if variant == current else "") + label, variant_callback(variant))
        for variant, label in VARIANT_LABELS.items()
    )
    return InlineKeyboard((row,))


__all__ = [
    "CALLBACK_PREFIX",
    "MAX_CALLBACK_BYTES",
    "VARIANT_LABELS",
    "parse_variant_callback",
    "variant_callback",
    "variant_keyboard",
]
