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


__all__ = ["DAY", "REPO", "SAMPLE", "sample_issue"]
