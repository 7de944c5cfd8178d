"""`digestbot retract DATE --reason TEXT` against the fakes: every message of the issue deleted
(read back from what the fakes show), each email reader told once, the web and /today no
longer serving it, the refusals recorded and reported, and a rerun making no request at all."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from digestbot.published import ArchivedIssues
from digestbot.store import open_store
from tests.delivery.harness import DAY, SAMPLE, write_config
from tests.delivery.test_cli import invoke
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake
from tests.web.conftest import client_for, make_site

REASON = "第 2 条事件的融资金额有误"
ADMIN = "777"
CHATS = [("1001", "top3"), ("1002", "full"), ("-1001", "top5"), ("1003", "full")]
CHANNELS = [("C0000001", "full"), ("C0000002", "top3")]
MAILBOXES = [("a@example.org", "top3"), ("b@example.org", "full")]


def _config(tmp_path: Path, telegram: TelegramFake, slack: SlackFake, smtp: SmtpFake) -> Path:
    return write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        telegram=telegram,
        telegram_targets=CHATS,
        admin_chat_ids=[ADMIN],
        slack=slack,
        slack_targets=CHANNELS,
        smtp=smtp,
        email_targets=MAILBOXES,
    )


def _requests(telegram: TelegramFake, slack: SlackFake, smtp: SmtpFake) -> tuple[int, ...]:
    return len(telegram.requests), len(slack.requests), len(smtp.messages)


def _notice_text(smtp: SmtpFake, address: str) -> tuple[str, str]:
    *_, notice = smtp.messages_to(address)
    body = notice.parsed.get_body(("plain",))
    assert body is not None
    return str(notice.parsed["Subject"]), body.get_content()


async def _served(db: Path) -> tuple[int, int, bool, str | None]:
    """What the web (issue page, feed) and /today (on Telegram and Slack alike) serve."""
    store = open_store(f"sqlite:///{db}")
    try:
        async with client_for(store, make_site(store, "https://digest.example.org")) as client:
            page = await client.get(f"/issues/{DAY.isoformat()}")
            feed = await client.get("/feed.xml")
        issues = ArchivedIssues(store, ZoneInfo("Asia/Shanghai"))
        current = await issues.current()
        on_day = await issues.published_on(DAY)
    finally:
        store.close()
    listed = DAY.isoformat() in feed.text if feed.status_code == 200 else False
    return page.status_code, feed.status_code, listed or on_day is not None, (
        current.issue.date_iso if current is not None else None
    )


def test_retract_deletes_every_message_tells_each_reader_once_and_reruns_make_no_request(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake, smtp_fake: SmtpFake
) -> None:
    config = _config(tmp_path, telegram_fake, slack_fake, smtp_fake)
    code, _, err = invoke(config, "publish", "--file", str(SAMPLE))
    assert code == 0, err
    sent = {(m.chat_id, m.message_id) for m in telegram_fake.messages}
    posted = [(p.channel, p.ts, p.thread_ts) for p in slack_fake.posts]
    assert len(sent) > len(CHATS) and any(thread for *_, thread in posted), "multi-part digests"
    assert asyncio.run(_served(tmp_path / "ledger.db"))[0] == 200

    code, out, err = invoke(config, "retract", DAY.isoformat(), "--reason", REASON, "--json")

    assert code == 0, err
    for chat, _ in CHATS:
        assert telegram_fake.shown_in(chat) == [], chat
    assert sorted(telegram_fake.deletions) == sorted(sent), "each message deleted exactly once"
    for channel, _ in CHANNELS:
        assert slack_fake.shown_in(channel) == [], channel
    assert sorted(slack_fake.deletions) == sorted((c, ts) for c, ts, _ in posted)
    for channel, ts, thread in posted:  # thread replies go before their parent
        if thread is not None:
            order = slack_fake.deletions.index
            assert order((channel, ts)) < order((channel, thread))
    for address, _ in MAILBOXES:
        assert len(smtp_fake.messages_to(address)) == 2, "the digest, then one notice"
        subject, text = _notice_text(smtp_fake, address)
        assert subject.startswith("撤回") and DAY.isoformat() in subject
        assert REASON in text
    [report] = [m.text for m in telegram_fake.messages_to(ADMIN)]
    assert REASON in report and f"telegram：已删除 {len(sent)}" in report
    summary = json.loads(out)
    assert summary["unfinished"] == 0 and summary["not_deletable"] == []
    assert summary["channels"]["telegram"]["deleted"] == len(sent)
    assert summary["channels"]["slack"]["deleted"] == len(posted)
    assert summary["channels"]["email"]["notified"] == len(MAILBOXES)
    assert telegram_fake.rate_limited == 0 and slack_fake.rate_limited == 0

    page, feed, still_served, today = asyncio.run(_served(tmp_path / "ledger.db"))
    assert page == 404 and feed == 200 and not still_served and today is None

    code, out, _ = invoke(config, "log", "--date", DAY.isoformat(), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(CHATS) + len(CHANNELS) + len(MAILBOXES)
    assert {r["retraction"]["state"] for r in rows if r["channel"] != "email"} == {"deleted"}
    assert {r["retraction"]["state"] for r in rows if r["channel"] == "email"} == {"notified"}

    before = _requests(telegram_fake, slack_fake, smtp_fake)
    code, out, err = invoke(config, "retract", DAY.isoformat(), "--reason", REASON, "--json")
    assert code == 0, err
    assert _requests(telegram_fake, slack_fake, smtp_fake) == before, "a rerun changes nothing"
    assert json.loads(out)["channels"]["telegram"]["deleted"] == len(sent)


def test_a_message_telegram_will_not_delete_is_recorded_reported_and_never_retried(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake, smtp_fake: SmtpFake
) -> None:
    config = _config(tmp_path, telegram_fake, slack_fake, smtp_fake)
    assert invoke(config, "publish", "--file", str(SAMPLE))[0] == 0
    telegram_fake.age("-1001", hours=49)  # "message can't be deleted" after 48 hours

    code, out, _ = invoke(config, "retract", DAY.isoformat(), "--reason", REASON, "--json")

    assert code == 1, "something stays: not everything could be taken back"
    summary = json.loads(out)
    [kept] = summary["not_deletable"]
    assert kept["channel"] == "telegram" and kept["target"] == "-1001"
    assert "can't be deleted" in kept["error"]
    assert summary["channels"]["telegram"]["not_deletable"] == 1
    assert len(telegram_fake.shown_in("-1001")) == 1, "it stays where it is"
    for chat, _ in CHATS:
        if chat != "-1001":
            assert telegram_fake.shown_in(chat) == [], chat
    [report] = [m.text for m in telegram_fake.messages_to(ADMIN)]
    assert "无法删除 1" in report and "-1001" in report
    deletes = [r for r in telegram_fake.requests if r.method == "deleteMessage"]
    refusals = [r for r in deletes if r.status == 400]
    assert len(refusals) == 1, "asked once, never again within the run"

    before = _requests(telegram_fake, slack_fake, smtp_fake)
    code, out, _ = invoke(config, "retract", DAY.isoformat(), "--reason", REASON)
    assert code == 1 and "not deletable: telegram -1001" in out + _
    assert _requests(telegram_fake, slack_fake, smtp_fake) == before, "never retried"


def test_retracting_a_day_never_published_is_a_clear_error(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake, smtp_fake: SmtpFake
) -> None:
    config = _config(tmp_path, telegram_fake, slack_fake, smtp_fake)
    code, _, err = invoke(config, "retract", "2026-04-21", "--reason", REASON)
    assert code == 2 and "nothing was published for 2026-04-21" in err
    code, _, err = invoke(config, "retract", DAY.isoformat(), "--reason", "  ")
    assert code == 2 and "--reason" in err
    assert len(telegram_fake.requests) == len(slack_fake.requests) == len(smtp_fake.messages) == 0
