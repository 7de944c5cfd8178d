"""Publishing through the real clients to local fakes that enforce the providers' limits."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from digestbot.delivery import publish
from digestbot.model import Variant
from digestbot.rendering import Audience, Renderer, audience_of
from digestbot.store import Status, open_store
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow


async def test_200_chats_20_channels_200_mailboxes_each_get_it_once_with_no_429(
    tmp_path: Path,
    telegram_fake_process: TelegramFakeProcess,
    slack_fake: SlackFake,
    smtp_fake: SmtpFake,
) -> None:
    # The Bot API fake in a process of its own: it judges the bot-wide limit by arrival time,
    # and in this busy process (three channels, two more fakes) it would fall behind.
    telegram_fake = telegram_fake_process
    chats = [(str(1000 + i), "top3") for i in range(190)] + [
        (str(-100200 - i), "full") for i in range(10)  # groups, several parts each
    ]
    channels = [(f"C{i:07d}", "full" if i % 4 == 0 else "top5") for i in range(20)]
    mailboxes = [(f"reader{i}@example.org", ("top3", "top5", "full")[i % 3]) for i in range(200)]
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=chats,
            slack=slack_fake,
            slack_targets=channels,
            smtp=smtp_fake,
            email_targets=mailboxes,
        )
    )
    issue = sample_issue()
    renderer = Renderer()
    store = open_store(config.store.url.get_secret_value())

    report = await publish(issue, config, store, renderer)

    assert report.unfinished == 0
    assert {name: counts[Status.SENT] for name, counts in report.ledger.items()} == {
        "telegram": 200,
        "slack": 20,
        "email": 200,
    }
    assert telegram_fake.rate_limited == 0, telegram_fake.rate_limited_by_chat
    assert slack_fake.rate_limited == 0
    for chat, variant in chats:
        received = [m.text for m in telegram_fake.messages_to(chat)]
        # A private chat's digest may tell the reader a command; a group's never does.
        expected = renderer.telegram(issue, variant, audience_of("telegram", chat))
        assert received == [p.text for p in expected], chat
    for channel, variant in channels:
        posts = slack_fake.posts_to(channel)
        expected = renderer.slack(issue, variant)
        assert [p.text for p in posts] == [m.text for m in expected]
        parent_ts = posts[0].ts
        assert all(p.thread_ts == parent_ts for p in posts[1:]), "replies go in the thread"
    per_address = Counter(rcpt for m in smtp_fake.messages for rcpt in m.rcpt_tos)
    assert per_address == Counter({address: 1 for address, _ in mailboxes})
    assert smtp_fake.ehlo_count == 4, "the default 4 SMTP connections, reused for all 200"

    # A second publish of the same issue sends nothing.
    before = (len(telegram_fake.messages), len(slack_fake.posts), len(smtp_fake.messages))
    again = await publish(issue, config, store, renderer)
    assert (len(telegram_fake.messages), len(slack_fake.posts), len(smtp_fake.messages)) == before
    assert sum(run.parts_sent for run in again.runs.values()) == 0
    store.close()


async def test_subscribers_from_the_store_get_it_and_inactive_static_targets_do_not(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=[("501", "top3"), ("502", "top3")],
        )
    )
    store = open_store(config.store.url.get_secret_value())
    store.subscribe("telegram", "601", Variant.TOP5)
    store.subscribe("telegram", "501", Variant.FULL)  # also static: delivered once, static wins
    store.subscribe("telegram", "502", Variant.TOP3)
    store.unsubscribe("telegram", "502")  # left: the static entry no longer applies
    await publish(sample_issue(), config, store, Renderer())
    got = Counter(m.chat_id for m in telegram_fake.messages)
    assert set(got) == {"501", "601"}
    assert got["501"] == len(Renderer().telegram(sample_issue(), Variant.TOP3, Audience.CHAT))
    store.close()
