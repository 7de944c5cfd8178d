"""With `[telegram] paid_broadcast`, a correction's edits are still held to the free ~30/s:
allow_paid_broadcast is a sendMessage parameter, editMessageText has none. The fake answers
"Too Many Requests" to edits above 30/s; edits paced at the paid 1,000/s would meet it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import PartAction, open_store
from tests.corrections.harness import deliver_revision, edit_requests
from tests.delivery.harness import load, write_config
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow

CHATS = [(str(5000 + i), "top5") for i in range(150)]  # private chats, one part each


async def test_telegram_edits_keep_the_free_rate_under_paid_broadcast(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=CHATS,
            channel_keys={"telegram": "paid_broadcast = true"},
        )
    )
    store = open_store(config.store.url.get_secret_value())
    try:
        first = await deliver_revision(1, config, store, Renderer())
        assert first.unfinished == 0
        sends = [r for r in telegram_fake.requests if r.method == "sendMessage"]
        assert all(r.params.get("allow_paid_broadcast") for r in sends)
        # The fake, like Telegram, counts paid sends against the free bucket (emptying, not
        # overdrawing it); a correction comes minutes later, when it has refilled.
        await asyncio.sleep(1.5)
        started = time.monotonic()
        report = await deliver_revision(2, config, store, Renderer())
        seconds = time.monotonic() - started
    finally:
        store.close()

    assert report.unfinished == 0
    assert report.runs[Channel.TELEGRAM].actions == {PartAction.EDIT: len(CHATS)}
    edits = [r for r in telegram_fake.requests if r.method == "editMessageText"]
    assert [r for r in edits if r.status == 429] == [], "edits went past the free 30/s"
    assert telegram_fake.rate_limited == 0
    assert set(edit_requests(edits).values()) == {1} and len(edit_requests(edits)) == len(CHATS)
    # 150 edits at 30/s take ~4.5 s at the least (paid sends at 1,000/s would take 0.15 s).
    assert seconds >= (len(CHATS) - 30) / 30.0
