"""A claim the database committed but whose answer an outage lost leaves rows leased to this
very worker without its knowing: they are freed and sent in the same run, not left pending
until their lease runs out."""

from __future__ import annotations

from pathlib import Path

from digestbot.delivery import publish
from digestbot.delivery.publishing import record_intent
from digestbot.delivery.workers import worker_id
from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, load, sample_issue, write_config
from tests.fakes.telegram_server import TelegramFake

CHATS = [str(4000 + i) for i in range(12)]


async def test_rows_a_lost_claim_leased_to_this_worker_are_sent_in_the_same_run(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=[(chat, "top3") for chat in CHATS],
        )
    )
    store = open_store(config.store.url.get_secret_value())
    issue, renderer = sample_issue(), Renderer()
    record_intent(config, store, renderer, issue, [Channel.TELEGRAM])
    lost = store.claim(DAY, Channel.TELEGRAM, worker_id(), limit=5, lease_seconds=3600)
    assert len(lost) == 5

    report = await publish(issue, config, store, renderer)

    assert report.unfinished == 0
    assert report.ledger[Channel.TELEGRAM][Status.SENT] == len(CHATS)
    assert sorted(m.chat_id for m in telegram_fake.messages) == sorted(CHATS)
    store.close()
