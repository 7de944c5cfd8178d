"""`/today 2026-04-19` answers with that day's archived issue, on Telegram (the real bot
against the fake) and through the shared grammar; a day without an issue is said plainly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from digestbot.bot import TelegramBot, TodayRequest, parse_today, staleness_note
from digestbot.bot.commands import CurrentIssue, no_issue_on
from digestbot.model import Variant
from digestbot.published import ArchivedIssues
from digestbot.rendering import Audience, Renderer
from digestbot.store import Store
from tests.bot.conftest import BotFactory
from tests.bot.test_telegram_bot import reply_count
from tests.fakes.telegram_server import TelegramFake
from tests.web.archive import publish_samples

APR19, APR20, APR21 = dt.date(2026, 4, 19), dt.date(2026, 4, 20), dt.date(2026, 4, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", TodayRequest(Variant.TOP5, None)),
        ("full", TodayRequest(Variant.FULL, None)),
        ("2026-04-16", TodayRequest(Variant.TOP5, dt.date(2026, 4, 16))),
        ("2026-04-16 top3", TodayRequest(Variant.TOP3, dt.date(2026, 4, 16))),
        ("TOP3  2026-04-16", TodayRequest(Variant.TOP3, dt.date(2026, 4, 16))),
        ("2026-02-30", None),
        ("2026-4-16", None),
        ("2026-04-16 2026-04-17", None),
        ("full top3", None),
        ("yesterday", None),
    ],
)
def test_the_today_grammar(text: str, expected: TodayRequest | None) -> None:
    assert parse_today(text, Variant.TOP5) == expected


class ArchiveOn(ArchivedIssues):
    """The real archive-backed provider, on a fixed calendar day."""

    def __init__(self, store: Store, day: dt.date) -> None:
        super().__init__(store, ZoneInfo("Asia/Shanghai"))
        self.day = day

    def today(self) -> dt.date:
        return self.day


@pytest.fixture
async def archive_bot(make_bot: BotFactory, store: Store) -> TelegramBot:
    publish_samples(store, [APR19, APR20])
    return await make_bot(issues=ArchiveOn(store, APR21), today=lambda: APR21)


async def test_a_past_day_answers_with_that_archived_issue(
    archive_bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    archived = await ArchiveOn(store, APR21).published_on(APR19)
    assert archived is not None and archived.date == APR19
    telegram_fake.push_message("42", "/today 2026-04-19 top3")
    [digest] = await reply_count(telegram_fake, "42", 1)
    assert digest.text == Renderer().telegram(archived, Variant.TOP3, Audience.CHAT)[0].text
    assert "（2026-04-19）" in digest.text and "尚未发布" not in digest.text


async def test_a_day_without_an_issue_is_said_plainly(
    archive_bot: TelegramBot, telegram_fake: TelegramFake
) -> None:
    telegram_fake.push_message("42", "/today 2026-04-18")
    telegram_fake.push_message("43", "/today 2026-05-01")
    [missing] = await reply_count(telegram_fake, "42", 1)
    [future] = await reply_count(telegram_fake, "43", 1)
    assert missing.text == no_issue_on(dt.date(2026, 4, 18), APR21)
    assert "没有发布日报" in missing.text and "/today" in missing.text
    assert future.text == no_issue_on(dt.date(2026, 5, 1), APR21) and "还没到" in future.text


async def test_before_today_is_out_today_says_so_and_offers_the_latest(
    archive_bot: TelegramBot, telegram_fake: TelegramFake, store: Store
) -> None:
    latest = await ArchiveOn(store, APR21).published_on(APR20)
    assert latest is not None
    note = staleness_note(CurrentIssue(latest, is_today=False), APR21)
    assert note is not None and "2026-04-21" in note and "2026-04-20" in note
    telegram_fake.push_message("42", "/today top3")
    [digest] = await reply_count(telegram_fake, "42", 1)
    assert digest.text.startswith(note + "\n\n")
    assert "（2026-04-20）" in digest.text
