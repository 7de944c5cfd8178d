"""The daily schedule driven by an injected clock: no test sleeps through real minutes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digestbot.checking import Preflight, preflight
from digestbot.input_limits import InputLimits
from digestbot.model import Issue
from digestbot.notices import Language, Notices
from digestbot.sources import FetchedIssue, FolderSource
from digestbot.watcher import (
    FirstNoticeFn,
    LeadFn,
    Outcome,
    PublicationWatcher,
    Schedule,
    always_lead,
)
from tests.sample import DAY, SAMPLE, sample_with_events

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIMITS = InputLimits(max_bytes=64 * 1024, max_items=8)


class Harness:
    """A watcher over a real folder source, with a movable clock and recorded side effects."""

    def __init__(
        self,
        folder: Path,
        published: set[dt.date] | None = None,
        notices: Notices | None = None,
        *,
        lead: LeadFn = always_lead,
        first_notice: FirstNoticeFn | None = None,
    ) -> None:
        self.now = dt.datetime(2026, 4, 20, 8, 0, tzinfo=SHANGHAI)
        self.published_issues: list[Issue] = []
        self.alerts: list[str] = []
        self.alert_levels: list[int] = []
        self.ledger_days = published if published is not None else set()
        self.provider_down: str | None = None  # its deliveries stay pending after a publish
        self.watcher = PublicationWatcher(
            Schedule(dt.time(8, 30), dt.time(12, 0), dt.timedelta(minutes=5), SHANGHAI),
            FolderSource(folder),
            check=self.check,
            publish=self.publish,
            already_published=self.already_published,
            alert=self.alert,
            clock=lambda: self.now,
            notices=notices,
            lead=lead,
            first_notice=first_notice,
        )

    @staticmethod
    def check(fetched: FetchedIssue, day: dt.date) -> Preflight:
        return preflight(fetched.data, fetched.filename, limits=LIMITS, expected_date=day)

    async def publish(self, issue: Issue, fetched: FetchedIssue) -> str:
        self.published_issues.append(issue)
        if self.provider_down is not None:
            return f"{self.provider_down}: pending 5"
        self.ledger_days.add(issue.date or DAY)
        return "telegram: 3 sent"

    async def already_published(self, day: dt.date) -> bool:
        return day in self.ledger_days

    async def alert(self, text: str, *, level: int = logging.WARNING) -> None:
        self.alerts.append(text)
        self.alert_levels.append(level)

    async def run_until(self, hour: int, minute: int) -> list[tuple[str, Outcome]]:
        """Poll every 5 minutes of virtual time up to hour:minute (inclusive)."""
        outcomes = []
        end = self.now.replace(hour=hour, minute=minute)
        while self.now <= end:
            outcomes.append((self.now.strftime("%H:%M"), await self.watcher.poll()))
            self.now += dt.timedelta(minutes=5)
        return outcomes


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def publish_sample(folder: Path) -> None:
    shutil.copy(SAMPLE, folder / "2026-04-20.txt")


async def test_issue_appearing_at_0840_is_published_once_at_the_next_poll(folder: Path) -> None:
    h = Harness(folder)
    early = await h.run_until(8, 35)
    assert [o for _, o in early] == [Outcome.TOO_EARLY] * 6 + [Outcome.WAITING] * 2
    publish_sample(folder)  # the editors publish at 08:40 (between polls)
    h.now = h.now.replace(minute=40)
    rest = await h.run_until(9, 30)
    assert rest[0] == ("08:40", Outcome.PUBLISHED)
    assert all(o == Outcome.ALREADY_DONE for _, o in rest[1:])
    assert len(h.published_issues) == 1
    assert h.published_issues[0].date == DAY
    assert len(h.alerts) == 1 and h.alerts[0].startswith("✅")
    assert h.alert_levels == [logging.INFO], "a success report is not a warning"


async def test_issue_that_never_appears_gives_one_alert_at_the_deadline(folder: Path) -> None:
    h = Harness(folder)
    outcomes = await h.run_until(14, 0)
    assert h.published_issues == []
    assert len(h.alerts) == 1
    assert h.alerts[0] == (
        "⏰ 2026-04-20：截至 12:00（Asia/Shanghai）日报仍未发布。未发送任何内容，仍在继续检查。"
    )
    assert ("12:00", Outcome.LATE_ALERTED) in outcomes


async def test_yesterdays_issue_is_never_sent_as_todays(folder: Path) -> None:
    shutil.copy(SAMPLE, folder / "2026-04-19.txt")
    h = Harness(folder)
    await h.run_until(12, 5)
    assert h.published_issues == []
    assert len(h.alerts) == 1 and "截至 12:00" in h.alerts[0]


async def test_started_at_1000_with_today_unpublished_catches_up(folder: Path) -> None:
    publish_sample(folder)
    h = Harness(folder)
    h.now = h.now.replace(hour=10, minute=0)
    assert await h.watcher.poll() == Outcome.PUBLISHED
    assert len(h.published_issues) == 1


async def test_a_restart_after_publishing_sends_nothing_again(folder: Path) -> None:
    publish_sample(folder)
    ledger: set[dt.date] = set()
    first = Harness(folder, published=ledger)
    first.now = first.now.replace(hour=9)
    assert await first.watcher.poll() == Outcome.PUBLISHED
    restarted = Harness(folder, published=ledger)  # same ledger, new process
    restarted.now = restarted.now.replace(hour=9, minute=5)
    assert await restarted.watcher.poll() == Outcome.ALREADY_DONE
    assert restarted.published_issues == [] and restarted.alerts == []


async def test_malformed_issue_is_refused_once_and_admins_get_the_reasons(folder: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("今日三条结论")
    end = text.index("今日 Top 5 大事件")
    (folder / "2026-04-20.txt").write_text(text[:start] + text[end:], encoding="utf-8")
    h = Harness(folder)
    h.now = h.now.replace(hour=9)
    outcomes = await h.run_until(9, 30)
    assert {o for _, o in outcomes} == {Outcome.REFUSED}
    assert h.published_issues == []
    assert len(h.alerts) == 1 and "no conclusions" in h.alerts[0]
    # The editors fix the file: the next poll publishes it.
    publish_sample(folder)
    assert await h.watcher.poll() == Outcome.PUBLISHED


async def test_partly_published_issue_alerts_once_resumes_each_poll_then_reports_done(
    folder: Path,
) -> None:
    # Slack is down: each publish leaves its deliveries pending, so the day is not done.
    publish_sample(folder)
    h = Harness(folder)
    h.now = h.now.replace(hour=9)
    h.provider_down = "slack"
    outcomes = await h.run_until(9, 10)
    assert [o for _, o in outcomes] == [Outcome.PARTIAL] * 3
    assert len(h.published_issues) == 3, "every poll resumes the pending deliveries"
    assert h.alerts == [f"⚠️ {DAY.isoformat()} 部分发布，稍后自动重试。\nslack: pending 5"]
    h.provider_down = None  # Slack is back: this poll finishes the day
    assert await h.watcher.poll() == Outcome.PUBLISHED
    assert len(h.alerts) == 2 and h.alerts[1].startswith("✅")
    assert h.alert_levels == [logging.WARNING, logging.INFO]
    assert await h.watcher.poll() == Outcome.ALREADY_DONE
    assert len(h.published_issues) == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (sample_with_events(9), "has 9 items, over the cap of 8 per section"),
        (sample_with_events(5) + "\n" + "补充说明。" * 20_000, "over the 64 KB cap"),
    ],
    ids=["items", "size"],
)
async def test_issue_over_a_cap_is_refused_with_the_reason(
    folder: Path, text: str, reason: str
) -> None:
    (folder / "2026-04-20.txt").write_text(text, encoding="utf-8")
    h = Harness(folder)
    h.now = h.now.replace(hour=9)
    assert await h.watcher.poll() == Outcome.REFUSED
    assert h.published_issues == []
    assert len(h.alerts) == 1 and "未发送任何内容" in h.alerts[0] and reason in h.alerts[0]


async def test_warnings_reach_the_admins_in_the_publish_report(folder: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    (folder / "2026-04-20.txt").write_text(
        text.replace("https://techfront.example/", "https://techfront/"), encoding="utf-8"
    )
    h = Harness(folder)
    h.now = h.now.replace(hour=9)
    assert await h.watcher.poll() == Outcome.PUBLISHED
    (alert,) = h.alerts
    assert alert.startswith("✅") and "telegram: 3 sent" in alert
    assert "本期有 1 条警告：" in alert
    assert "URL host has no dot" in alert and "https://techfront/" in alert


async def test_admin_notices_are_in_english_when_the_config_says_so(folder: Path) -> None:
    h = Harness(folder, notices=Notices(Language.EN))
    await h.run_until(12, 0)
    assert h.alerts == [
        "⏰ 2026-04-20: the issue has not been published by the 12:00 deadline "
        "(Asia/Shanghai). Nothing was sent; still watching."
    ]
    publish_sample(folder)
    assert await h.watcher.poll() == Outcome.PUBLISHED
    assert h.alerts[1] == "✅ 2026-04-20 published.\ntelegram: 3 sent"


async def test_the_late_alert_is_remembered_in_the_store_across_a_restart(
    folder: Path, tmp_path: Path
) -> None:
    from digestbot.store import open_store

    store = open_store(f"sqlite:///{tmp_path}/ledger.db")

    async def first_notice(day: dt.date, kind: str) -> bool:
        return store.first_notice(day, kind)

    first = Harness(folder, first_notice=first_notice)
    await first.run_until(12, 30)
    restarted = Harness(folder, first_notice=first_notice)  # same store, a new process
    restarted.now = restarted.now.replace(hour=13)
    outcomes = await restarted.run_until(14, 0)
    store.close()
    assert len(first.alerts) == 1 and first.alerts[0].startswith("⏰")
    assert restarted.alerts == []
    assert {o for _, o in outcomes} == {Outcome.WAITING}


async def test_a_replica_that_does_not_lead_the_day_leaves_poll_and_report_to_the_leader(
    folder: Path,
) -> None:
    held: set[dt.date] = set()  # the advisory lock, as the replicas see it

    @contextlib.asynccontextmanager
    async def lead(day: dt.date) -> AsyncIterator[bool]:
        leading = day not in held
        held.add(day)
        try:
            yield leading
        finally:
            if leading:
                held.discard(day)

    leader, follower = Harness(folder, lead=lead), Harness(folder, lead=lead)
    follower.ledger_days = leader.ledger_days  # one ledger
    publish_sample(folder)
    leader.now = follower.now = leader.now.replace(hour=9)
    publishing = asyncio.Event()
    release = asyncio.Event()
    real_publish = leader.publish

    async def slow_publish(issue: Issue, fetched: FetchedIssue) -> str:
        publishing.set()
        await release.wait()
        return await real_publish(issue, fetched)

    leader.watcher._publish = slow_publish
    leading = asyncio.create_task(leader.watcher.poll())
    await publishing.wait()
    assert await follower.watcher.poll() is Outcome.FOLLOWING  # mid-publish: it leads
    release.set()
    assert await leading is Outcome.PUBLISHED
    assert await follower.watcher.poll() is Outcome.ALREADY_DONE
    assert follower.published_issues == [] and follower.alerts == []
    assert len(leader.alerts) == 1
