"""Packing rendered parts into response_url posts: ≤ 5 posts, ≤ 50 blocks each, order kept."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.payloads import SlackMessage
from digestbot.server import CONTINUED, MAX_RESPONSE_POSTS, response_messages


def part(name: str, n_blocks: int) -> SlackMessage:
    blocks = tuple(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{name}-{i}"}}
        for i in range(n_blocks)
    )
    return SlackMessage(text=f"{name} fallback", blocks=blocks)


def content(messages: list[dict[str, Any]]) -> list[str]:
    return [
        b["text"]["text"] for m in messages for b in m.get("blocks", []) if b["type"] == "section"
    ]


@pytest.mark.parametrize(
    ("sizes", "posts"),
    [
        ([4], 1),
        ([14, 28], 1),  # the real full variant: parent + thread fit one post
        ([30, 30], 2),
        ([50, 1], 2),
        ([25, 24], 1),  # 25 + divider + 24 = 50 exactly
        ([25, 25], 2),  # one more and the divider no longer fits
        ([50] * 5, 5),
    ],
)
def test_parts_pack_into_the_fewest_posts_that_fit(sizes: list[int], posts: int) -> None:
    parts = [part(f"p{i}", n) for i, n in enumerate(sizes)]
    messages = response_messages(parts, "ephemeral")
    assert len(messages) == posts
    assert content(messages) == content([p.to_json() for p in parts])
    assert messages[0]["text"] == "p0 fallback"
    assert all(len(m["blocks"]) <= 50 for m in messages)


def test_more_than_five_posts_send_four_and_point_to_the_rest() -> None:
    parts = [part(f"p{i}", 50) for i in range(7)]
    messages = response_messages(parts, "in_channel")
    assert len(messages) == MAX_RESPONSE_POSTS
    assert content(messages) == content([p.to_json() for p in parts[:4]])
    assert messages[-1]["text"] == CONTINUED
    assert {m["response_type"] for m in messages} == {"in_channel"}


def test_the_note_rides_on_the_first_part_or_gets_its_own_post_when_that_is_full() -> None:
    roomy = response_messages([part("a", 10)], "ephemeral", note="stale")
    assert len(roomy) == 1 and roomy[0]["blocks"][0]["type"] == "context"
    assert roomy[0]["text"].startswith("stale\n")
    full = response_messages([part("a", 50)], "ephemeral", note="stale")
    assert len(full) == 2 and full[0]["blocks"][0]["type"] == "context"
    assert len(full[1]["blocks"]) == 50


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
    note=st.sampled_from([None, "older issue"]),
)
def test_packing_never_breaks_slack_limits_or_reorders(sizes: list[int], note: str | None) -> None:
    parts = [part(f"p{i}", n) for i, n in enumerate(sizes)]
    messages = response_messages(parts, "ephemeral", note)
    assert 1 <= len(messages) <= MAX_RESPONSE_POSTS
    assert all(len(m.get("blocks", [])) <= 50 and m["text"] for m in messages)
    sent = content(messages)
    everything = content([p.to_json() for p in parts])
    assert sent == everything[: len(sent)], "a prefix of the digest, in order"
    if messages[-1]["text"] != CONTINUED:
        assert sent == everything
