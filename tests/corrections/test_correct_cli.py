"""`digestbot correct` and `digestbot log --date` on the demo config (outbox channels): the
correction edits what the outbox holds, mails one notice, and the log shows who holds which
revision."""

from __future__ import annotations

import json
from pathlib import Path

from tests.corrections.harness import revision_bytes
from tests.delivery.test_cli import demo_config, invoke  # noqa: F401  (fixture by name)
from tests.sample import DAY


def _outbox(config: Path, pattern: str) -> list[Path]:
    return sorted((config.parent / "demo-data" / "outbox").rglob(pattern))


def test_correct_edits_the_outbox_once_and_log_shows_the_revisions(
    demo_config: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    first, fixed = tmp_path / "first" / "2026-04-20.txt", tmp_path / "fixed" / "2026-04-20.txt"
    for path, number in ((first, 1), (fixed, 2)):
        path.parent.mkdir()
        path.write_bytes(revision_bytes(number))
    assert invoke(demo_config, "publish", "--file", str(first))[0] == 0

    code, out, err = invoke(demo_config, "correct", DAY.isoformat(), "--file", str(fixed), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["revision"] == 2
    assert [c["label"] for c in summary["changes"]] == ["事件 1 · 发生了什么"]
    assert summary["channels"]["telegram"]["actions"] == {"edit": 4}  # top5, top3, full in 2
    assert summary["channels"]["email"]["actions"] == {"notice": 2}
    assert "revision 2 archived" in err and "事件 1 · 发生了什么" in err
    edits = _outbox(demo_config, "*.edit-1.json")
    mails = _outbox(demo_config, "*.eml")
    assert len(mails) == 4  # two digests, then one notice each

    # Again: the same revision is finished, nobody is corrected twice.
    code, out, err = invoke(demo_config, "correct", DAY.isoformat(), "--file", str(fixed))
    assert code == 0, err
    assert "revision 2 is already the current one" in err
    assert _outbox(demo_config, "*.edit-*.json") == edits
    assert _outbox(demo_config, "*.eml") == mails

    code, out, _ = invoke(demo_config, "log", "--date", DAY.isoformat())
    assert code == 0
    assert "revisions" in out and "current" in out
    lines = [json.loads(line) for line in invoke(demo_config, "log", "--json")[1].splitlines()]
    assert {(row["revision"], row["held_revision"]) for row in lines} == {(2, 2)}


def test_correct_refuses_a_day_never_published(demo_config: Path) -> None:  # noqa: F811
    code, _, err = invoke(demo_config, "correct", DAY.isoformat())
    assert code == 2
    assert "nothing was published for 2026-04-20" in err
