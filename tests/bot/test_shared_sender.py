"""The publish and the bot send through one Telegram sender: one client (one getMe), one limiter
(their sends add up under Telegram's limits), one line per chat (a reply's parts are not
interleaved with a digest's). Checked against the fake, which answers 429 like Telegram."""

from __future__ import annotations

import asyncio
from itertools import chain, permutations

import pytest

from digestbot.bot import TelegramBot
from digestbot.bot import application as bot_application
from digestbot.channels.telegram import TelegramChannel
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout
from digestbot.delivery.publishing import render_all
from digestbot.model import Channel, Issue, Variant
from digestbot.rendering import Audience, Renderer
from digestbot.service.delivery_thread import DeliveryThread
from digestbot.store import OffLoopLedger, Status, Store
from tests.bot.conftest import ISSUE_DATE, BotFactory, eventually
from tests.fakes.telegram_server import TelegramFake

READER = "42"  # gets the full digest from the publish and asks /today twice meanwhile
AUDIENCE = [str(5000 + i) for i in range(40)]  # top3 subscribers; the first ten ask /today
ASKING = AUDIENCE[:10]


def get_me_calls(fake: TelegramFake) -> int:
    return sum(1 for r in fake.requests if r.method.lower() == "getme")


def publish_job(bot: TelegramBot, store: Store, issue: Issue) -> ChannelJob:
    targets = [(READER, Variant.FULL), *((chat, Variant.TOP3) for chat in AUDIENCE)]
    digests = render_all(Renderer(), issue, "telegram")
    # Every target is a private chat: its digest may name the command it can send.
    store.ensure_deliveries(ISSUE_DATE, "telegram", targets, digests.parts_total(Audience.CHAT))
    return ChannelJob("telegram", bot.sender, digests.broadcast, chat_payloads=digests.chat)


async def test_a_publish_and_a_burst_of_today_replies_share_the_limits_and_earn_no_429(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store, issue: Issue
) -> None:
    full = [m.text for m in Renderer().telegram(issue, Variant.FULL, Audience.CHAT)]
    [top3] = [m.text for m in Renderer().telegram(issue, Variant.TOP3, Audience.CHAT)]
    job = publish_job(bot, store, issue)
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(ledger, DeliverySettings(), owner="publish")

        # Alone, the fan-out's first second is a full bot-wide burst; the replies land in it.
        publishing = asyncio.create_task(fanout.run(ISSUE_DATE, job))
        telegram_fake.push_message(READER, "/today full")
        telegram_fake.push_message(READER, "/today top3")
        for chat in ASKING:
            telegram_fake.push_message(chat, "/today top3")
        run = await asyncio.wait_for(publishing, 60)
    await eventually(lambda: len(telegram_fake.messages_to(READER)) == 2 * len(full) + 1, 30)
    await eventually(lambda: all(len(telegram_fake.messages_to(c)) == 2 for c in ASKING), 30)

    assert run.delivered[Status.SENT] == 1 + len(AUDIENCE)
    assert telegram_fake.rate_limited == 0, telegram_fake.rate_limited_by_chat
    assert run.rate_limited == 0
    # Each message's parts arrived together: the digest, the /today full and the /today top3
    # in some order, never one's part between another's.
    received = [m.text for m in telegram_fake.messages_to(READER)]
    blocks = (full, full, [top3])
    assert received in [list(chain(*order)) for order in permutations(blocks)]
    for chat in ASKING:
        assert [m.text for m in telegram_fake.messages_to(chat)] == [top3, top3]
    assert get_me_calls(telegram_fake) == 1  # one client for polling, replies and the publish


async def test_the_bot_stopping_mid_publish_does_not_close_the_client_the_publish_is_using(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store, issue: Issue
) -> None:
    job = publish_job(bot, store, issue)
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(ledger, DeliverySettings(), owner="publish")

        publishing = asyncio.create_task(fanout.run(ISSUE_DATE, job))
        await eventually(lambda: len(telegram_fake.messages) >= 1)
        await bot.stop()  # PTB's Application.shutdown() runs here
        run = await asyncio.wait_for(publishing, 60)

    assert run.delivered == {Status.SENT: 1 + len(AUDIENCE)}
    assert len(telegram_fake.messages_to(READER)) == 2
    assert get_me_calls(telegram_fake) == 1


