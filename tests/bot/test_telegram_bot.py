"""The Telegram bot end to end: updates injected into the fake's getUpdates, replies read from
what the fake accepted (which enforces the 4096-unit limit, HTML entity parsing and the per-chat
rate limits, answering 429 like Telegram)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from digestbot.bot import CurrentIssue, TelegramBot, staleness_note
from digestbot.bot import texts as bot_texts
from digestbot.config import TelegramConfig
from digestbot.model import Issue, Variant
from digestbot.rendering import Audience, Renderer
from digestbot.store import Store
from tests.bot.conftest import ADMIN_CHAT, ISSUE_DATE, BotFactory, FixedIssues, eventually
from tests.fakes.telegram_html import utf16_len, visible_text
from tests.fakes.telegram_server import BOT_USER, SentMessage, TelegramFake

GROUP = "-1001234567890"


def texts_to(fake: TelegramFake, chat: str) -> list[str]:
    return [m.text for m in fake.messages_to(chat)]


async def reply_count(fake: TelegramFake, chat: str, n: int) -> list[SentMessage]:
    """Wait until `chat` has received at least `n` messages; return them all."""
    await eventually(lambda: len(fake.messages_to(chat)) >= n)
    return fake.messages_to(chat)


def keyboard_data(message: SentMessage) -> list[str]:
    markup: dict[str, Any] = message.params["reply_markup"]
    return [button["callback_data"] for row in markup["inline_keyboard"] for button in row]


def assert_within_telegram_limits(message: SentMessage) -> None:
    assert message.parse_mode == "HTML"
    assert utf16_len(visible_text(message.text)) <= 4096
    assert message.link_preview_options == {"is_disabled": True}


# ----- subscribing --------------------------------------------------------------------------


async def test_start_in_a_private_chat_subscribes_with_top5_and_offers_the_variant_keyboard(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    telegram_fake.push_message("42", "/start")

    [welcome] = await reply_count(telegram_fake, "42", 1)
    row = store.get_subscriber("telegram", "42")

    assert row is not None and row.active and row.variant is Variant.TOP5
    assert row.display_name == "User 42"
    assert keyboard_data(welcome) == ["v:top3", "v:top5", "v:full"]
    assert all(len(data.encode()) <= 64 for data in keyboard_data(welcome))


async def test_pressing_a_variant_button_changes_the_variant_answers_and_edits_the_message(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    telegram_fake.push_message("42", "/start")
    [welcome] = await reply_count(telegram_fake, "42", 1)

    telegram_fake.push_callback_query("42", "v:full", message_id=welcome.message_id)
    [edit] = await eventually(lambda: telegram_fake.edits)

    row = store.get_subscriber("telegram", "42")
    assert row is not None and row.variant is Variant.FULL
    assert telegram_fake.answered_callbacks[0]["text"] == bot_texts.variant_changed(Variant.FULL)
    assert edit.message_id == welcome.message_id
    assert "full" in edit.text
    assert "✓ full · 全文" in str(edit.params["reply_markup"])


async def test_start_again_keeps_the_variant_the_reader_chose(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    store.subscribe("telegram", "42", Variant.TOP3)

    telegram_fake.push_message("42", "/start")
    [welcome] = await reply_count(telegram_fake, "42", 1)

    row = store.get_subscriber("telegram", "42")
    assert row is not None and row.variant is Variant.TOP3
    assert welcome.text == bot_texts.welcome(Variant.TOP3, again=True)


async def test_stop_deactivates_the_subscriber_and_a_second_stop_says_not_subscribed(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    store.subscribe("telegram", "42", Variant.TOP5)

    telegram_fake.push_message("42", "/stop")
    await reply_count(telegram_fake, "42", 1)
    telegram_fake.push_message("42", "/stop")
    await reply_count(telegram_fake, "42", 2)

    row = store.get_subscriber("telegram", "42")
    assert row is not None and not row.active and row.left_reason == "unsubscribed"
    assert texts_to(telegram_fake, "42") == [bot_texts.UNSUBSCRIBED, bot_texts.NOT_SUBSCRIBED]


async def test_format_shows_the_keyboard_to_subscribers_and_points_others_to_start(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    store.subscribe("telegram", "42", Variant.TOP3)

    telegram_fake.push_message("42", "/format")
    telegram_fake.push_message("43", "/format")
    [keyboard] = await reply_count(telegram_fake, "42", 1)
    [hint] = await reply_count(telegram_fake, "43", 1)

    assert keyboard_data(keyboard) == ["v:top3", "v:top5", "v:full"]
    assert "✓ top3" in str(keyboard.params["reply_markup"])
    assert hint.text == bot_texts.NOT_SUBSCRIBED


# ----- groups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "subscribed"),
    [("member", False), ("administrator", True), ("creator", True), ("left", False)],
)
async def test_only_group_admins_may_subscribe_a_group(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store, status: Any, subscribed: bool
) -> None:
    telegram_fake.set_member(GROUP, 7, status)

    telegram_fake.push_message(GROUP, "/start@digest_fake_bot", user_id=7)
    [reply] = await reply_count(telegram_fake, GROUP, 1)

    row = store.get_subscriber("telegram", GROUP)
    assert (row is not None and row.active) is subscribed
    if subscribed:
        assert row is not None and row.display_name == f"Group {GROUP}"
    else:
        assert reply.text == bot_texts.GROUP_ADMINS_ONLY


async def test_an_anonymous_admin_posting_as_the_group_may_subscribe_it(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    group = {"id": int(GROUP), "type": "supergroup", "title": "Readers"}
    telegram_fake.push_update(
        {
            "message": {
                "message_id": 5,
                "from": {"id": 1087968824, "is_bot": True, "first_name": "Group"},
                "sender_chat": group,
                "chat": group,
                "date": 1,
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    await reply_count(telegram_fake, GROUP, 1)

    row = store.get_subscriber("telegram", GROUP)
    assert row is not None and row.active and row.display_name == "Readers"


async def test_a_group_member_cannot_change_the_groups_variant(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    store.subscribe("telegram", GROUP, Variant.TOP5)
    telegram_fake.set_member(GROUP, 8, "member")

    telegram_fake.push_callback_query(GROUP, "v:full", user_id=8)
    [answer] = await eventually(lambda: telegram_fake.answered_callbacks)

    row = store.get_subscriber("telegram", GROUP)
    assert row is not None and row.variant is Variant.TOP5
    assert answer["text"] == bot_texts.GROUP_ADMINS_ONLY
    assert telegram_fake.edits == []


async def test_removing_the_bot_from_a_group_deactivates_it_and_migration_moves_it(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    store.subscribe("telegram", "-55", Variant.TOP3)
    store.subscribe("telegram", "-66", Variant.FULL)
    old = {"id": -66, "type": "group", "title": "Old"}
    telegram_fake.push_update(
        {"message": {"message_id": 9, "chat": old, "date": 1, "migrate_to_chat_id": -10066}}
    )
    telegram_fake.push_update(
        {
            "my_chat_member": {
                "chat": {"id": -55, "type": "group", "title": "Gone"},
                "from": {"id": 7, "is_bot": False, "first_name": "Admin"},
                "date": 1,
                "old_chat_member": {"status": "member", "user": BOT_USER},
                "new_chat_member": {"status": "left", "user": BOT_USER},
            }
        }
    )

    def moved() -> bool:
        gone = store.get_subscriber("telegram", "-55")
        return (
            gone is not None
            and not gone.active
            and (store.get_subscriber("telegram", "-10066") is not None)
        )

    await eventually(moved)
    new = store.get_subscriber("telegram", "-10066")
    assert new is not None and new.active and new.variant is Variant.FULL


# ----- /today -------------------------------------------------------------------------------


async def test_today_replies_with_the_subscribers_variant_within_telegram_limits(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store, issue: Issue
) -> None:
    store.subscribe("telegram", "42", Variant.TOP3)

    telegram_fake.push_message("42", "/today")
    [digest] = await reply_count(telegram_fake, "42", 1)

    assert digest.text == Renderer().telegram(issue, Variant.TOP3, Audience.CHAT)[0].text
    assert_within_telegram_limits(digest)


async def test_today_full_sends_every_part_in_order(
    bot: TelegramBot, telegram_fake: TelegramFake, issue: Issue
) -> None:
    expected = [m.text for m in Renderer().telegram(issue, Variant.FULL, Audience.CHAT)]
    assert len(expected) > 1  # the sample's full variant needs several messages

    telegram_fake.push_message("42", "/today FULL")
    parts = await reply_count(telegram_fake, "42", len(expected))

    assert [m.text for m in parts] == expected
    for part in parts:
        assert_within_telegram_limits(part)
    assert telegram_fake.rate_limited == 0  # paced under 1 message/s per chat, not by 429s


async def test_today_without_a_subscription_defaults_to_top5(
    bot: TelegramBot, telegram_fake: TelegramFake, issue: Issue
) -> None:
    telegram_fake.push_message("42", "/today")
    [digest] = await reply_count(telegram_fake, "42", 1)

    assert digest.text == Renderer().telegram(issue, Variant.TOP5, Audience.CHAT)[0].text


async def test_today_with_an_older_issue_says_which_one_it_is(
    bot: TelegramBot, telegram_fake: TelegramFake, issues: FixedIssues, issue: Issue
) -> None:
    issues.current_issue = CurrentIssue(issue, is_today=False)
    note = staleness_note(issues.current_issue, ISSUE_DATE)
    assert note is not None

    telegram_fake.push_message("42", "/today top3")
    [digest] = await reply_count(telegram_fake, "42", 1)

    assert digest.text.startswith(note + "\n\n")
    assert_within_telegram_limits(digest)


@pytest.mark.parametrize(
    ("command", "current", "expected"),
    [
        ("/today weekly", True, bot_texts.UNKNOWN_VARIANT),
        ("/today", False, bot_texts.NO_ISSUE_YET),
    ],
    ids=["unknown-variant", "no-issue-yet"],
)
async def test_today_answers_briefly_when_there_is_nothing_to_send(
    bot: TelegramBot,
    telegram_fake: TelegramFake,
    issues: FixedIssues,
    command: str,
    current: bool,
    expected: str,
) -> None:
    if not current:
        issues.current_issue = None

    telegram_fake.push_message("42", command)
    [reply] = await reply_count(telegram_fake, "42", 1)

    assert reply.text == expected


async def test_a_flood_of_today_from_one_user_is_throttled_while_others_are_served(
    bot: TelegramBot, telegram_fake: TelegramFake, issue: Issue
) -> None:
    digest = Renderer().telegram(issue, Variant.TOP3, Audience.CHAT)[0].text
    for _ in range(10):
        telegram_fake.push_message("101", "/today top3")
    telegram_fake.push_message("102", "/today top3")

    await eventually(lambda: texts_to(telegram_fake, "102") == [digest])
    await reply_count(telegram_fake, "101", 4)
    # Updates are handled in arrival order, so once /help is answered every /today before it
    # has been decided: nothing more can arrive for the flood.
    telegram_fake.push_message("101", "/help")
    await eventually(lambda: bot_texts.HELP in texts_to(telegram_fake, "101"))

    flood = texts_to(telegram_fake, "101")[:-1]
    assert flood.count(digest) == 3
    notices = [t for t in flood if t != digest]
    assert len(notices) == 1 and notices[0].startswith("请求太频繁")
    assert telegram_fake.rate_limited == 0


# ----- help, status, menu, alerts -----------------------------------------------------------


async def test_start_publishes_the_command_menu(
    bot: TelegramBot, telegram_fake: TelegramFake
) -> None:
    assert [c["command"] for c in telegram_fake.commands] == [
        "today", "start", "format", "stop", "help", "status",
    ]  # fmt: skip
    assert all(c["description"] for c in telegram_fake.commands)


async def test_help_lists_every_command(bot: TelegramBot, telegram_fake: TelegramFake) -> None:
    telegram_fake.push_message("42", "/help")
    [reply] = await reply_count(telegram_fake, "42", 1)

    for command in ("/today", "/start", "/stop", "/format", "/status"):
        assert command in reply.text


@pytest.mark.parametrize(
    ("chat", "user", "allowed"),
    [("42", None, False), (ADMIN_CHAT, None, True), (GROUP, int(ADMIN_CHAT), True)],
    ids=["stranger", "admin-chat", "admin-user-in-a-group"],
)
async def test_status_answers_admins_and_refuses_everyone_else(
    make_bot: BotFactory, telegram_fake: TelegramFake, chat: str, user: int | None, allowed: bool
) -> None:
    async def status_text() -> str:
        return "telegram: sent 12"

    await make_bot(status_text=status_text)
    telegram_fake.push_message(chat, "/status", user_id=user)
    [reply] = await reply_count(telegram_fake, chat, 1)

    assert reply.text == ("telegram: sent 12" if allowed else bot_texts.ADMINS_ONLY)


async def test_status_without_a_status_source_reads_the_ledger(
    bot: TelegramBot, telegram_fake: TelegramFake
) -> None:
    telegram_fake.push_message(ADMIN_CHAT, "/status")
    [reply] = await reply_count(telegram_fake, ADMIN_CHAT, 1)

    assert reply.text == f"{ISSUE_DATE.isoformat()}：{bot_texts.STATUS_UNAVAILABLE}"


async def test_admin_alerts_reach_every_admin_chat_as_plain_text(
    make_bot: BotFactory, telegram_fake: TelegramFake
) -> None:
    bot = await make_bot(admin_chat_ids=["900", "901"])

    reached = await bot.send_admin_alert("deadline passed: <no issue> & no publish")

    assert reached == 2
    for chat in ("900", "901"):
        [alert] = telegram_fake.messages_to(chat)
        assert alert.text == "deadline passed: <no issue> & no publish"
        assert alert.parse_mode is None


async def test_the_token_never_reaches_the_logs(
    bot: TelegramBot, telegram_fake: TelegramFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram_fake.push_message("42", "/help")
    await reply_count(telegram_fake, "42", 1)
    telegram_fake.forget("43")
    telegram_fake.push_message("43", "/help")
    await eventually(lambda: "chat not found" in caplog.text.lower())

    assert caplog.records
    assert telegram_fake.token not in caplog.text
    assert telegram_fake.token.split(":")[1] not in caplog.text


async def test_a_bot_built_from_the_telegram_config_section_answers_its_admins(
    telegram_fake: TelegramFake, store: Store, issues: FixedIssues
) -> None:
    config = TelegramConfig.model_validate(
        {"token": telegram_fake.token, "api_base_url": telegram_fake.url, "admin_chat_ids": ["77"]}
    )
    bot = TelegramBot.from_config(config, store=store, renderer=Renderer(), issues=issues)
    await bot.start()
    try:
        telegram_fake.push_message("77", "/status")
        [reply] = await reply_count(telegram_fake, "77", 1)
    finally:
        await bot.stop()

    assert reply.text.endswith(bot_texts.STATUS_UNAVAILABLE)


async def test_a_failing_issue_source_gets_a_short_apology_not_silence(
    bot: TelegramBot, telegram_fake: TelegramFake, issues: FixedIssues
) -> None:
    async def broken() -> CurrentIssue | None:
        raise OSError("source unreachable")

    issues.current = broken  # type: ignore[method-assign]
    telegram_fake.push_message("42", "/today")
    [reply] = await reply_count(telegram_fake, "42", 1)

    assert reply.text == bot_texts.TODAY_FAILED
