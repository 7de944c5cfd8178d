"""From the config file to live parts: which channel client and which pacing serve a channel,
and the `PacedSender` that pairs them. The only place that reads secrets out of the config to
hand them to a client."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The channel classes are reached through the lazy package at call time, so a process loads
# only the clients of the channels it uses (PTB, the Slack SDK + aiohttp, aiosmtplib).
from digestbot import channels
from digestbot.config import Config, EmailConfig, SlackConfig, TelegramConfig, reveal
from digestbot.delivery.fanout import DeliverySettings
from digestbot.delivery.paced import PacedSender
from digestbot.delivery.pacing import SAFETY, Pacing, SlackPacing, TelegramPacing, Unpaced
from digestbot.delivery.shared_budget import SharedBudget
from digestbot.delivery.shared_limits import ChatBudgets, SharedLimits
from digestbot.model import Channel
from digestbot.rendering import Renderer

if TYPE_CHECKING:
    from digestbot.channels import ChannelClient, TelegramChannel
    from digestbot.store import OffLoopLedger
    from digestbot.store.interfaces import SharedBudgets


def renderer_for(config: Config) -> Renderer:
    """The renderer of this config: its templates, its site's issue pages and its bot."""
    telegram = config.channel(Channel.TELEGRAM)
    bot = telegram.bot_username if isinstance(telegram, TelegramConfig) else ""
    return Renderer(config.templates.dir, site_base_url=config.site.base_url, telegram_bot=bot)


def _section(config: Config, channel: Channel) -> TelegramConfig | SlackConfig | EmailConfig:
    section = config.channel(channel)
    if section is None:
        raise ValueError(f"channel {channel!r} is not enabled in the config")
    return section


def build_channel(config: Config, channel: Channel) -> ChannelClient:
    section = _section(config, channel)
    email = section if isinstance(section, EmailConfig) else None
    unsubscribe_url = email.unsubscribe_url if email else None
    unsubscribe_secret = reveal(email.unsubscribe_secret) if email else None
    preferences_url = f"{config.site.base_url}/preferences" if config.signup_available() else None
    if section.transport == "outbox":
        return channels.OutboxChannel(
            config.outbox.path,
            channel,
            from_addr=email.from_ if email else "digestbot@localhost",
            unsubscribe_url=unsubscribe_url or None,
            unsubscribe_secret=unsubscribe_secret,
            preferences_url=preferences_url,
        )
    if isinstance(section, TelegramConfig):
        return _telegram_channel(section)
    if isinstance(section, SlackConfig):
        return channels.SlackChannel(
            reveal(section.token) or "", section.base_url, pool_size=section.connections
        )
    return channels.EmailChannel(
        section.host,
        section.port,
        from_addr=section.from_,
        security=section.security,
        username=section.username,
        password=reveal(section.password),
        unsubscribe_url=unsubscribe_url,
        unsubscribe_secret=unsubscribe_secret,
        preferences_url=preferences_url,
        connections=section.connections,
    )


def pacing_for(config: Config, channel: Channel) -> Pacing:
    section = _section(config, channel)
    if section.transport == "outbox":
        return Unpaced()
    if isinstance(section, TelegramConfig):
        return _telegram_pacing(section)
    if isinstance(section, SlackConfig):
        return SlackPacing(section.rate.per_channel_per_second)
    return Unpaced()


def _telegram_channel(section: TelegramConfig) -> TelegramChannel:
    return channels.TelegramChannel(
        reveal(section.token) or "",
        section.api_base_url,
        pool_size=section.connections,
        paid_broadcast=section.paid_broadcast,
    )


def _telegram_pacing(section: TelegramConfig) -> TelegramPacing:
    rate = section.rate
    bot_wide = rate.paid_per_second if section.paid_broadcast else rate.global_per_second
    return TelegramPacing(
        rate.per_chat_per_second,
        rate.per_group_per_minute,
        bot_wide,
        free_per_second=rate.global_per_second,  # edits and deletes: never paid
    )


def telegram_sender(section: TelegramConfig) -> PacedSender[TelegramChannel]:
    """The Bot API sender `[telegram]` describes (the bot needs the Telegram channel itself:
    its PTB Application polls on the channel's client)."""
    return PacedSender(_telegram_channel(section), _telegram_pacing(section))