async def test_admin_alerts_use_the_bots_client_and_survive_telegram_refusing_them(
    bot: TelegramBot, telegram_fake: TelegramFake
) -> None:
    telegram_fake.forget("900")  # the admin chat is gone: Telegram says "chat not found"

    reached = await bot.send_admin_alert("deadline passed")

    assert reached == 0
    assert telegram_fake.messages_to("900") == []
    assert get_me_calls(telegram_fake) == 1


async def test_telegram_failing_after_the_token_check_is_retried_until_the_bot_polls(
    make_bot: BotFactory, telegram_fake: TelegramFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot_application, "RETRY_FIRST", 0.05)
    bot = await make_bot()
    await bot.stop()
    async with bot.sender.session():  # getMe done: the next requests are the bot's start
        checked = get_me_calls(telegram_fake)
        telegram_fake.fail_next(2, status=502)  # setMyCommands, then deleteWebhook
        await asyncio.wait_for(bot.application.start_when_reachable(asyncio.Event()), 30)

    telegram_fake.push_message("42", "/help")
    await eventually(lambda: telegram_fake.messages_to("42"))
    assert get_me_calls(telegram_fake) == checked  # the open client was kept, not re-checked


async def test_a_publish_on_the_delivery_loop_and_today_replies_share_limits_and_lines(
    bot: TelegramBot, telegram_fake: TelegramFake, store: Store, issue: Issue
) -> None:
    """As `digestbot run` does it: the fan-out on the delivery thread's loop through a twin of
    the bot's sender (its own client), the replies on this loop. Their sends still add up
    under Telegram's limits (no 429), and a chat's messages are still never interleaved."""
    full = [m.text for m in Renderer().telegram(issue, Variant.FULL, Audience.CHAT)]
    [top3] = [m.text for m in Renderer().telegram(issue, Variant.TOP3, Audience.CHAT)]
    delivery = DeliveryThread(
        store,
        {Channel.TELEGRAM: bot.sender},
        lambda _: TelegramChannel(telegram_fake.token, telegram_fake.url),
    )
    delivery.start()
    try:
        twin = delivery.senders[Channel.TELEGRAM]
        job = publish_job(bot, store, issue)
        job = ChannelJob("telegram", twin, job.payloads, chat_payloads=job.chat_payloads)
        fanout = Fanout(delivery.ledger, DeliverySettings(), owner="publish")
        publishing = asyncio.ensure_future(delivery.run(lambda: fanout.run(ISSUE_DATE, job)))
        await eventually(lambda: len(telegram_fake.messages) > 0)  # the burst has begun
        telegram_fake.push_message(READER, "/today full")
        telegram_fake.push_message(READER, "/today top3")
        for chat in ASKING:
            telegram_fake.push_message(chat, "/today top3")
        # Answered on this loop while the delivery loop is still publishing.
        await eventually(lambda: all(telegram_fake.messages_to(c) for c in ASKING), 30)
        assert not publishing.done()
        run = await asyncio.wait_for(publishing, 60)
    finally:
        await delivery.aclose()
    await eventually(lambda: len(telegram_fake.messages_to(READER)) == 2 * len(full) + 1, 30)
    await eventually(lambda: all(len(telegram_fake.messages_to(c)) == 2 for c in ASKING), 30)

    assert run.delivered[Status.SENT] == 1 + len(AUDIENCE)
    assert telegram_fake.rate_limited == 0, telegram_fake.rate_limited_by_chat
    received = [m.text for m in telegram_fake.messages_to(READER)]
    blocks = (full, full, [top3])
    assert received in [list(chain(*order)) for order in permutations(blocks)]
    for chat in ASKING:
        assert sorted(m.text for m in telegram_fake.messages_to(chat)) == [top3, top3]
    assert get_me_calls(telegram_fake) == 2  # one client per loop
