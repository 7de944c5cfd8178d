"""A split Telegram digest has no stub part (issue 9 point 12): the parts are as few as the
limits allow and as even as whole cards permit, so "(2/2)" is never one lonely line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.model import Variant
from digestbot.rendering import (
    Renderer,
    pack_telegram,
    strip_part_number,
    telegram_length,
)
from tests.rendering.builders import synthetic_issue

LIMIT = 4096
STUB = LIMIT // 10
BUDGET = LIMIT - 12  # pack_telegram keeps room for the "(k/n)" line


def card(units: int, n: int = 0) -> str:
    """A block of `units` visible characters: a bold title line and CJK sentences."""
    title = f"<b>{n}. 卡片</b>\n"
    body_units = units - telegram_length(title)
    sentence = "这是一句用来占位的句子。"
    body = (sentence * (body_units // len(sentence) + 1))[:body_units]
    return title + body


def sizes(parts: list[str]) -> list[int]:
    return [telegram_length(strip_part_number(p)) for p in parts]


def test_a_digest_just_over_the_limit_goes_out_as_two_even_parts() -> None:
    # A front-to-back fill puts both cards in part 1 and leaves the last line alone in part 2.
    blocks = [card(2040, 1), card(2040, 2), "<i>发送 /today full 查看完整日报</i>"]

    parts = pack_telegram(blocks)

    assert len(parts) == 2
    assert min(sizes(parts)) > LIMIT // 3, sizes(parts)


def test_cards_that_cannot_share_a_message_still_leave_no_stub() -> None:
    blocks = [card(2000, n) for n in range(1, 5)] + ["<i>" + "最后一行" * 25 + "</i>"]

    parts = pack_telegram(blocks)

    assert len(parts) == 3  # the fewest: four 2,000-unit cards need three messages
    assert min(sizes(parts)) >= STUB, sizes(parts)


def test_one_paragraph_too_long_for_a_message_is_cut_into_even_pieces() -> None:
    paragraph = "这是一段很长的段落。" * 420  # 4,200 units: just over one message

    parts = pack_telegram(["<b>标题</b>", paragraph])

    assert len(parts) == 2
    assert min(sizes(parts)) >= LIMIT // 3, sizes(parts)


def _greedy(lengths: list[int]) -> list[int]:
    """Part sizes of a front-to-back fill of blocks that each fit: the fewest parts, with
    whatever is over left to the last one."""
    parts = [-2]
    for length in lengths:
        if parts[-1] + 2 + length > BUDGET:
            parts.append(-2)
        parts[-1] += 2 + length
    return parts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=20, max_value=BUDGET), min_size=2, max_size=12))
def test_parts_are_as_few_as_a_fill_needs_and_the_smallest_never_smaller(
    lengths: list[int],
) -> None:
    blocks = [card(units, n) for n, units in enumerate(lengths)]
    parts = pack_telegram(blocks)
    assert "\n\n".join(strip_part_number(p) for p in parts) == "\n\n".join(blocks)
    if len(parts) == 1:
        return
    greedy = _greedy(lengths)
    got = sizes(parts)
    assert len(got) == len(greedy)
    assert max(got) <= BUDGET
    assert min(got) >= min(greedy)


def test_real_digests_split_into_parts_of_useful_size() -> None:
    renderer = Renderer(site_base_url="https://digest.example.org")
    for scale in (3, 4, 6, 10, 30):
        for variant in Variant:
            parts = renderer.telegram(synthetic_issue(scale), variant)
            if len(parts) > 1:
                assert min(sizes([p.text for p in parts])) >= STUB, (scale, variant)
