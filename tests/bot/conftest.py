"""The bot runs for real against the local Telegram fake: updates go in through getUpdates,
replies come out as the fake's recorded messages."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from digestbot.bot import CurrentIssue, TelegramBot
from digestbot.channels.telegram import TelegramChannel
from digestbot.delivery import PacedSender, TelegramPacing
from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer
from digestbot.store import Store, open_store
from tests.fakes import fixtures
from tests.fakes.telegram_server import TelegramFake

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "2026-04-20.txt"
ISSUE_DATE = dt.date(2026, 4, 20)
ADMIN_CHAT = "900"
T = TypeVar("T")

telegram_fake = fixtures.telegram_fake  # pytest finds fixtures by name in conftest


@dataclass
class FixedIssues:
    """An IssueProvider whose answer the test sets."""

    current_issue: CurrentIssue | None

    async def current(self) -> CurrentIssue | None:
        return self.current_issue

    async def published_on(self, day: dt.date) -> Issue | None:
        found = self.current_issue
        return found.issue if found is not None and found.issue.date == day else None


async def eventually(check: Callable[[], T], timeout: float = 10.0) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {value!r})")
        await asyncio.sleep(0.02)


@pytest.fixture(scope="session")
def issue() -> Issue:
    return parse_issue(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def issues(issue: Issue) -> FixedIssues:
    return FixedIssues(CurrentIssue(issue, is_today=True))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path}/bot.db")
    yield store
    store.close()


BotFactory = Callable[..., Awaitable[TelegramBot]]


@pytest.fixture
async def make_bot(
    telegram_fake: TelegramFake, store: Store, issues: FixedIssues
) -> AsyncIterator[BotFactory]:
    """Start a bot polling the fake (keyword arguments override the defaults); all the bots
    started are stopped at the end of the test."""
    started: list[TelegramBot] = []

    async def make(**overrides: Any) -> TelegramBot:
        options: dict[str, Any] = {
            "store": store,
            "renderer": Renderer(),
            "issues": issues,
            "admin_chat_ids": [ADMIN_CHAT],
            "today": lambda: ISSUE_DATE,
            "poll_timeout": 1.0,
            **overrides,
        }
        channel = TelegramChannel(telegram_fake.token, telegram_fake.url)
        sender = PacedSender(channel, TelegramPacing())
        bot = TelegramBot(sender, **options)
        await bot.start()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        await bot.stop()


@pytest.fixture
async def bot(make_bot: BotFactory) -> TelegramBot:
    return await make_bot()
