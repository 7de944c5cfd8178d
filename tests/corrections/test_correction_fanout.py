"""Corrections through the real clients to the local fakes: 200 Telegram chats, 20 Slack
channels and 200 mailboxes get an issue, then two corrections of one event field. Every
chat ends up showing the final text in the messages it already had, each edited once per
revision; nothing is sent twice; every email reader gets one notice per correction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from digestbot.model import Channel, Variant
from digestbot.rendering import Renderer, audience_of
from digestbot.store import PartAction, Status, open_store
from tests.corrections.harness import FIGURES, deliver_revision, edit_requests, revision_bytes
from tests.delivery.harness import load, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake
from tests.sample import DAY, SAMPLE

pytestmark = pytest.mark.slow

CHATS = (
    [(str(1000 + i), "top5") for i in range(150)]
    + [(str(2000 + i), "top3") for i in range(40)]
    + [(str(-100300 - i), "full") for i in range(10)]  # groups: several parts each
)
CHANNELS = [(f"C{i:07d}", "top5" if i % 2 else "top3") for i in range(20)]
MAILBOXES = [(f"reader{i}@example.org", ("top3", "top5", "full")[i % 3]) for i in range(200)]


async def test_two_corrections_reach_200_chats_20_channels_200_mailboxes_exactly_once(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake, smtp_fake: SmtpFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=CHATS,
            slack=slack_fake,
            slack_targets=CHANNELS,
            smtp=smtp_fake,
            email_targets=MAILBOXES,
        )
    )
    renderer = Renderer()
    store = open_store(config.store.url.get_secret_value())
    try:
        first = await deliver_revision(1, config, store, renderer)
        assert first.unfinished == 0
        sent_before = Counter(m.chat_id for m in telegram_fake.messages)
        posts_before = Counter(p.channel for p in slack_fake.posts)

        reports = [await deliver_revision(n, config, store, renderer) for n in (2, 3)]
        log = list(store.log(DAY))
    finally:
        store.close()

    for report in reports:
        assert report.unfinished == 0
        assert [c.label for c in report.changes] == ["事件 1 · 发生了什么"]
        assert report.runs[Channel.EMAIL].actions == Counter({PartAction.NOTICE: 200})
        assert report.runs[Channel.TELEGRAM].actions[PartAction.SEND] == 0
    assert {(row.revision, row.held_revision, row.status) for row in log} == {(3, 3, Status.SENT)}

    final = revision_bytes(3).decode()
    assert f"整体下调 {FIGURES[2]}" in final
    from digestbot.parsing import parse_issue

    issue = parse_issue(revision_bytes(3), filename=SAMPLE.name)
    # Nothing sent twice: the same messages as after the first publish, no more.
    assert Counter(m.chat_id for m in telegram_fake.messages) == sent_before
    assert Counter(p.channel for p in slack_fake.posts) == posts_before
    edits = edit_requests(telegram_fake.requests)
    for chat, variant in CHATS:
        shown = telegram_fake.shown_in(chat)
        audience = audience_of(Channel.TELEGRAM, chat)
        expected = renderer.telegram(issue, Variant(variant), audience)
        assert [m.text for m in shown] == [p.text for p in expected], chat
        # Each message: one edit request per correction (an unchanged part is answered
        # "message is not modified", which counts as done).
        assert [edits[(chat, m.message_id)] for m in shown] == [2] * len(shown), chat
    changed_in_chat = [e for e in telegram_fake.edits if e.chat_id == "1000"]
    assert [FIGURES[1] in e.text for e in changed_in_chat] == [True, False]
    assert [FIGURES[2] in e.text for e in changed_in_chat] == [False, True]

    updates = Counter((u.channel, u.ts) for u in slack_fake.updates)
    for channel, variant in CHANNELS:
        shown_posts = slack_fake.shown_in(channel)
        expected_posts = renderer.slack(issue, Variant(variant))
        assert [p.blocks for p in shown_posts] == [list(p.blocks) for p in expected_posts]
        assert [updates[(channel, p.ts)] for p in shown_posts] == [2] * len(shown_posts)

    for address, _ in MAILBOXES:
        mails = smtp_fake.messages_to(address)
        subjects = [str(m.parsed["Subject"]) for m in mails]
        assert len(mails) == 3, (address, subjects)
        assert [s.startswith("更正") for s in subjects] == [False, True, True]
    last_notice = smtp_fake.messages_to("reader0@example.org")[2].parsed
    body = last_notice.get_body(("plain",)).get_content()
    assert "事件 1 · 发生了什么" in body and FIGURES[1] in body and FIGURES[2] in body
