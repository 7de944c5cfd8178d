"""The fakes' edit and delete endpoints answer as Telegram and Slack do: the same error bodies,
the same rate limits, and a chat that shows what a reader would see after them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.slack_history import TIER3_PER_MINUTE
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_messages import (
    CANT_DELETE,
    CANT_EDIT,
    DELETE_NOT_FOUND,
    EDIT_NOT_FOUND,
    NOT_MODIFIED,
)
from tests.fakes.telegram_server import TelegramFake, TelegramLimits


class Clock:
    """The fakes' rate-limit clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _bot(client: httpx.Client, fake: TelegramFake, method: str, **params: Any) -> Any:
    return client.post(f"{fake.url}/bot{fake.token}/{method}", json=params).json()


def _slack(client: httpx.Client, fake: SlackFake, method: str, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {fake.token}"}
    return client.post(f"{fake.api_url}{method}", json=params, headers=headers)


def test_telegram_edit_changes_what_the_chat_shows_and_an_identical_edit_is_not_modified() -> None:
    clock = Clock()
    with TelegramFake(clock=clock) as fake, httpx.Client() as client:
        sent = _bot(client, fake, "sendMessage", chat_id=42, text="<b>v1</b>", parse_mode="HTML")
        message_id = sent["result"]["message_id"]
        clock.now += 2
        edited = _bot(
            client, fake, "editMessageText",
            chat_id=42, message_id=message_id, text="<b>v2</b>", parse_mode="HTML",
        )  # fmt: skip
        clock.now += 2
        again = _bot(
            client, fake, "editMessageText",
            chat_id=42, message_id=message_id, text="<b>v2</b>", parse_mode="HTML",
        )  # fmt: skip

    assert edited["ok"] is True and edited["result"]["text"] == "v2"
    assert "edit_date" in edited["result"]
    assert again == {"ok": False, "error_code": 400, "description": NOT_MODIFIED}
    assert [m.text for m in fake.shown_in("42")] == ["<b>v2</b>"]
    assert len(fake.edits_in("42")) == 1, "a refused edit is not recorded"
    assert [m.text for m in fake.messages] == ["<b>v1</b>"], "the send log is unchanged"


@pytest.mark.parametrize(
    ("script", "description"),
    [
        (lambda fake, message_id: fake.delete_message("42", message_id), EDIT_NOT_FOUND),
        (lambda fake, message_id: fake.refuse_edits("42"), CANT_EDIT),
    ],
    ids=["deleted-by-the-reader", "cannot-be-edited"],
)
def test_telegram_refuses_edits_it_cannot_make_with_its_own_words(
    script: Any, description: str
) -> None:
    clock = Clock()
    with TelegramFake(clock=clock) as fake, httpx.Client() as client:
        sent = _bot(client, fake, "sendMessage", chat_id=42, text="v1")
        script(fake, sent["result"]["message_id"])
        clock.now += 2
        answer = _bot(
            client, fake, "editMessageText",
            chat_id=42, message_id=sent["result"]["message_id"], text="v2",
        )  # fmt: skip
        unknown = _bot(client, fake, "editMessageText", chat_id=42, message_id=999, text="v2")

    assert answer == {"ok": False, "error_code": 400, "description": description}
    assert unknown["description"] == EDIT_NOT_FOUND
    assert fake.edits == []


def test_telegram_delete_removes_the_message_once_and_refuses_after_48_hours() -> None:
    clock = Clock()
    with TelegramFake(clock=clock) as fake, httpx.Client() as client:
        first = _bot(client, fake, "sendMessage", chat_id=42, text="one")["result"]["message_id"]
        clock.now += 2
        second = _bot(client, fake, "sendMessage", chat_id=42, text="two")["result"]["message_id"]
        clock.now += 2
        deleted = _bot(client, fake, "deleteMessage", chat_id=42, message_id=first)
        clock.now += 2
        twice = _bot(client, fake, "deleteMessage", chat_id=42, message_id=first)
        fake.age("42", hours=48)
        clock.now += 2
        too_old = _bot(client, fake, "deleteMessage", chat_id=42, message_id=second)

    assert deleted == {"ok": True, "result": True}
    assert twice == {"ok": False, "error_code": 400, "description": DELETE_NOT_FOUND}
    assert too_old == {"ok": False, "error_code": 400, "description": CANT_DELETE}
    assert [m.text for m in fake.shown_in("42")] == ["two"]
    assert fake.deletions == [("42", first)]


def test_telegram_edits_and_deletes_count_against_the_chats_limit_like_sends() -> None:
    clock = Clock()
    with TelegramFake(clock=clock, limits=TelegramLimits()) as fake, httpx.Client() as client:
        sent = _bot(client, fake, "sendMessage", chat_id=42, text="v1")["result"]["message_id"]
        edit = _bot(client, fake, "editMessageText", chat_id=42, message_id=sent, text="v2")
        delete = _bot(client, fake, "deleteMessage", chat_id=42, message_id=sent)
        clock.now += 1.0
        later = _bot(client, fake, "editMessageText", chat_id=42, message_id=sent, text="v2")

    for refused in (edit, delete):
        assert refused["error_code"] == 429
        assert refused["description"] == "Too Many Requests: retry after 1"
        assert refused["parameters"] == {"retry_after": 1}
    assert later["ok"] is True
    assert fake.rate_limited == 2


def test_slack_update_and_delete_change_what_the_channel_shows() -> None:
    clock = Clock()
    with SlackFake(clock=clock) as fake, httpx.Client() as client:
        parent = _slack(client, fake, "chat.postMessage", channel="C1", text="v1").json()["ts"]
        clock.now += 2
        reply = _slack(
            client, fake, "chat.postMessage", channel="C1", text="r1", thread_ts=parent
        ).json()["ts"]
        updated = _slack(client, fake, "chat.update", channel="C1", ts=parent, text="v2").json()
        deleted = _slack(client, fake, "chat.delete", channel="C1", ts=reply).json()
        twice = _slack(client, fake, "chat.delete", channel="C1", ts=reply).json()
        gone = _slack(client, fake, "chat.update", channel="C1", ts=reply, text="r2").json()

    assert updated["ok"] is True and updated["ts"] == parent and updated["text"] == "v2"
    assert deleted == {"ok": True, "channel": "C1", "ts": reply}
    assert twice == {"ok": False, "error": "message_not_found"}
    assert gone == {"ok": False, "error": "message_not_found"}
    assert [(p.ts, p.text) for p in fake.shown_in("C1")] == [(parent, "v2")]
    assert len(fake.updates) == 1 and fake.deletions == [("C1", reply)]


def test_slack_refuses_updates_and_deletes_with_its_error_codes() -> None:
    with SlackFake() as fake, httpx.Client() as client:
        ts = _slack(client, fake, "chat.postMessage", channel="C1", text="v1").json()["ts"]
        fake.refuse_updates("C1")
        fake.refuse_deletes("C1")
        update = _slack(client, fake, "chat.update", channel="C1", ts=ts, text="v2").json()
        delete = _slack(client, fake, "chat.delete", channel="C1", ts=ts).json()
        nothing = _slack(client, fake, "chat.update", channel="C1", ts=ts).json()

    assert update == {"ok": False, "error": "cant_update_message"}
    assert delete == {"ok": False, "error": "cant_delete_message"}
    assert nothing == {"ok": False, "error": "no_text"}
    assert [p.text for p in fake.shown_in("C1")] == ["v1"]


def test_slack_update_is_tier_3_per_workspace_and_leaves_post_message_alone() -> None:
    clock = Clock()
    channels = [f"C{i}" for i in range(TIER3_PER_MINUTE + 1)]
    with SlackFake(clock=clock) as fake, httpx.Client() as client:
        stamps = [
            _slack(client, fake, "chat.postMessage", channel=c, text="v1").json()["ts"]
            for c in channels
        ]
        answers = [
            _slack(client, fake, "chat.update", channel=c, ts=ts, text="v2")
            for c, ts in zip(channels, stamps, strict=True)
        ]
        clock.now += 1.5
        post = _slack(client, fake, "chat.postMessage", channel="C0", text="next")
        clock.now += 60
        late = _slack(client, fake, "chat.update", channel=channels[-1], ts=stamps[-1], text="v2")

    assert [a.status_code for a in answers].count(200) == TIER3_PER_MINUTE
    refused = answers[-1]
    assert refused.status_code == 429 and refused.json() == {"ok": False, "error": "ratelimited"}
    assert int(refused.headers["Retry-After"]) >= 1
    assert post.status_code == 200, "updates do not use up a channel's postMessage budget"
    assert late.status_code == 200
