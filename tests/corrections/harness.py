"""Revisions of the sample issue for correction tests: the same day with one event field
changed, archived and delivered the way `digestbot correct` does."""

from __future__ import annotations

from collections import Counter
from typing import Any

from digestbot.config import Config
from digestbot.delivery import PublishReport, load_revision, publish
from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer
from digestbot.store import Store, StoredIssue
from tests.sample import DAY, SAMPLE

# Event 1's "发生了什么" names a price cut; each correction changes the figure.
FIGURES = ("40%", "45%", "50%")


def revision_bytes(number: int) -> bytes:
    """The sample as revision `number` (1: as published; 2, 3: the figure corrected)."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(f"整体下调 {FIGURES[0]}") == 1
    return text.replace(f"整体下调 {FIGURES[0]}", f"整体下调 {FIGURES[number - 1]}").encode()


def parse_stored(stored: StoredIssue) -> Issue:
    return parse_issue(stored.data, filename=stored.filename)


async def deliver_revision(
    number: int, config: Config, store: Store, renderer: Renderer, **kwargs: Any
) -> PublishReport:
    """Archive revision `number` of the sample and deliver it (a correction past 1)."""
    data = revision_bytes(number)
    if number == 1:
        assert store.save_issue(DAY, SAMPLE.name, data)
    else:
        assert store.add_revision(DAY, SAMPLE.name, data).revision == number
    issue = parse_issue(data, filename=SAMPLE.name)
    revision = load_revision(store, DAY, parse_stored)
    return await publish(issue, config, store, renderer, revision=revision, **kwargs)


def edit_requests(requests: Any) -> Counter[tuple[str, int]]:
    """editMessageText requests Telegram answered (not a 429) per (chat, message)."""
    return Counter(
        (str(r.params["chat_id"]), int(r.params["message_id"]))
        for r in requests
        if r.method.lower() == "editmessagetext" and r.status != 429
    )


__all__ = ["FIGURES", "deliver_revision", "edit_requests", "parse_stored", "revision_bytes"]