def build_sender(config: Config, channel: Channel) -> PacedSender[ChannelClient]:
    """The channel's client with its pacing: build one per provider and process, and give it
    to everything that sends there."""
    return PacedSender(build_channel(config, channel), pacing_for(config, channel))


@dataclass(frozen=True, slots=True)
class LedgerBudgets:
    """The store's shared budgets (`store.budgets`), called off the event loop."""

    ledger: OffLoopLedger
    store: SharedBudgets

    async def reserve_sends(self, key: str, interval: float, count: int) -> tuple[float, float]:
        return await self.ledger.call(self.store.reserve_sends, key, interval, count)

    async def reserve_each(
        self, sends: list[tuple[str, float]], interval: float
    ) -> tuple[dict[str, float], float]:
        return await self.ledger.call(self.store.reserve_each, sends, interval)

    async def hold_budget(self, key: str, seconds: float) -> None:
        await self.ledger.call(self.store.hold_budget, key, seconds)


def share_budgets(
    config: Config, senders: Mapping[Channel, PacedSender[Any]], budgets: LedgerBudgets
) -> None:
    """Make the senders' limits shared with every worker on the database: Telegram's per-bot
    budget, keyed by the bot's id (the token's public half), and its per-chat ones; Slack's
    per-channel ones, keyed by a digest of the token (one workspace, one token). The chats'
    need sharing too: a /today reply in one replica can meet a many-part digest sent to the
    same chat by another, and a worker taking rows over sends where the first one just did."""
    telegram = senders.get(Channel.TELEGRAM)
    if config.telegram is not None and telegram is not None and telegram.shared is None:
        _share_telegram(reveal(config.telegram.token) or "", telegram, budgets)
    slack = senders.get(Channel.SLACK)
    if config.slack is not None and slack is not None and slack.shared is None:
        _share_slack(reveal(config.slack.token) or "", slack, budgets)


def _share_telegram(token: str, sender: PacedSender[Any], budgets: LedgerBudgets) -> None:
    if not isinstance(sender.pacing, TelegramPacing):
        return  # the outbox: nothing to pace
    key = "telegram:" + token.partition(":")[0]
    rate, burst = sender.pacing.bot_budget()
    interval = 1.0 / rate

    async def reserve_block(count: int) -> tuple[float, float]:
        return await budgets.reserve_sends(key, interval, count)

    bot = SharedBudget(reserve_block, rate, burst, clock=sender.clock, sleep=sender.sleep)
    chat_interval = 1.0 / (sender.pacing.per_chat_per_second * SAFETY)
    _share(sender, budgets, bot, key, key + ":chat:", chat_interval)


def _share_slack(token: str, sender: PacedSender[Any], budgets: LedgerBudgets) -> None:
    if not isinstance(sender.pacing, SlackPacing):
        return
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]  # the token itself stays secret
    chat_interval = 1.0 / (sender.pacing.per_channel_per_second * SAFETY)
    _share(sender, budgets, None, None, f"slack:{digest}:", chat_interval)


def _share(
    sender: PacedSender[Any],
    budgets: LedgerBudgets,
    bot: SharedBudget | None,
    bot_key: str | None,
    chat_prefix: str,
    chat_interval: float,
) -> None:
    async def reserve_chats(sends: list[tuple[str, float]]) -> tuple[dict[str, float], float]:
        return await budgets.reserve_each(sends, chat_interval)

    sender.shared = SharedLimits(
        bot,
        ChatBudgets(reserve_chats, clock=sender.clock),
        chat_prefix=chat_prefix,
        chat_interval=chat_interval,
        bot_key=bot_key,
        hold=budgets.hold_budget,
        clock=sender.clock,
        sleep=sender.sleep,
    )


def delivery_settings(config: Config) -> DeliverySettings:
    d = config.delivery
    return DeliverySettings(
        max_attempts=d.max_attempts,
        backoff_base=d.backoff_base,
        backoff_cap=d.backoff_cap,
        lease_seconds=d.lease_seconds,
        concurrency=d.concurrency,
    )


__all__ = [
    "LedgerBudgets",
    "build_channel",
    "build_sender",
    "delivery_settings",
    "pacing_for",
    "renderer_for",
    "share_budgets",
    "telegram_sender",
]
