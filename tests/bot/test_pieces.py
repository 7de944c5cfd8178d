"""The bot's pure helpers: the variant keyboard, the staleness note, the file URL."""

from __future__ import annotations

import pytest

from digestbot.bot import (
    parse_variant_callback,
    variant_callback,
    variant_keyboard,
    with_note,
)
from digestbot.bot.keyboards import MAX_CALLBACK_BYTES
from digestbot.channels.telegram import file_base_url
from digestbot.model import Variant
from digestbot.payloads import TelegramMessage
from digestbot.rendering import telegram_length


@pytest.mark.parametrize("variant", list(Variant))
def test_every_variant_round_trips_through_callback_data_within_64_bytes(
    variant: Variant,
) -> None:
    data = variant_callback(variant)

    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert parse_variant_callback(data) is variant


@pytest.mark.parametrize("data", [None, "", "v:", "v:weekly", "top3", "x:top3", "v:TOP3 "])
def test_foreign_or_stale_callback_data_is_no_variant(data: str | None) -> None:
    assert parse_variant_callback(data) is None


def test_the_keyboard_ticks_the_current_variant_only() -> None:
    [row] = variant_keyboard(Variant.TOP3).inline_keyboard

    assert [b.callback_data for b in row] == ["v:top3", "v:top5", "v:full"]
    assert [b.text.startswith("✓") for b in row] == [True, False, False]


def test_the_note_goes_on_top_of_the_first_part_html_escaped() -> None:
    parts = [TelegramMessage("<b>A</b>"), TelegramMessage("<b>B</b>")]

    merged = with_note(parts, "older issue <2026-04-19> & co")

    assert [m.text for m in merged] == [
        "older issue &lt;2026-04-19&gt; &amp; co\n\n<b>A</b>",
        "<b>B</b>",
    ]


def test_the_note_becomes_its_own_message_when_the_first_part_is_full() -> None:
    full = TelegramMessage("字" * 4090)

    merged = with_note([full], "older issue")

    assert [m.text for m in merged] == ["older issue", full.text]
    assert all(telegram_length(m.text) <= 4096 for m in merged)


def test_no_note_leaves_the_parts_alone() -> None:
    parts = [TelegramMessage("<b>A</b>")]

    assert with_note(parts, None) == parts


@pytest.mark.parametrize(
    ("api", "files"),
    [
        ("https://api.telegram.org", "https://api.telegram.org/file/bot"),
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/file/bot"),
        ("http://proxy.local/tg/{token}", None),
    ],
)
def test_file_url_sits_beside_the_api_url(api: str, files: str | None) -> None:
    assert file_base_url(api) == files
