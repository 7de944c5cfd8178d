"""What Slack receives for a digest: the issue's order, whole cards, source names intact
(issue 9 points 9 and 10). Asserted on the JSON the Slack fake got from slack_sdk."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest

from digestbot.channels import SlackChannel
from digestbot.model import Issue, Variant
from digestbot.rendering import Renderer
from tests.fakes.slack_server import SlackFake, SlackPost
from tests.rendering.builders import sample_issue, synthetic_issue

CHANNEL = "C0000001"


@pytest.fixture
def unpaced_slack() -> Iterator[SlackFake]:
    with SlackFake(per_channel_per_second=None) as fake:
        yield fake


async def _deliver(fake: SlackFake, issue: Issue, variant: Variant) -> list[SlackPost]:
    """Parent first, then each further part as a reply in its thread, as the fan-out does."""
    channel = SlackChannel(fake.token, fake.api_url)
    parent: str | None = None
    try:
        for part in Renderer().slack(issue, variant):
            ts = await channel.send(CHANNEL, part, reply_to=parent)
            parent = parent or ts
    finally:
        await channel.close()
    posts = fake.posts_to(CHANNEL)
    assert all(p.thread_ts == posts[0].ts for p in posts[1:])
    return posts


def _shown(element: dict[str, Any]) -> str:
    """What a reader sees of a block or element (mrkdwn entities decoded)."""
    kind = element.get("type")
    if kind in ("text", "link") and "elements" not in element:
        return str(element.get("text") or element.get("url", ""))
    if isinstance(element.get("text"), dict):
        return html.unescape(element["text"]["text"])
    if kind in ("mrkdwn", "plain_text"):
        return html.unescape(str(element["text"]))
    return "".join(_shown(e) for e in element.get("elements", []))


def _post_text(post: SlackPost) -> str:
    return "\n".join(_shown(block) for block in post.blocks or [])


def _links(posts: list[SlackPost]) -> list[dict[str, Any]]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "link":
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return [link for post in posts for link in walk(post.blocks)]


async def test_full_digest_keeps_the_issues_order_and_every_card_whole(
    unpaced_slack: SlackFake,
) -> None:
    issue = synthetic_issue(20)  # long enough for a parent and several thread replies
    posts = await _deliver(unpaced_slack, issue, Variant.FULL)
    texts = [_post_text(p) for p in posts]
    assert len(posts) >= 3

    def after(at: tuple[int, int], fragment: str) -> tuple[int, int]:
        """Where `fragment` first appears at or after `at` (post, offset): the next field in
        the issue's order must come later in what Slack shows."""
        post, offset = at
        for n in range(post, len(texts)):
            found = texts[n].find(fragment, offset if n == post else 0)
            if found >= 0:
                return n, found + len(fragment)
        raise AssertionError(f"{fragment[:40]!r} missing or out of order")

    cards = [
        [e.title, e.what_happened, e.key_facts, e.why_it_matters, e.implications]
        + [s.name for s in e.sources]
        for e in issue.events
    ]
    expected = [
        issue.title,
        issue.date_iso,
        f"覆盖窗口：{issue.coverage}",
        *issue.overview,
        *issue.conclusions,
        *(field for card in cards for field in card),
        *issue.analysis,
        *(f for x in issue.x_posts for f in (x.title, x.kind, x.verification, x.verdict)),
        *(f for p in issue.research for f in (p.title, p.what, p.novelty, p.applications)),
    ]
    at = (0, 0)
    for fragment in expected:
        at = after(at, fragment)
    for card in cards:
        # Fields repeat between cards (the same wording), so locate each card in sequence.
        at = after((0, 0), card[0])
        posts_of_card = {at[0]}
        for field in card[1:]:
            at = after(at, field)
            posts_of_card.add(at[0])
        assert len(posts_of_card) == 1, f"card {card[0]!r} is split across messages"


async def test_source_names_keep_their_pipe_as_link_text(unpaced_slack: SlackFake) -> None:
    issue = sample_issue()
    posts = await _deliver(unpaced_slack, issue, Variant.TOP5)

    links = _links(posts)
    for source in (s for e in issue.events for s in e.sources):
        assert {"type": "link", "url": source.url, "text": source.name} in links
    assert "¦" not in str([p.blocks for p in posts])
