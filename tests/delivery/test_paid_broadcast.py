"""`[telegram] paid_broadcast = true`: every sendMessage carries allow_paid_broadcast and the
bot is paced at up to 1,000/s; the per-chat and per-group limits stay as they were."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from digestbot.delivery import TelegramPacing
from digestbot.delivery.wiring import build_sender, pacing_for
from digestbot.model import Channel
from digestbot.payloads import TelegramMessage
from tests.delivery.harness import load, write_config
from tests.fakes.telegram_server import TelegramFake


def _config(folder: Path, fake: TelegramFake, keys: str, rate: str = "") -> Path:
    return write_config(
        folder,
        store_url=f"sqlite:///{folder / 'ledger.db'}",
        telegram=fake,
        channel_keys={"telegram": keys},
        telegram_rate=rate,
    )


async def _send_one(config_path: Path) -> None:
    sender = build_sender(load(config_path), Channel.TELEGRAM)
    async with sender.session():
        await sender.channel.send("42", TelegramMessage("<b>日报</b>"))


@pytest.mark.parametrize(
    ("keys", "rate", "flag", "bot_wide"),
    [
        ("", "", None, 30.0),
        ("paid_broadcast = false", "", None, 30.0),
        ("paid_broadcast = true", "", "true", 1000.0),
        ("paid_broadcast = true", "paid_per_second = 300", "true", 300.0),
    ],
    ids=["default", "off", "on", "on-capped"],
)
def test_paid_broadcast_sends_the_flag_and_lifts_only_the_bot_wide_pace(
    tmp_path: Path,
    telegram_fake: TelegramFake,
    keys: str,
    rate: str,
    flag: str | None,
    bot_wide: float,
) -> None:
    config_path = _config(tmp_path, telegram_fake, keys, rate)

    asyncio.run(_send_one(config_path))

    [sent] = telegram_fake.messages
    wire = sent.params.get("allow_paid_broadcast")  # what Telegram received (JSON or form)
    assert (None if wire is None else str(wire).lower()) == flag
    pacing = pacing_for(load(config_path), Channel.TELEGRAM)
    assert pacing == TelegramPacing(1.0, 20, bot_wide)  # per chat and per group unchanged


def test_paid_rate_above_what_telegram_sells_is_refused(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    paid = "paid_broadcast = true"
    config_path = _config(tmp_path, telegram_fake, paid, "paid_per_second = 5000")

    with pytest.raises(Exception, match=r"telegram\.rate\.paid_per_second"):
        load(config_path)
