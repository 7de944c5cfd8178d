"""The Slack fake refuses what Slack refuses, with Slack's answers: Block Kit limits on
chat.postMessage (JSON `invalid_blocks` with per-field reasons) and on response_url posts
(plain-text codes), and a response_url's five posts within 30 minutes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.slack_server import SlackFake
from tests.server.harness import ManualClock


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def header(text: str, kind: str = "plain_text") -> dict[str, Any]:
    return {"type": "header", "text": {"type": kind, "text": text}}


def context(n: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * n}


def button(label: str) -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": label}, "url": "https://x"}
    return {"type": "actions", "elements": [element]}


def rich(*leaves: dict[str, Any], container: str = "rich_text_section") -> dict[str, Any]:
    return {"type": "rich_text", "elements": [{"type": container, "elements": list(leaves)}]}


# (message, Slack's error code, the reasons Slack lists in `errors`)
REFUSED: list[tuple[dict[str, Any], str, list[str]]] = [
    ({"blocks": [section("x")] * 51}, "invalid_blocks", ["no more than 50 items allowed"]),
    (
        {"blocks": [section("长" * 3001)]},
        "invalid_blocks",
        ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
    ),
    (
        {"blocks": [section("x"), header("h" * 151)]},
        "invalid_blocks",
        ["must be less than 151 characters [json-pointer:/blocks/1/text/text]"],
    ),
    (
        {"blocks": [header("*bold*", kind="mrkdwn")]},
        "invalid_blocks",
        ["must be one of ['plain_text'] [json-pointer:/blocks/0/text/type]"],
    ),
    (
        {"blocks": [section("")]},
        "invalid_blocks",
        ["must be more than 0 characters [json-pointer:/blocks/0/text/text]"],
    ),
    ({"blocks": [context(11)]}, "invalid_blocks", ["no more than 10 items allowed"]),
    ({"blocks": [button("b" * 76)]}, "invalid_blocks", ["must be less than 76 characters"]),
    ({"blocks": [{"type": "table"}]}, "invalid_blocks", ["failed to match all allowed schemas"]),
    (
        {"blocks": [rich({"type": "link", "text": "no url"})]},
        "invalid_blocks",
        ["missing required field: url [json-pointer:/blocks/0/elements/0/elements/0]"],
    ),
    (
        {"blocks": [rich({"type": "text", "text": ""})]},
        "invalid_blocks",
        ["must provide a non-empty string [json-pointer:/blocks/0/elements/0/elements/0/text]"],
    ),
    (
        {"blocks": [rich({"type": "link", "url": "https://x/" + "u" * 3000})]},
        "invalid_blocks",
        ["must be less than 3001 characters [json-pointer:/blocks/0/elements/0/elements/0/url]"],
    ),
    (
        {"blocks": [rich({"type": "text", "text": "x"}, container="rich_text_table")]},
        "invalid_blocks",
        ["failed to match all allowed schemas [json-pointer:/blocks/0/elements/0]"],
    ),
    ({"text": "x" * 40_001}, "msg_too_long", []),
    ({"text": ""}, "no_text", []),
]
ACCEPTED: list[dict[str, Any]] = [
    {"text": "fallback", "blocks": [section("x")] * 50},
    {"text": "fallback", "blocks": [section("长" * 3000), header("h" * 150), context(10)]},
    {"text": "x" * 40_000},
    {"text": "fallback", "blocks": [{"type": "divider"}, button("b" * 75)]},
    {
        "text": "fallback",
        "blocks": [
            rich(
                {"type": "text", "text": "来源："},
                {"type": "link", "url": "https://x/a?b=1&c=2", "text": "A | B"},
                {"type": "link", "url": "https://x/" + "u" * 2990},
            )
        ],
    },
]


def post_message(fake: SlackFake, message: dict[str, Any], channel: str) -> httpx.Response:
    return httpx.post(
        f"{fake.api_url}chat.postMessage",
        headers={"Authorization": f"Bearer {fake.token}"},
        json={"channel": channel, **message},
    )


@pytest.mark.parametrize(("message", "error", "reasons"), REFUSED)
def test_chat_post_message_refuses_what_block_kit_refuses_with_slacks_body(
    message: dict[str, Any], error: str, reasons: list[str]
) -> None:
    with SlackFake(per_channel_per_second=None) as fake:
        answer = post_message(fake, message, "C1")

    body = answer.json()
    assert answer.status_code == 200 and body["ok"] is False and body["error"] == error
    if reasons:
        assert len(body["errors"]) == len(reasons)
        for got, expected in zip(body["errors"], reasons, strict=True):
            assert got.startswith(expected)
        assert body["response_metadata"]["messages"] == [f"[ERROR] {e}" for e in body["errors"]]
    assert fake.posts == []


@pytest.mark.parametrize("message", ACCEPTED)
def test_chat_post_message_accepts_messages_right_at_the_limits(message: dict[str, Any]) -> None:
    with SlackFake(per_channel_per_second=None) as fake:
        answer = post_message(fake, message, "C1")
    assert answer.json()["ok"] is True
    assert len(fake.posts) == 1


@pytest.mark.parametrize(("message", "error", "reasons"), REFUSED)
def test_response_url_refuses_the_same_messages_in_plain_text(
    message: dict[str, Any], error: str, reasons: list[str]
) -> None:
    with SlackFake() as fake:
        answer = httpx.post(fake.response_url("r1"), json=message)
        after = httpx.post(fake.response_url("r1"), json={"text": "ok"})

    assert (answer.status_code, answer.text) == (400, error)
    assert fake.response_refusals == [("r1", 400, error)]
    assert after.status_code == 200, "a refused post does not use up one of the five"


def test_response_url_takes_five_posts_then_answers_used_url() -> None:
    with SlackFake() as fake:
        url = fake.response_url("r1")
        answers = [httpx.post(url, json={"text": f"part {n}"}) for n in range(1, 7)]
        other = httpx.post(fake.response_url("r2"), json={"text": "another command"})

    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert answers[-1].text == "used_url"
    assert [r.body["text"] for r in fake.responses if r.response_id == "r1"] == [
        f"part {n}" for n in range(1, 6)
    ]
    assert other.status_code == 200, "each command has its own five"


def test_response_url_expires_thirty_minutes_after_the_command() -> None:
    clock = ManualClock(now=5000.0)
    with SlackFake(clock=clock) as fake:
        url = fake.response_url("r1")
        clock.now += 30 * 60
        last_moment = httpx.post(url, json={"text": "just in time"})
        clock.now += 1
        late = httpx.post(url, json={"text": "too late"})

    assert last_moment.status_code == 200
    assert (late.status_code, late.text) == (404, "expired_url")
    assert [r.body["text"] for r in fake.responses] == ["just in time"]


def test_a_response_url_slack_never_handed_out_is_refused() -> None:
    with SlackFake() as fake:
        answer = httpx.post(f"{fake.url}/response/made-up", json={"text": "x"})
        garbled = httpx.post(fake.response_url("r1"), content=b"{not json")

    assert (answer.status_code, answer.text) == (404, "no_service")
    assert (garbled.status_code, garbled.text) == (400, "invalid_payload")
    assert fake.responses == []
