"""A private chat and a group get the digest meant for each (issue 9 point 11): the chat may
be told "发送 /today full", the group never. When that line tips the chat's digest into one
more part, the ledger records each target's own parts count, so nothing fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from digestbot.delivery import publish
from digestbot.model import Issue, Variant
from digestbot.rendering import Audience, Renderer
from digestbot.store import Status, open_store
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.telegram_server import TelegramFake

CHAT, GROUP, CHANNEL = "4242", "-1001234567890", "@ai_daily"


def _padded(pad: int) -> Issue:
    issue = sample_issue()
    first, *rest = issue.conclusions
    return dataclasses.replace(issue, conclusions=(first + "细" * pad, *rest))


def _one_part_at_the_brim(renderer: Renderer) -> Issue:
    """The sample with its first conclusion padded until the group's top5 digest is as long as
    one message can be: the chat's extra command line then needs a second part."""
    low, high = 0, 4096
    while low < high:
        middle = (low + high + 1) // 2
        if len(renderer.telegram(_padded(middle), Variant.TOP5)) == 1:
            low = middle
        else:
            high = middle - 1
    return _padded(low)


async def test_each_target_gets_its_audiences_digest_and_its_own_parts_count(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    renderer = Renderer()
    issue = _one_part_at_the_brim(renderer)
    assert len(renderer.telegram(issue, Variant.TOP5, Audience.CHAT)) == 2
    targets = [(CHAT, "top5"), (GROUP, "top5"), (CHANNEL, "top5")]
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=targets,
        )
    )
    store = open_store(config.store.url.get_secret_value())
    try:
        report = await publish(issue, config, store, renderer)
    finally:
        store.close()

    assert report.ledger["telegram"][Status.SENT] == 3 and report.unfinished == 0
    chat = [m.text for m in telegram_fake.messages_to(CHAT)]
    assert chat == [m.text for m in renderer.telegram(issue, Variant.TOP5, Audience.CHAT)]
    assert "发送 /today full" in chat[-1]
    for broadcast in (GROUP, CHANNEL):
        [message] = telegram_fake.messages_to(broadcast)
        assert "/today" not in message.text
