"""A publish on PostgreSQL ends by deleting the provider budgets long past (issue 11): there is a
row per chat ever sent to, and without this they pile up forever. Another publish's budgets,
in use meanwhile, stay exactly as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.delivery import publish
from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import Status, open_store
from digestbot.store.budgets import PRUNE_AFTER_SECONDS
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.store.budget_rows import age_budgets, budgets

pytestmark = pytest.mark.postgres
CHATS = ["5001", "5002", "5003"]


async def test_a_publish_prunes_the_budgets_long_past_and_leaves_the_live_ones(
    tmp_path: Path, pg_url: str, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=pg_url,
            telegram=telegram_fake,
            telegram_targets=[(chat, "top3") for chat in CHATS],
        )
    )
    store = open_store(config.store.url.get_secret_value())
    try:
        # Another bot's publish, sending meanwhile: its rows are in use.
        _, now = store.reserve_sends("telegram:777", 1 / 30, 20)
        store.reserve_each([("telegram:777:chat:1", 0.0), ("telegram:777:chat:2", 0.5)], 1.0)
        live = budgets(store)
        long_past = {f"telegram:777:chat:{i}": now - PRUNE_AFTER_SECONDS - 60 for i in (8, 9)}
        age_budgets(store, long_past)

        report = await publish(sample_issue(), config, store, Renderer())

        after = budgets(store)
    finally:
        store.close()
    assert report.ledger[Channel.TELEGRAM][Status.SENT] == len(CHATS)
    assert not long_past.keys() & after.keys()
    assert {k: after[k] for k in live} == live
    ours = {k for k in after if not k.startswith("telegram:777")}
    assert len(ours) == 1 + len(CHATS)  # this bot's budget and one per chat it sent to
