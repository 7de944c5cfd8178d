"""SlackChannel through slack_sdk's AsyncWebClient against the local Web API fake."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from digestbot.channels import (
    PermanentError,
    RetryAfter,
    SlackChannel,
    TargetGone,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.errors import ChannelError
from digestbot.payloads import SlackMessage, TelegramMessage
from tests.fakes._server import free_port
from tests.fakes.slack_server import SlackFake


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


MESSAGE = SlackMessage(
    text="AI 前沿发展日报 2026-04-16",
    blocks=(
        {"type": "header", "text": {"type": "plain_text", "text": "AI 前沿发展日报"}},
        _section("*今日三条结论* &lt;1&gt; <https://example.com/a?b=1&c=2|来源>"),
    ),
)


@pytest.fixture
async def channel(slack_fake: SlackFake) -> AsyncIterator[SlackChannel]:
    ch = SlackChannel(slack_fake.token, slack_fake.api_url, read_timeout=0.3)
    await ch.open()
    yield ch
    await ch.close()


async def test_posts_text_and_blocks_with_unfurling_off_and_returns_the_ts(
    channel: SlackChannel, slack_fake: SlackFake
) -> None:
    ts = await channel.send("C0001", MESSAGE)

    [post] = slack_fake.posts_to("C0001")
    assert post.ts == ts
    assert ts.startswith("1700000000.")
    assert post.text == MESSAGE.text
    assert post.blocks == list(MESSAGE.blocks)
    assert (post.unfurl_links, post.unfurl_media) == (False, False)
    assert post.thread_ts is None


async def test_reply_to_posts_into_the_parents_thread(
    slack_fake: SlackFake,
) -> None:
    slack_fake.per_channel_per_second = None  # a thread goes out faster than 1/s here
    ch = SlackChannel(slack_fake.token, slack_fake.api_url)
    parent = await ch.send("C0001", MESSAGE)
    reply = await ch.send("C0001", MESSAGE, reply_to=parent)
    await ch.close()

    posts = slack_fake.posts_to("C0001")
    assert [p.ts for p in posts] == [parent, reply]
    assert posts[1].thread_ts == parent
    assert parent != reply


@pytest.mark.parametrize(
    ("script", "expected", "detail"),
    [
        (lambda f: f.not_found("C7"), PermanentError, "channel_not_found"),
        (lambda f: f.archive("C7"), TargetGone, "is_archived"),
        (lambda f: f.remove_bot("C7"), TargetGone, "not_in_channel"),
        (lambda f: f.fail_next(1, status=500), TransientError, "HTTP 500"),
        (lambda f: f.fail_next(1, status=503), TransientError, "HTTP 503"),
        (lambda f: f.drop("C7"), UncertainDelivery, "ServerDisconnectedError"),
    ],
    ids=["not-found", "archived", "not-in-channel", "500", "503", "dropped"],
)
async def test_each_fault_maps_to_its_channel_error(
    channel: SlackChannel,
    slack_fake: SlackFake,
    script: Any,
    expected: type[ChannelError],
    detail: str,
) -> None:
    script(slack_fake)

    with pytest.raises(expected) as caught:
        await channel.send("C7", MESSAGE)

    assert detail in caught.value.detail
    assert slack_fake.posts_to("C7") == []


async def test_rate_limit_maps_to_retry_after_from_the_header_without_a_silent_retry(
    channel: SlackChannel, slack_fake: SlackFake
) -> None:
    await channel.send("C0001", MESSAGE)

    with pytest.raises(RetryAfter) as caught:  # a second one within the second
        await channel.send("C0001", MESSAGE)

    assert caught.value.seconds == 1
    assert slack_fake.rate_limited == 1
    assert [s for m, s in slack_fake.requests if m == "chat.postMessage"] == [200, 429]


async def test_server_error_is_not_retried_by_slack_sdk(
    channel: SlackChannel, slack_fake: SlackFake
) -> None:
    slack_fake.fail_next(1, status=500)

    with pytest.raises(TransientError):
        await channel.send("C0001", MESSAGE)

    # The login's auth.test, then the one post: slack_sdk sent it once.
    assert slack_fake.requests == [("auth.test", 200), ("chat.postMessage", 500)]


async def test_invalid_token_is_permanent(slack_fake: SlackFake) -> None:
    ch = SlackChannel("xoxb-wrong-token-0000", slack_fake.api_url)

    with pytest.raises(PermanentError, match="invalid_auth"):
        await ch.send("C0001", MESSAGE)
    await ch.close()


async def test_more_than_fifty_blocks_is_refused_by_the_fake_as_permanent(
    channel: SlackChannel,
) -> None:
    too_many = SlackMessage(text="x", blocks=tuple(_section(str(i)) for i in range(51)))

    with pytest.raises(PermanentError, match="invalid_blocks"):
        await channel.send("C0001", too_many)


async def test_read_timeout_is_uncertain_although_the_post_was_recorded(
    channel: SlackChannel, slack_fake: SlackFake
) -> None:
    slack_fake.slow("C0001", delay=1.0)

    with pytest.raises(UncertainDelivery):
        await channel.send("C0001", MESSAGE)

    assert len(slack_fake.posts_to("C0001")) == 1


async def test_connection_refused_is_transient() -> None:
    ch = SlackChannel("xoxb-1-2-x", f"http://127.0.0.1:{free_port()}/api/", connect_timeout=0.5)

    with pytest.raises(TransientError, match="not sent"):
        await ch.send("C0001", MESSAGE)
    await ch.close()


async def test_refuses_payloads_of_other_channels(channel: SlackChannel) -> None:
    with pytest.raises(TypeError):
        await channel.send("C0001", TelegramMessage("x"))


async def test_token_never_appears_in_logs(
    slack_fake: SlackFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ch = SlackChannel(slack_fake.token, slack_fake.api_url)
    slack_fake.fail_next(1)
    for _ in range(2):
        try:
            await ch.send("C0001", MESSAGE)
        except ChannelError as exc:
            logging.getLogger("digestbot.test").warning("failed: %s %s", exc, slack_fake.token)
    await ch.close()

    assert caplog.records
    assert slack_fake.token not in caplog.text


async def test_response_url_posts_are_recorded(slack_fake: SlackFake) -> None:
    async with httpx.AsyncClient() as client:
        reply = await client.post(slack_fake.response_url("r1"), json={"text": "今日"})

    assert reply.status_code == 200
    assert [(r.response_id, r.body) for r in slack_fake.responses] == [("r1", {"text": "今日"})]
