"""Length counting and splitting for Telegram and Slack, on hand-picked cases."""

from __future__ import annotations

import pytest

from digestbot.payloads import TelegramMessage
from digestbot.rendering.limits import (
    telegram_entity_count,
    telegram_length,
    telegram_visible_text,
    truncate,
    utf16_len,
)
from digestbot.rendering.packing import pack_telegram, strip_part_number
from digestbot.rendering.splitting import split_mrkdwn, split_telegram_html
from tests.rendering.validators import validate_telegram


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("abc", 3),
        ("中文", 2),
        ("😀", 2),  # astral: a surrogate pair in UTF-16
        ("👨‍👩‍👧", 8),  # three astral emoji joined by two ZWJ
        ("🇨🇳", 4),
        ("e\u0301", 2),
    ],
)
def test_utf16_length_counts_code_units(text: str, units: int) -> None:
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    ("html", "visible", "entities"),
    [
        ("<b>a</b> &amp; <i>b</i>", "a & b", 2),
        ('<a href="https://x.org/?a=1&amp;b=2">x</a>', "x", 1),
        ("&lt;b&gt; &quot;q&quot;", '<b> "q"', 0),
        ("&#128512;", "😀", 0),
    ],
)
def test_visible_text_drops_tags_and_decodes_entities(
    html: str, visible: str, entities: int
) -> None:
    assert telegram_visible_text(html) == visible
    assert telegram_entity_count(html) == entities
    assert telegram_length(html) == utf16_len(visible)


def _pieces(text: str, limit: int) -> list[str]:
    pieces = split_telegram_html(text, limit)
    for piece in pieces:
        assert telegram_length(piece) <= limit
        validate_telegram(TelegramMessage(piece))
    return pieces


def test_split_prefers_paragraph_over_sentence_boundaries() -> None:
    text = "第一句。第二句。\n第三句很长很长很长。"
    assert _pieces(text, 12) == ["第一句。第二句。", "第三句很长很长很长。"]


@pytest.mark.parametrize(
    ("text", "limit", "first"),
    [
        ("甲乙丙。丁戊己！庚辛壬", 9, "甲乙丙。丁戊己！"),
        ("Alpha beta. Gamma delta! Epsilon", 26, "Alpha beta. Gamma delta!"),
        ("版本 5.4 发布；随后更新", 10, "版本 5.4 发布；"),  # "5.4" is not a sentence end
    ],
)
def test_split_falls_back_to_sentence_ends(text: str, limit: int, first: str) -> None:
    assert _pieces(text, limit)[0] == first


def test_split_without_any_boundary_cuts_hard_but_keeps_surrogates_and_zwj_sequences() -> None:
    family = "👨‍👩‍👧"
    text = family * 10
    pieces = _pieces(text, 17)
    assert "".join(pieces) == text
    assert all(set(p.split(family)) == {""} for p in pieces)


def test_split_closes_and_reopens_tags_around_the_cut() -> None:
    text = "<b>一二三四五。六七八九十。</b>"
    assert _pieces(text, 8) == ["<b>一二三四五。</b>", "<b>六七八九十。</b>"]


def test_split_never_cuts_an_entity_or_a_link() -> None:
    text = 'aaaa &amp;&amp;&amp; <a href="https://e.org/x?y=1&amp;z=2">link label</a> tail'
    pieces = _pieces(text, 12)
    assert any('<a href="https://e.org/x?y=1&amp;z=2">link label</a>' in p for p in pieces)
    assert all(p.count("&") == p.count("&amp;") for p in pieces)


def test_split_avoids_cutting_inside_a_visible_url() -> None:
    url = "https://example.com/a/very/long/path"
    pieces = _pieces(f"see {url} now", 40)
    assert any(url in p for p in pieces)


def test_pack_keeps_blocks_whole_and_numbers_parts() -> None:
    blocks = ["<b>A</b>\n" + "x" * 2000, "<b>B</b>\n" + "y" * 2000, "<b>C</b>\n" + "z" * 2000]
    parts = pack_telegram(blocks)
    assert [p[:6] for p in parts] == ["(1/2)\n", "(2/2)\n"]
    assert strip_part_number(parts[0]) == blocks[0] + "\n\n" + blocks[1]
    assert strip_part_number(parts[1]) == blocks[2]


def test_pack_leaves_a_single_fitting_message_unnumbered() -> None:
    assert pack_telegram(["<b>a</b>", "b"]) == ["<b>a</b>\n\nb"]


def test_pack_respects_the_entity_limit() -> None:
    blocks = [" ".join(f'<a href="https://e.org/{i}">s{i}</a>' for i in range(150))]
    parts = pack_telegram(blocks)
    assert len(parts) == 2
    assert all(telegram_entity_count(p) <= 100 for p in parts)


def test_mrkdwn_split_keeps_links_and_escapes_whole() -> None:
    link = "<https://e.org/?a=1&amp;b=2|label>"
    text = ("句子。" * 5 + link + " &amp; ") * 40
    pieces = split_mrkdwn(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    joined = "".join(pieces)
    assert joined.count(link) == 40
    assert joined.count("&amp;") == 80


def test_truncate_marks_the_cut() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
