"""Each provider fault ends in the documented ledger status, with no retry storm."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import httpx
import pytest

from digestbot.delivery import publish
from digestbot.rendering import Renderer
from digestbot.store import LogRow, OffLoopLedger, Status, Store, open_store
from tests.delivery.harness import DAY, SMTP_PASSWORD, load, sample_issue, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow


def rows(store: Store, channel: str) -> dict[str, LogRow]:
    return {row.target: row for row in store.log(issue_date=DAY, channel=channel)}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path}/ledger.db")


async def test_telegram_faults_end_in_their_documented_status(
    tmp_path: Path, store: Store, telegram_fake: TelegramFake
) -> None:
    telegram_fake.block("201")
    telegram_fake.kick("-100202")
    telegram_fake.forget("203")
    telegram_fake.migrate("-204", "-100204")
    telegram_fake.fail_next(2, status=502, chat_id="205")
    targets = [(chat, "top3") for chat in ("200", "201", "-100202", "203", "-204", "205")]
    store.subscribe("telegram", "201", "top3")  # type: ignore[arg-type]
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            telegram=telegram_fake,
            telegram_targets=targets,
        )
    )
    report = await publish(sample_issue(), config, store, Renderer())

    log = rows(store, "telegram")
    assert log["200"].status is Status.SENT
    # 403 blocked / kicked → skipped, and the subscriber is deactivated.
    assert log["201"].status is Status.SKIPPED
    assert "blocked" in (log["201"].last_error or "")
    assert log["-100202"].status is Status.SKIPPED
    sub = store.get_subscriber("telegram", "201")
    assert sub is not None and not sub.active
    # chat not found → failed after exactly one request (no retry storm).
    assert log["203"].status is Status.FAILED
    assert log["203"].attempts == 1
    assert sum(1 for r in telegram_fake.requests if r.params.get("chat_id") == "203") == 1
    # group migrated → followed to the new id, the ledger row moved with it.
    assert "-204" not in log
    assert log["-100204"].status is Status.SENT
    assert store.resolve_targets("telegram", ["-204"]) == {"-204": "-100204"}
    assert len(telegram_fake.messages_to("-100204")) == 1
    # 5xx twice → retried with backoff, then sent once.
    assert log["205"].status is Status.SENT
    assert log["205"].attempts == 3
    assert len(telegram_fake.messages_to("205")) == 1
    assert report.unfinished == 1  # only the chat that does not exist

    # Next day's fan-out neither tries the blocked chat nor the migrated id's old self.
    assert store.resolve_targets("telegram", ["-204"]) == {"-204": "-100204"}


async def test_a_read_timeout_is_uncertain_and_only_retry_uncertain_resends(
    tmp_path: Path, store: Store, telegram_fake: TelegramFake
) -> None:
    from digestbot.channels import TelegramChannel
    from digestbot.delivery import (
        ChannelJob,
        DeliverySettings,
        Fanout,
        PacedSender,
        TelegramPacing,
    )
    from digestbot.delivery.publishing import render_all

    telegram_fake.slow("301", delay=2.0, times=1)
    issue = sample_issue()
    renderer = Renderer()
    payloads = render_all(renderer, issue, "telegram").broadcast
    store.ensure_deliveries(
        DAY,
        "telegram",
        [("300", "top3"), ("301", "top3")],  # type: ignore[list-item]
        {v: len(p) for v, p in payloads.items()},
    )
    channel = TelegramChannel(
        telegram_fake.token, telegram_fake.url + "/bot", read_timeout=0.5
    )
    job = ChannelJob("telegram", PacedSender(channel, TelegramPacing()), payloads)
    settings = DeliverySettings(backoff_base=0.01, backoff_cap=0.05)
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(ledger, settings, owner="t")
        await fanout.run(DAY, job)
        log = rows(store, "telegram")
        assert log["301"].status is Status.UNCERTAIN
        assert len(telegram_fake.messages_to("301")) == 1  # it did arrive
        # A plain re-run leaves the uncertain part alone: no silent duplicate.
        await fanout.run(DAY, job)
        assert len(telegram_fake.messages_to("301")) == 1
        # The operator accepts the risk: `retry --uncertain` resends it.
        assert store.reset_uncertain(DAY) == 1
        await fanout.run(DAY, job)
    assert rows(store, "telegram")["301"].status is Status.SENT
    assert len(telegram_fake.messages_to("301")) == 2


async def test_slack_faults(tmp_path: Path, store: Store, slack_fake: SlackFake) -> None:
    slack_fake.not_found("C0000404")
    slack_fake.archive("C000ARCH")
    slack_fake.fail_next(1, status=500, channel="C0000500")
    targets = [
        ("C00000OK", "full"),
        ("C0000404", "top3"),
        ("C000ARCH", "top3"),
        ("C0000500", "top3"),
    ]
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            slack=slack_fake,
            slack_targets=targets,
        )
    )
    await publish(sample_issue(), config, store, Renderer())
    log = rows(store, "slack")
    assert log["C00000OK"].status is Status.SENT
    assert log["C0000404"].status is Status.FAILED and log["C0000404"].attempts == 1
    assert log["C000ARCH"].status is Status.SKIPPED
    assert log["C0000500"].status is Status.SENT and log["C0000500"].attempts == 2


async def test_smtp_450_is_retried_and_550_fails_permanently(
    tmp_path: Path, store: Store, smtp_fake: SmtpFake
) -> None:
    smtp_fake.refuse("full@example.org", 450)
    smtp_fake.refuse("gone@example.org", 550)
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            smtp=smtp_fake,
            email_targets=[
                (a, "top3") for a in ("ok@example.org", "full@example.org", "gone@example.org")
            ],
            delivery="max_attempts = 3\nbackoff_base = 0.01\nbackoff_cap = 0.05",
        )
    )
    await publish(sample_issue(), config, store, Renderer())
    log = rows(store, "email")
    assert log["ok@example.org"].status is Status.SENT
    assert log["full@example.org"].status is Status.FAILED
    assert log["full@example.org"].attempts == 3  # retried up to max_attempts
    assert log["gone@example.org"].status is Status.FAILED
    assert log["gone@example.org"].attempts == 1
    # The mailbox frees up: `retry` reopens the transient failure only.
    smtp_fake.refused.pop("full@example.org")
    assert store.reset_failed_transient(DAY) == 1
    await publish(sample_issue(), config, store, Renderer(), record=False)
    assert rows(store, "email")["full@example.org"].status is Status.SENT
    assert rows(store, "email")["gone@example.org"].status is Status.FAILED


async def test_secrets_never_appear_in_logs_during_a_run_with_faults(
    tmp_path: Path,
    store: Store,
    telegram_fake: TelegramFake,
    slack_fake: SlackFake,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.fakes.smtp_server import SmtpFake

    telegram_fake.fail_next(3, status=502)
    telegram_fake.forget("403")
    slack_fake.fail_next(2, status=500)
    with SmtpFake(username="digest", password=SMTP_PASSWORD) as smtp:
        smtp.refuse("full@example.org", 450)
        config = load(
            write_config(
                tmp_path,
                store_url=store.engine.url.render_as_string(hide_password=False),
                telegram=telegram_fake,
                telegram_targets=[("401", "top3"), ("403", "top3")],
                slack=slack_fake,
                slack_targets=[("C0000001", "top3")],
                smtp=smtp,
                email_targets=[("full@example.org", "top3"), ("ok@example.org", "top3")],
                delivery="max_attempts = 2\nbackoff_base = 0.01\nbackoff_cap = 0.05",
            )
        )
        with caplog.at_level(logging.DEBUG):
            await publish(sample_issue(), config, store, Renderer())
    text = caplog.text + "".join(str(r.getMessage()) for r in caplog.records)
    assert caplog.records, "the run must have logged something for this test to mean anything"
    for secret in (telegram_fake.token, slack_fake.token, SMTP_PASSWORD):
        assert secret not in text
    for row in store.log(issue_date=DAY):
        for secret in (telegram_fake.token, slack_fake.token, SMTP_PASSWORD):
            assert secret not in (row.last_error or "")


async def test_a_provider_down_at_login_leaves_deliveries_pending_for_the_next_run(
    tmp_path: Path, store: Store, telegram_fake: TelegramFake
) -> None:
    telegram_fake.fail_next(10, status=502)  # getMe and everything after it
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            telegram=telegram_fake,
            telegram_targets=[("501", "top3")],
            delivery="max_attempts = 2\nbackoff_base = 0.01\nbackoff_cap = 0.05",
        )
    )
    report = await publish(sample_issue(), config, store, Renderer())
    assert report.runs["telegram"].error is not None
    assert "Bad Gateway" in report.runs["telegram"].error
    assert report.ledger["telegram"] == Counter({Status.PENDING: 1})
    telegram_fake.clear_faults()
    telegram_fake.fail_next(0)
    report = await publish(sample_issue(), config, store, Renderer())
    assert report.ledger["telegram"] == Counter({Status.SENT: 1})
    assert len(telegram_fake.messages_to("501")) == 1


async def test_telegram_429_is_honoured_and_everything_still_arrives_once(
    tmp_path: Path, store: Store, telegram_fake: TelegramFake
) -> None:
    # Our pacing told to go 4x faster than the chat allows: the fake answers 429 with
    # retry_after, and the fan-out must wait that long rather than lose or repeat anything.
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            telegram=telegram_fake,
            telegram_targets=[("601", "full"), ("602", "full")],
            telegram_rate="per_chat_per_second = 4.0",
        )
    )
    issue = sample_issue()
    parts = Renderer().telegram(issue, "full")
    assert len(parts) >= 2, "the full variant must need several messages for this test"
    report = await publish(issue, config, store, Renderer())
    assert report.unfinished == 0
    assert telegram_fake.rate_limited > 0, "the fake must have pushed back"
    assert report.runs["telegram"].rate_limited == telegram_fake.rate_limited
    for chat in ("601", "602"):
        assert [m.text for m in telegram_fake.messages_to(chat)] == [p.text for p in parts]


async def test_slack_429_retry_after_is_honoured_in_order(
    tmp_path: Path, store: Store, slack_fake: SlackFake
) -> None:
    config_path = write_config(
        tmp_path,
        store_url=store.engine.url.render_as_string(hide_password=False),
        slack=slack_fake,
        slack_targets=[("C0000601", "full")],
    )
    config_path.write_text(
        config_path.read_text() + "\n[slack.rate]\nper_channel_per_second = 20.0\n"
    )
    config = load(config_path)
    issue = sample_issue()
    expected = Renderer().slack(issue, "full")
    # Someone else (another app on the same token) just used up the channel's second.
    async with httpx.AsyncClient() as client:
        await client.post(
            f"{slack_fake.api_url}chat.postMessage",
            headers={"Authorization": f"Bearer {slack_fake.token}"},
            json={"channel": "C0000601", "text": "someone else"},
        )
    report = await publish(issue, config, store, Renderer())
    posts = [p for p in slack_fake.posts_to("C0000601") if p.text != "someone else"]
    assert [p.text for p in posts] == [m.text for m in expected]
    assert all(p.thread_ts == posts[0].ts for p in posts[1:])
    assert report.unfinished == 0
    assert slack_fake.rate_limited > 0
    assert report.runs["slack"].rate_limited == slack_fake.rate_limited
