"""Slack `/today 2026-04-20 full`: that day's archived issue arrives at response_url; a day
without one gets a plain bilingual line; a malformed date gets the usage."""

from __future__ import annotations

from digestbot.rendering import Audience, Renderer
from digestbot.server.slack_commands import USAGE
from tests.fakes.slack_server import SlackFake
from tests.sample import sample_issue
from tests.server.harness import AppEnv, command_body, slack_headers


async def _ask(app_env: AppEnv, slack_fake: SlackFake, text: str, rid: str) -> str:
    body = command_body(text, slack_fake.response_url(rid))
    async with app_env.client() as client:
        response = await client.post("/slack/commands", content=body, headers=slack_headers(body))
    assert response.status_code == 200
    await app_env.settle()
    return str(response.json()["text"])


async def test_a_past_day_answers_with_that_issue(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    await _ask(app_env, slack_fake, "2026-04-20 full", "d1")
    posted = [r.body for r in slack_fake.responses if r.response_id == "d1"]
    expected = Renderer().slack(sample_issue(), "full", Audience.CHAT)
    assert posted and posted[0]["blocks"][: len(expected[0].blocks)] == list(expected[0].blocks)
    assert all("尚未发布" not in p["text"] for p in posted)


async def test_a_day_without_an_issue_gets_one_plain_line(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    await _ask(app_env, slack_fake, "2026-04-18", "d2")
    [posted] = [r.body for r in slack_fake.responses if r.response_id == "d2"]
    assert posted["text"].startswith("2026-04-18 没有发布日报。")
    assert posted["text"].endswith("/ No issue for 2026-04-18.")
    assert "blocks" not in posted


async def test_a_malformed_date_gets_the_usage(app_env: AppEnv, slack_fake: SlackFake) -> None:
    assert await _ask(app_env, slack_fake, "2026-4-18", "d3") == USAGE
    assert [r for r in slack_fake.responses if r.response_id == "d3"] == []
