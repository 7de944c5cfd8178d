"""OutboxChannel: parts as files, numbered per target, email parts as the .eml SMTP would carry."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digestbot.channels import OutboxChannel, sanitize_target
from digestbot.payloads import EmailMessage, SlackMessage, TelegramMessage
from digestbot.unsubscribe_token import verify_unsubscribe_token

EMAIL = EmailMessage(
    subject="日报 2026-04-16",
    text="正文 urn:digestbot:unsubscribe-url",
    html='<p>正文</p><a href="urn:digestbot:unsubscribe-url">退订</a>',
)


async def test_each_part_is_a_json_file_numbered_per_digest_and_part(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path, "telegram")
    await outbox.open()

    first = await outbox.send("-100123", TelegramMessage("<b>一</b>"))
    second = await outbox.send("-100123", TelegramMessage("二"), reply_to=first)
    next_digest = await outbox.send("-100123", TelegramMessage("三"))

    assert (first, second, next_digest) == ("0001-1", "0001-2", "0002-1")
    folder = tmp_path / "telegram" / "-100123"
    assert sorted(p.name for p in folder.iterdir()) == ["0001-1.json", "0001-2.json", "0002-1.json"]
    record = json.loads((folder / "0001-2.json").read_text("utf-8"))
    assert record["payload"]["text"] == "二"
    assert record["reply_to"] == "0001-1"


async def test_email_parts_also_get_html_and_an_eml_built_like_smtp_would(
    tmp_path: Path,
) -> None:
    outbox = OutboxChannel(
        tmp_path, "email", from_addr="digest@news.example.com",
        unsubscribe_url="https://d.example.com/u", unsubscribe_secret="s3cret-key",
    )  # fmt: skip

    message_id = await outbox.send("reader@example.org", EMAIL)

    folder = tmp_path / "email" / "reader@example.org"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{message_id}.eml", f"{message_id}.html", f"{message_id}.json"
    ]  # fmt: skip
    mail = message_from_bytes((folder / f"{message_id}.eml").read_bytes(), policy=policy.default)
    assert mail["Subject"] == EMAIL.subject
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = str(mail["List-Unsubscribe"]).strip("<>").split("?t=")[1]
    assert verify_unsubscribe_token("s3cret-key", token) == "reader@example.org"
    html = (folder / f"{message_id}.html").read_text("utf-8")
    assert "urn:digestbot" not in html and "https://d.example.com/u?t=" in html
    record = json.loads((folder / f"{message_id}.json").read_text("utf-8"))
    assert record["email_message_id"] == mail["Message-ID"]


async def test_leftovers_of_a_crashed_write_do_not_block_numbering(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path, "slack")
    folder = outbox.folder("C1")
    folder.mkdir(parents=True)
    (folder / "0001-1.eml").write_bytes(b"half")

    assert await outbox.send("C1", SlackMessage(text="x", blocks=())) == "0002-1"
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("../../etc/passwd", "_.._etc_passwd"),
        ("-100123", "-100123"),
        ("a.b+c@example.org", "a.b+c@example.org"),
        ("..", "_"),
        ("用户", "_"),
    ],
)
def test_targets_become_safe_folder_names(target: str, expected: str) -> None:
    assert sanitize_target(target) == expected
