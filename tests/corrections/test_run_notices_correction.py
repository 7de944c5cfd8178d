"""`digestbot run` notices a correction on its own: after the day went out, the editor
replaces the file in the folder; at the next poll the readers' messages are edited in place
and the admins get the correction report."""

from __future__ import annotations

from pathlib import Path

from digestbot.store import open_store
from tests.fakes.telegram_server import TelegramFake
from tests.service.test_service import eventually, running_service, service_config


async def test_a_replaced_file_is_corrected_in_place_at_the_next_poll(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config_path = service_config(tmp_path, telegram_fake)
    config_path.write_text(
        config_path.read_text().replace("admin_chat_ids = []", 'admin_chat_ids = ["900"]')
    )
    (issue_file,) = (tmp_path / "issues").iterdir()
    async with running_service(tmp_path, config_path):
        await eventually(lambda: len(telegram_fake.messages_to("31")) == 1)
        await eventually(lambda: len(telegram_fake.messages_to("900")) == 1)  # the report

        text = issue_file.read_text(encoding="utf-8")
        conclusion = text.split("今日三条结论", 1)[1].strip().splitlines()[0]
        issue_file.write_text(text.replace(conclusion, conclusion + "（已更正）"), "utf-8")

        await eventually(lambda: len(telegram_fake.edits_in("31")) == 1)
        await eventually(lambda: len(telegram_fake.edits_in("32")) == 1)
        await eventually(lambda: len(telegram_fake.messages_to("900")) == 2)
    report = telegram_fake.messages_to("900")[1].text
    assert "更正已推送（第 2 版）：1 处修改" in report and "telegram: edited 2" in report
    assert "（已更正）" in telegram_fake.shown_in("31")[0].text
    assert len(telegram_fake.messages_to("31")) == 1  # edited, not sent again
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    try:
        assert {(r.target, r.held_revision) for r in store.log()} == {("31", 2), ("32", 2)}
    finally:
        store.close()
