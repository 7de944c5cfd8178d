"""Archives of published issues for the web tests: the sample issue re-dated (our own text),
and the real seeds when they are present."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.store import Store
from tests.conftest import seed_paths
from tests.sample import DAY, SAMPLE

SAMPLE_DATE_TEXT = "2026 - 04 - 20"
FIRST_CONCLUSION_START = "推理价格战已经开始"


def dated_sample(day: dt.date) -> bytes:
    """The sample issue as if published on `day`; its first conclusion names the day, so
    every issue in an archive is told apart by its conclusions."""
    text = SAMPLE.read_text(encoding="utf-8")
    if day != DAY:
        text = text.replace(SAMPLE_DATE_TEXT, day.isoformat())
    text = text.replace(FIRST_CONCLUSION_START, f"{FIRST_CONCLUSION_START}（{day.isoformat()}）", 1)
    return text.encode("utf-8")


def publish_samples(store: Store, days: list[dt.date]) -> dict[dt.date, Issue]:
    """Archive the sample under each of `days` (as `publish` does) and return what was parsed."""
    issues = {}
    for day in days:
        data = dated_sample(day)
        store.save_issue(day, f"{day.isoformat()}.txt", data)
        issues[day] = parse_issue(data, filename=f"{day.isoformat()}.txt")
        assert issues[day].date == day
    return issues


def publish_seeds(store: Store) -> dict[dt.date, Issue]:
    """Archive the real seeds (none when ../shared/seeds is absent)."""
    issues = {}
    for path in seed_paths():
        issue = parse_issue(path.read_bytes(), filename=path.name)
        assert issue.date is not None
        store.save_issue(issue.date, path.name, path.read_bytes())
        issues[issue.date] = issue
    return issues


def seed_files() -> list[Path]:
    return seed_paths()


__all__ = ["dated_sample", "publish_samples", "publish_seeds", "seed_files"]
