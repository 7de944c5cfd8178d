"""An answer about the whole channel (a wrong or revoked token, a refused SMTP login, a mail
server gone) stops that channel at once: its targets stay pending, never failed, the admins
hear of it, the other channels go on, and `retry` finishes them after the fix."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.delivery import publish
from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import Status, Store, open_store
from tests.delivery.harness import DAY, SAMPLE, SMTP_PASSWORD, load, sample_issue, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path}/ledger.db")


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_slack_token_wrong_then_fixed_then_retry_delivers_every_channel(
    tmp_path: Path, slack_fake: SlackFake, telegram_fake: TelegramFake
) -> None:
    channels = [f"C00000{i:02d}" for i in range(12)]
    slack_fake.token = "xoxb-the-real-one"
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        slack=slack_fake,
        slack_targets=[(c, "top3") for c in channels],
        telegram=telegram_fake,
        telegram_targets=[("7001", "top3")],
    )
    right = config.read_text().replace("admin_chat_ids = []", 'admin_chat_ids = ["900"]')
    config.write_text(right.replace('"xoxb-the-real-one"', '"xoxb-typed-wrong-by-hand"'))

    def stopped_alerts() -> list[str]:
        return [m.text for m in telegram_fake.messages_to("900") if "已停止发送" in m.text]

    result = runner.invoke(app, ["--config", str(config), "publish", "--file", str(SAMPLE)])
    assert result.exit_code == 1, result.stderr
    assert "invalid_auth" in result.stderr and "stay pending" in result.stderr
    assert "Traceback" not in result.stderr
    # One request learned that the token is wrong; no post was tried per channel.
    assert slack_fake.errors == [("auth.test", "invalid_auth")]
    assert slack_fake.requests == [("auth.test", 200)]
    assert slack_fake.posts == []
    # The other channel was not held up, and the admins were told, once.
    assert len(telegram_fake.messages_to("7001")) == 1
    (alert,) = stopped_alerts()
    assert "slack" in alert and "invalid_auth" in alert and "digestbot retry" in alert
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    try:
        assert store.summary(DAY)[Channel.SLACK] == Counter({Status.PENDING: len(channels)})
    finally:
        store.close()

    config.write_text(right)  # the operator fixes the token
    result = runner.invoke(app, ["--config", str(config), "retry"])
    assert result.exit_code == 0, result.stderr
    for channel in channels:
        assert len(slack_fake.posts_to(channel)) == 1
    assert slack_fake.errors == [("auth.test", "invalid_auth")], "one invalid_auth, ever"
    assert len(telegram_fake.messages_to("7001")) == 1, "retry sent nothing twice"
    assert len(stopped_alerts()) == 1, "nothing stopped this time"


async def test_a_token_revoked_mid_run_stops_the_channel_with_every_rest_pending(
    tmp_path: Path, store: Store, slack_fake: SlackFake
) -> None:
    channels = [f"C0000{i:03d}" for i in range(120)]
    slack_fake.revoke_after(5, "token_revoked")
    config = load(
        write_config(
            tmp_path,
            store_url=_url(store),
            slack=slack_fake,
            slack_targets=[(c, "top3") for c in channels],
            channel_keys={"slack": "connections = 4"},
        )
    )
    told: list[tuple[Channel, str]] = []

    async def alert(channel: Channel, error: str) -> None:
        told.append((channel, error))

    report = await publish(sample_issue(), config, store, Renderer(), alert=alert)

    counts = report.ledger[Channel.SLACK]
    assert counts[Status.SENT] == 5
    assert counts[Status.FAILED] == 0 and counts[Status.UNCERTAIN] == 0
    assert counts[Status.PENDING] == len(channels) - 5
    refused = [m for m, e in slack_fake.errors if e == "token_revoked"]
    assert set(refused) == {"chat.postMessage"}
    # Requests already out when the first refusal came back also come back refused; nothing
    # leaves after it: at most one per connection.
    assert 1 <= len(refused) <= 4
    assert told == [(Channel.SLACK, "slack: token_revoked")]
    rows = {row.target: row for row in store.log(issue_date=DAY, channel="slack")}
    refused_rows = [r for r in rows.values() if r.last_error == "slack: token_revoked"]
    assert len(refused_rows) == len(refused), "the reason is recorded where it was answered"

    slack_fake.refused_tokens.clear()  # a new token, same value in the fake
    report = await publish(sample_issue(), config, store, Renderer(), record=False)
    assert report.ledger[Channel.SLACK] == Counter({Status.SENT: len(channels)})
    assert all(len(slack_fake.posts_to(c)) == 1 for c in channels)


async def test_a_refused_smtp_login_costs_one_attempt_and_retry_sends_after_the_fix(
    tmp_path: Path, store: Store
) -> None:
    with SmtpFake(username="digest", password="the-new-password") as smtp:
        mailboxes = [f"reader{i}@example.org" for i in range(30)]
        config = load(
            write_config(
                tmp_path,
                store_url=_url(store),
                smtp=smtp,
                email_targets=[(m, "top3") for m in mailboxes],
            )
        )
        report = await publish(sample_issue(), config, store, Renderer())
        assert report.ledger[Channel.EMAIL] == Counter({Status.PENDING: len(mailboxes)})
        assert "authentication failed (535)" in (report.runs[Channel.EMAIL].error or "")
        # One connection, one login (aiosmtplib tries each mechanism offered: PLAIN, LOGIN).
        assert smtp.ehlo_count == 1
        assert smtp.auth_attempts <= 2
        assert smtp.messages == []

        smtp.password = SMTP_PASSWORD  # the mail provider now has the configured password
        report = await publish(sample_issue(), config, store, Renderer(), record=False)
        assert report.ledger[Channel.EMAIL] == Counter({Status.SENT: len(mailboxes)})
        assert sorted(a for m in smtp.messages for a in m.rcpt_tos) == sorted(mailboxes)


async def test_a_mail_server_gone_mid_run_leaves_the_rest_pending_for_the_next_run(
    tmp_path: Path, store: Store
) -> None:
    """The server stops after a few messages and stays away: the channel stops (its probes
    back off, they are not one try per recipient); nobody is failed, and the next run, with
    the server back, finishes everyone."""
    first = SmtpFake().start()
    port = first.port
    mailboxes = [f"reader{i}@example.org" for i in range(40)]
    config = load(
        write_config(
            tmp_path,
            store_url=_url(store),
            smtp=first,
            email_targets=[(m, "top3") for m in mailboxes],
            delivery="max_attempts = 3\nbackoff_base = 0.05\nbackoff_cap = 0.1\nconcurrency = 10",
            channel_keys={"email": "connections = 2"},
        )
    )

    def stop_after_five() -> None:
        while first.accepted < 5:
            threading.Event().wait(0.002)
        first.stop()

    stopper = threading.Thread(target=stop_after_five)
    stopper.start()
    try:
        report = await publish(sample_issue(), config, store, Renderer())
    finally:
        await asyncio.to_thread(stopper.join)
        first.stop()
    counts = report.ledger[Channel.EMAIL]
    assert counts[Status.FAILED] == 0
    assert counts[Status.PENDING] > 0
    assert "connect failed" in (report.runs[Channel.EMAIL].error or "")

    with SmtpFake(port=port) as second:
        report = await publish(sample_issue(), config, store, Renderer(), record=False)
        arrived = [a for fake in (first, second) for m in fake.messages for a in m.rcpt_tos]
    counts = report.ledger[Channel.EMAIL]
    assert counts[Status.PENDING] == 0 and counts[Status.FAILED] == 0
    # A message whose DATA was out when the server went is uncertain, never resent.
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == len(mailboxes)
    assert len(arrived) == len(set(arrived)), "nobody got it twice"
    assert len(arrived) >= counts[Status.SENT]
