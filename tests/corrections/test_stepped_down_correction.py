"""A correction of a delivery that was stepped down (the platform refused its form, a smaller
one went: `deliveries.form`) edits the messages of the form the target actually holds, in that
form, through `digestbot correct`. The fakes keep refusing the bigger form for edits too (the
platforms check an edit's text like a new message's): replanning the delivery by its
variant's parts count, or editing in the refused form, fails here."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.parsing import parse_issue
from digestbot.payloads import SlackMessage
from digestbot.rendering import Audience, Renderer
from digestbot.store import open_store
from tests.corrections.harness import FIGURES, edit_requests, revision_bytes
from tests.delivery.harness import write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_html import parse_html, utf16_len
from tests.fakes.telegram_server import TelegramFake
from tests.sample import DAY, SAMPLE

pytestmark = pytest.mark.slow

runner = CliRunner()
# Both get "full" (2 parts), refused for its length, and are stepped down to top5 (1 part),
# which shows the corrected figure.
GROUP = "-1008101"
CHANNEL = "C0000801"
SMALL_GROUP = "-1008102"  # top5 from the start: no step-down


def _telegram_size(text: str) -> int:
    return utf16_len(parse_html(text)[0])


def _slack_size(message: SlackMessage) -> int:
    """What the Slack fake's `longer_than` measures."""
    return len(json.dumps(list(message.blocks), ensure_ascii=False)) + len(message.text or "")


def _write(folder: Path, number: int) -> Path:
    path = folder / f"r{number}" / SAMPLE.name
    path.parent.mkdir()
    path.write_bytes(revision_bytes(number))
    return path


def test_correct_edits_the_stepped_down_form_on_telegram_and_slack(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake
) -> None:
    renderer = Renderer()
    issues = [parse_issue(revision_bytes(n), filename=SAMPLE.name) for n in (1, 2)]
    full = renderer.telegram(issues[0], "full", Audience.BROADCAST)
    top5 = [renderer.telegram(i, "top5", Audience.BROADCAST) for i in issues]
    slack_full = renderer.slack(issues[0], "full")
    slack_top5 = [renderer.slack(i, "top5") for i in issues]
    assert len(full) == len(slack_full) == 2 and len(top5[0]) == len(slack_top5[0]) == 1
    assert FIGURES[1] in top5[1][0].text, "precondition: the smaller form shows the change"
    telegram_limit = max(_telegram_size(m.text) for form in top5 for m in form)
    assert _telegram_size(full[0].text) > telegram_limit
    slack_limit = max(_slack_size(m) for form in slack_top5 for m in form)
    assert _slack_size(slack_full[0]) > slack_limit
    telegram_fake.refuse_form(longer_than=telegram_limit)
    slack_fake.refuse_form(longer_than=slack_limit)
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[(GROUP, "full"), (SMALL_GROUP, "top5")],
        slack=slack_fake,
        slack_targets=[(CHANNEL, "full")],
    )
    first, fixed = _write(tmp_path, 1), _write(tmp_path, 2)

    result = runner.invoke(
        app, ["--config", str(config), "publish", "--file", str(first), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    channels = json.loads(result.stdout)["channels"]
    assert channels["telegram"]["stepped_down"] == {"top5": 1}
    assert channels["slack"]["stepped_down"] == {"top5": 1}
    sent_before = Counter(m.chat_id for m in telegram_fake.messages)
    posts_before = len(slack_fake.posts)

    result = runner.invoke(
        app,
        ["--config", str(config), "correct", DAY.isoformat(), "--file", str(fixed), "--json"],
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    summary = json.loads(result.stdout)["channels"]
    assert summary["telegram"]["actions"] == {"edit": 2}
    assert summary["slack"]["actions"] == {"edit": 1}

    # Nothing sent anew: the message each target had was edited in place, once, in top5.
    assert Counter(m.chat_id for m in telegram_fake.messages) == sent_before
    assert len(slack_fake.posts) == posts_before
    edits = edit_requests(telegram_fake.requests)
    for chat in (GROUP, SMALL_GROUP):
        (shown,) = telegram_fake.shown_in(chat)
        assert shown.text == top5[1][0].text, chat
        assert shown.edit_count == 1 and edits[(chat, shown.message_id)] == 1, chat
    refused = [
        r for r in telegram_fake.requests if r.method == "editMessageText" and r.status == 400
    ]
    assert refused == [], "no edit in the refused (full) form"
    (post,) = slack_fake.shown_in(CHANNEL)
    assert post.blocks == list(slack_top5[1][0].blocks)
    assert [e for m, e in slack_fake.errors if m == "chat.update"] == []

    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    try:
        rows = {row.target: row for row in store.log(issue_date=DAY)}
    finally:
        store.close()
    for target in (GROUP, CHANNEL):
        row = rows[target]
        assert (row.variant, row.form, row.revision, row.held_revision) == ("full", "top5", 2, 2)
