"""Step-down instead of silence: a platform that refuses a digest's form (fakes configured to
refuse a shape, with the real error bodies) gets the same digest one step smaller - full →
top5 → top3 → plain text - and the ledger, the report and `digestbot log` say which form went."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.delivery import publish
from digestbot.model import Channel
from digestbot.rendering import Renderer
from digestbot.store import Status, Store, open_store
from tests.delivery.harness import DAY, SAMPLE, load, sample_issue, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_html import parse_html, utf16_len
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow

runner = CliRunner()
GROUP = "-1008101"  # a supergroup: the broadcast render


def _visible(text: str) -> int:
    return utf16_len(parse_html(text)[0])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path}/ledger.db")
    yield opened  # type: ignore[misc]
    opened.close()


def test_telegram_too_long_steps_full_down_to_top3_and_says_so(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    renderer, issue = Renderer(), sample_issue()
    top3 = renderer.telegram(issue, "top3")
    longest_top3 = max(_visible(m.text) for m in top3)
    # Precondition: the bigger forms' first messages are longer than anything in top3.
    assert _visible(renderer.telegram(issue, "full")[0].text) > longest_top3
    assert _visible(renderer.telegram(issue, "top5")[0].text) > longest_top3
    telegram_fake.refuse_form(longer_than=longest_top3)
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[(GROUP, "full"), ("-1008102", "top3")],
    )

    result = runner.invoke(
        app, ["--config", str(config), "publish", "--file", str(SAMPLE), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["channels"]["telegram"]
    assert summary["sent"] == 2 and summary["failed"] == 0
    assert summary["stepped_down"] == {"top3": 1}
    assert [m.text for m in telegram_fake.messages_to(GROUP)] == [m.text for m in top3]
    # One refused try per step: full, then top5; then top3 went.
    to_group = [
        r.status
        for r in telegram_fake.requests
        if r.method == "sendMessage" and str(r.params.get("chat_id")) == GROUP
    ]
    assert to_group == [400, 400] + [200] * len(top3)

    result = runner.invoke(app, ["--config", str(config), "log", "--json"])
    rows = {row["target"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows[GROUP]["variant"] == "full" and rows[GROUP]["form"] == "top3"
    assert "message is too long" in rows[GROUP]["last_error"].lower()
    assert "stepped down from top5 to top3" in rows[GROUP]["last_error"]
    assert rows["-1008102"]["form"] is None
    result = runner.invoke(app, ["--config", str(config), "log"])
    assert "full→top3" in result.stdout

    # The ledger remembers the form: a rerun sends nothing again.
    result = runner.invoke(app, ["--config", str(config), "publish", "--file", str(SAMPLE)])
    assert result.exit_code == 0, result.stderr
    assert len(telegram_fake.messages_to(GROUP)) == len(top3)


async def test_slack_refusing_blocks_gets_the_plain_text_digest(
    tmp_path: Path, store: Store, slack_fake: SlackFake
) -> None:
    slack_fake.refuse_form(blocks=True)
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            slack=slack_fake,
            slack_targets=[("C0000801", "top5")],
        )
    )
    issue = sample_issue()
    report = await publish(issue, config, store, Renderer())

    assert report.ledger[Channel.SLACK] == Counter({Status.SENT: 1})
    assert report.runs[Channel.SLACK].stepped_down == Counter({"plain": 1})
    (post,) = slack_fake.posts_to("C0000801")
    assert not post.blocks, "the text-only form"
    assert post.text is not None
    for conclusion in issue.conclusions:
        assert conclusion[:20] in post.text
    refusals = [e for m, e in slack_fake.errors if m == "chat.postMessage"]
    assert refusals == ["invalid_blocks", "invalid_blocks"], "top5, then top3, were refused"
    (row,) = store.log(issue_date=DAY, channel=Channel.SLACK)
    assert row.form == "plain" and row.variant == "top5"


async def test_smtp_552_for_the_size_steps_the_email_down(tmp_path: Path, store: Store) -> None:
    issue = sample_issue()
    with SmtpFake() as smtp:
        config = load(
            write_config(
                tmp_path,
                store_url=store.engine.url.render_as_string(hide_password=False),
                smtp=smtp,
                email_targets=[("reader@example.org", "full"), ("small@example.org", "top3")],
            )
        )
        # A server whose size limit sits between the top3 mail and the full one.
        top3_html = len(Renderer().email(issue, "top3").html.encode())
        smtp.max_size = top3_html * 2 + 20_000
        report = await publish(issue, config, store, Renderer())
        assert report.ledger[Channel.EMAIL] == Counter({Status.SENT: 2})
        assert smtp.too_big >= 1
        (mail,) = smtp.messages_to("reader@example.org")
    forms = {row.target: row.form for row in store.log(issue_date=DAY, channel=Channel.EMAIL)}
    assert forms["small@example.org"] is None
    assert forms["reader@example.org"] in ("top5", "top3")
    assert len(mail.content) <= smtp.max_size
    assert sum(report.runs[Channel.EMAIL].stepped_down.values()) == 1


async def test_a_form_refused_all_the_way_down_fails_once_per_step(
    tmp_path: Path, store: Store, telegram_fake: TelegramFake
) -> None:
    telegram_fake.refuse_form(longer_than=5)  # nothing real fits
    config = load(
        write_config(
            tmp_path,
            store_url=store.engine.url.render_as_string(hide_password=False),
            telegram=telegram_fake,
            telegram_targets=[(GROUP, "full")],
        )
    )
    report = await publish(sample_issue(), config, store, Renderer())
    assert report.ledger[Channel.TELEGRAM] == Counter({Status.FAILED: 1})
    (row,) = store.log(issue_date=DAY, channel=Channel.TELEGRAM)
    assert row.form == "plain"
    assert telegram_fake.messages_to(GROUP) == []
