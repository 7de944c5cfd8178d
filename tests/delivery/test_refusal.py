"""A refused publish says why, one Problem per reason, and records nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from digestbot.delivery import PublishRefused, publish
from digestbot.readiness import Problem
from digestbot.rendering import Renderer
from digestbot.store import open_store
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.telegram_server import TelegramFake


async def test_an_issue_without_conclusions_or_events_is_refused_with_one_problem_each(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=[("1001", "top3")],
        )
    )
    store = open_store(config.store.url.get_secret_value())
    hollow = dataclasses.replace(sample_issue(), conclusions=(), events=())

    with pytest.raises(PublishRefused) as caught:
        await publish(hollow, config, store, Renderer())

    assert [(p.field, p.line) for p in caught.value.problems] == [
        ("conclusions", None),
        ("events", None),
    ]
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value) == "; ".join(p.message for p in caught.value.problems)
    assert list(store.log()) == []
    assert telegram_fake.messages == []
    store.close()


async def test_asking_for_a_channel_that_is_off_names_it(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(tmp_path, store_url=f"sqlite:///{tmp_path}/ledger.db", telegram=telegram_fake)
    )
    store = open_store(config.store.url.get_secret_value())

    with pytest.raises(PublishRefused) as caught:
        await publish(sample_issue(), config, store, Renderer(), channels=["slack", "email"])

    assert [p.field for p in caught.value.problems] == ["channel", "channel"]
    assert [p.message.split()[1] for p in caught.value.problems] == ["slack", "email"]
    assert "enabled: telegram" in caught.value.problems[0].message
    store.close()


def test_a_problem_with_a_line_says_where() -> None:
    assert str(Problem("no conclusions", "conclusions", line=12)) == "line 12: no conclusions"
    assert str(Problem("no conclusions", "conclusions")) == "no conclusions"
