"""The signing secret, the unsubscribe secret and response_url tokens never reach the logs."""

from __future__ import annotations

import logging

import pytest

from digestbot.unsubscribe_token import make_unsubscribe_token
from tests.fakes.slack_server import SlackFake
from tests.server.harness import (
    SIGNING_SECRET,
    UNSUBSCRIBE_SECRET,
    AppEnv,
    command_body,
    slack_headers,
)


async def test_no_secret_is_logged_during_good_bad_and_failing_requests(
    app_env: AppEnv, slack_fake: SlackFake, caplog: pytest.LogCaptureFixture
) -> None:
    response_url = slack_fake.response_url("secret-response-token-123")
    token = make_unsubscribe_token(UNSUBSCRIBE_SECRET, "reader@example.org")
    with caplog.at_level(logging.DEBUG):
        async with app_env.client() as client:
            good = command_body("full", response_url)
            await client.post("/slack/commands", content=good, headers=slack_headers(good))
            bad = command_body("top3", response_url)
            await client.post(
                "/slack/commands", content=bad, headers=slack_headers(bad, secret="wrong")
            )
            await client.post("/slack/commands", content=bad)  # no signature headers at all
            await client.get("/unsubscribe", params={"t": token})
            await client.post("/unsubscribe", data={"t": token})
            await client.post("/unsubscribe", data={"t": token + "x"})
            slack_fake.fail_next(3, status=500)
            again = command_body("top5", slack_fake.response_url("secret-response-token-456"))
            await client.post("/slack/commands", content=again, headers=slack_headers(again))
        await app_env.settle()
    assert caplog.records, "the requests must have logged something for this to mean anything"
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for secret in (SIGNING_SECRET, UNSUBSCRIBE_SECRET, "secret-response-token", token):
        assert secret not in logged, secret
