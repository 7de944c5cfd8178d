"""The Telegram bot assembled: /start, /stop, /format, /today, /help, /status over long polling,
membership changes, and admin alerts, on one shared Telegram sender.

The parts each do one job: `application` (PTB wiring and lifecycle), `subscription` and
`reading` (command handlers), `membership` (chat membership updates), `alerts` (admin notices),
`access` (budgets and permissions), `replies` (answering through the shared sender)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Protocol

from digestbot.bot.access import Access
from digestbot.bot.alerts import AdminAlerts
from digestbot.bot.application import TelegramApp
from digestbot.bot.commands import IssueProvider
from digestbot.bot.membership import MembershipHandlers, MembershipStore
from digestbot.bot.reading import ReadingHandlers, ReadingStore, StatusText
from digestbot.bot.replies import Replies
from digestbot.bot.subscription import SubscriptionHandlers
from digestbot.channels.telegram import TelegramChannel
from digestbot.config import TelegramConfig
from digestbot.delivery import PacedSender, telegram_sender
from digestbot.rendering import Renderer


class BotStore(ReadingStore, MembershipStore, Protocol):
    """Everything the bot's handlers ask of the store."""


class TelegramBot:
    """Readers' commands on Telegram; see the module docstring. Everything it sends goes
    through `sender`, which publishing may share so both count against one set of limits."""

    def __init__(
        self,
        sender: PacedSender[TelegramChannel],
        *,
        store: BotStore,
        renderer: Renderer,
        issues: IssueProvider,
        admin_chat_ids: Collection[str] = (),
        status_text: StatusText | None = None,
        today_per_user: tuple[int, float] = (3, 60.0),
        commands_per_user: tuple[int, float] = (20, 60.0),
        today: Callable[[], dt.date] = dt.date.today,
        clock: Callable[[], float] | None = None,
        poll_timeout: float = 10.0,
    ) -> None:
        self.sender = sender
        replies = Replies(sender)
        access = Access(
            sender.channel.bot,
            replies,
            admin_chat_ids=admin_chat_ids,
            today_per_user=today_per_user,
            commands_per_user=commands_per_user,
            clock=clock,
        )
        self.alerts = AdminAlerts(sender, admin_chat_ids)
        handlers = [
            *SubscriptionHandlers(store, replies, access).handlers(),
            *ReadingHandlers(
                store, renderer, issues, replies, access, status_text=status_text, today=today
            ).handlers(),
            *MembershipHandlers(store).handlers(),
        ]
        self.application = TelegramApp(sender, handlers, poll_timeout=poll_timeout)

    @classmethod
    def from_config(
        cls,
        config: TelegramConfig,
        *,
        store: BotStore,
        renderer: Renderer,
        issues: IssueProvider,
        sender: PacedSender[TelegramChannel] | None = None,
        status_text: StatusText | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> TelegramBot:
        """The bot as `[telegram]` describes it; `sender` when the process already has one."""
        return cls(
            sender or telegram_sender(config),
            store=store,
            renderer=renderer,
            issues=issues,
            admin_chat_ids=config.admin_chat_ids,
            status_text=status_text,
            today=today,
        )

    async def start(self) -> None:
        await self.application.start()

    async def stop(self) -> None:
        await self.application.stop()

    async def send_admin_alert(self, text: str) -> int:
        return await self.alerts.send(text)


__all__ = ["BotStore", "TelegramBot"]
