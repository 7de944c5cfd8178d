"""`POST /slack/commands` against the real app in-process and the Slack fake's response_url."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from digestbot.bot.commands import CurrentIssue
from digestbot.rendering import Audience, Renderer
from tests.fakes.slack_blocks import MAX_BLOCKS, MAX_SECTION_TEXT
from tests.fakes.slack_server import SlackFake
from tests.server.harness import (
    AppEnv,
    ManualClock,
    command_body,
    sample_issue,
    slack_headers,
)


def assert_valid_slack_message(body: dict[str, Any]) -> None:
    assert body["text"], "a top-level text fallback is required"
    blocks = body.get("blocks", [])
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT


async def test_signed_command_is_acknowledged_and_the_digest_arrives_at_response_url(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    body = command_body("", slack_fake.response_url("r1"))
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    await app_env.settle()
    assert [r.response_id for r in slack_fake.responses] == ["r1"]
    posted = slack_fake.responses[0].body
    assert posted["response_type"] == "ephemeral"
    assert_valid_slack_message(posted)
    assert sample_issue().title in posted["text"]
    # The default variant is top5: the same blocks the channel digest starts with.
    expected = Renderer().slack(sample_issue(), "top5", Audience.CHAT)[0]
    assert posted["blocks"] == list(expected.blocks)


@pytest.mark.parametrize("variant", ["top3", "top5", "full", "FULL"])
async def test_every_variant_arrives_within_slack_limits(
    app_env: AppEnv, slack_fake: SlackFake, variant: str
) -> None:
    body = command_body(variant, slack_fake.response_url("v"))
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    await app_env.settle()
    assert 1 <= len(slack_fake.responses) <= 5
    for posted in slack_fake.responses:
        assert_valid_slack_message(posted.body)
    sent_blocks = [
        b for r in slack_fake.responses for b in r.body["blocks"] if b["type"] != "divider"
    ]
    rendered = [
        b
        for m in Renderer().slack(sample_issue(), variant.lower(), Audience.CHAT)
        for b in m.blocks
        if b["type"] != "divider"
    ]
    assert sent_blocks == rendered


async def test_in_channel_configuration_posts_visibly_to_the_channel(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    body = command_body("top3", slack_fake.response_url("r2"))
    async with app_env.client(response_type="in_channel") as client:
        await client.post("/slack/commands", content=body, headers=slack_headers(body))
    await app_env.settle()
    assert slack_fake.responses[0].body["response_type"] == "in_channel"


def _drop(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


UNAUTHORIZED_CASES = {
    "wrong secret": lambda body: slack_headers(body, secret="not-the-signing-secret"),
    "replayed 6 minutes later": lambda body: slack_headers(body, timestamp=time.time() - 360),
    "timestamp 6 minutes ahead": lambda body: slack_headers(body, timestamp=time.time() + 360),
    "signature of another body": lambda body: slack_headers(body.replace("top3", "full")),
    "missing signature header": lambda body: _drop(slack_headers(body), "X-Slack-Signature"),
    "missing timestamp header": lambda body: _drop(
        slack_headers(body), "X-Slack-Request-Timestamp"
    ),
    "no slack headers at all": lambda body: {"Content-Type": "application/x-www-form-urlencoded"},
    "malformed timestamp": lambda body: {
        **slack_headers(body),
        "X-Slack-Request-Timestamp": "yesterday",
    },
    "signature without v0 prefix": lambda body: {
        **slack_headers(body),
        "X-Slack-Signature": slack_headers(body)["X-Slack-Signature"].removeprefix("v0="),
    },
}


@pytest.mark.parametrize("case", list(UNAUTHORIZED_CASES))
async def test_unverifiable_request_gets_401_and_nothing_is_posted(
    app_env: AppEnv, slack_fake: SlackFake, case: str
) -> None:
    body = command_body("top3", slack_fake.response_url("evil"))
    async with app_env.client() as client:
        response = await client.post(
            "/slack/commands", content=body, headers=UNAUTHORIZED_CASES[case](body)
        )
    assert response.status_code == 401
    await app_env.settle()
    assert slack_fake.responses == []
    assert app_env.issues.calls == 0, "nothing is done for an unverified request"


async def test_unknown_variant_answers_usage_and_posts_nothing(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    body = command_body("everything please", slack_fake.response_url("u"))
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "top3" in answer["text"] and "full" in answer["text"]
    await app_env.settle()
    assert slack_fake.responses == []


async def test_no_issue_yet_is_said_privately(app_env: AppEnv, slack_fake: SlackFake) -> None:
    app_env.issues.current_issue = None
    body = command_body("", slack_fake.response_url("n"))
    async with app_env.client(response_type="in_channel") as client:
        await client.post("/slack/commands", content=body, headers=slack_headers(body))
    await app_env.settle()
    [posted] = slack_fake.responses
    assert posted.body["response_type"] == "ephemeral"
    assert "No issue has been published yet" in posted.body["text"]


async def test_an_older_issue_comes_with_the_staleness_note(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    app_env.issues.current_issue = CurrentIssue(sample_issue(), is_today=False)
    body = command_body("top3", slack_fake.response_url("s"))
    async with app_env.client() as client:
        await client.post("/slack/commands", content=body, headers=slack_headers(body))
    await app_env.settle()
    posted = slack_fake.responses[0].body
    assert "尚未发布" in posted["text"]
    assert posted["blocks"][0]["type"] == "context"
    assert "尚未发布" in posted["blocks"][0]["elements"][0]["text"]
    assert_valid_slack_message(posted)


async def test_a_failing_issue_source_gets_an_apology_not_silence(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    class Broken:
        async def current(self) -> CurrentIssue | None:
            raise ConnectionError("source down")

    app_env.issues = Broken()  # type: ignore[assignment]
    body = command_body("", slack_fake.response_url("b"))
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    await app_env.settle()
    [posted] = slack_fake.responses
    assert "try again later" in posted.body["text"]


async def test_a_user_is_throttled_after_three_commands_a_minute(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    clock = app_env.clock = ManualClock()
    async with app_env.client() as client:

        async def command(user: str) -> dict[str, Any]:
            body = command_body("top3", slack_fake.response_url(user), user_id=user)
            headers = slack_headers(body, timestamp=clock.now)
            response = await client.post("/slack/commands", content=body, headers=headers)
            assert response.status_code == 200
            return dict(response.json())

        answers = [await command("U1") for _ in range(4)]
        assert "Too many requests" in answers[3]["text"]
        assert "Too many requests" not in (await command("U2"))["text"]
        clock.now += 61
        assert "Too many requests" not in (await command("U1"))["text"]
    await app_env.settle()
    assert [r.response_id for r in slack_fake.responses].count("U1") == 4


async def test_without_a_signing_secret_the_endpoint_is_unavailable(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    body = command_body("", slack_fake.response_url("x"))
    async with app_env.client(signing_secret=None) as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 503
    await app_env.settle()
    assert slack_fake.responses == []


async def test_slack_ssl_check_gets_an_empty_200(app_env: AppEnv, slack_fake: SlackFake) -> None:
    body = "ssl_check=1&token=deprecated"
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    assert response.content == b""
    assert app_env.issues.calls == 0


async def test_an_oversized_body_is_refused_before_verification(app_env: AppEnv) -> None:
    body = "text=" + "x" * 70_000
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 413


async def test_a_refused_reply_stops_further_posts(app_env: AppEnv, slack_fake: SlackFake) -> None:
    # A response_url Slack no longer accepts (its five posts used): nothing crashes, no retry.
    url = slack_fake.response_url("spent")
    async with httpx.AsyncClient() as direct:
        for n in range(5):
            assert (await direct.post(url, json={"text": f"earlier {n}"})).status_code == 200
    body = command_body("full", url)
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    await app_env.settle()
    assert len(slack_fake.responses) == 5
    assert slack_fake.response_refusals == [("spent", 404, "used_url")]
