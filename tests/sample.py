"""The repository's sample issue (samples/2026-04-20.txt), which the delivery, server and
scheduling tests all send, serve or wait for: one definition, so they agree on its date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from digestbot.model import Issue
from digestbot.parsing import parse_issue

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "2026-04-20.txt"
DAY = dt.date(2026, 4, 20)  # the sample's issue date


def sample_issue() -> Issue:
    return parse_issue(SAMPLE.read_bytes(), filename=SAMPLE.name)


def sample_with_events(count: int, heading: str = "今日 Top 5 大事件") -> str:
    """The sample's text with `count` events numbered 1…count, each a copy of its first
    event under its own title and source URL: oversized issues for the input caps."""
    head, rest = SAMPLE.read_text(encoding="utf-8").split("今日 Top 5 大事件", 1)
    body, tail = rest.split("商业与应用解读", 1)
    fields = body.strip().split("\n\n2. ", 1)[0].split("\n", 1)[1]  # event 1 minus its title
    url = "https://techfront.example/news/2026/04/18/beilan-price-cut"
    events = "\n\n".join(
        f"{n}. 第 {n} 条事件\n{fields.replace(url, f'https://e.example/{n}')}"
        for n in range(1, count + 1)
    )
    return f"{head}{heading}\n\n{events}\n\n商业与应用解读{tail}"


__all__ = ["DAY", "REPO", "SAMPLE", "sample_issue", "sample_with_events"]
