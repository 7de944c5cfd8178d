"""pytest fixtures for the fakes. Import the ones you need into a conftest.py:

from tests.fakes.fixtures import slack_fake, smtp_fake, telegram_fake  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.fakes.telegram_server import TelegramFake


@pytest.fixture
def telegram_fake() -> Iterator[TelegramFake]:
    with TelegramFake() as fake:
        yield fake


@pytest.fixture
def telegram_fake_process() -> Iterator[TelegramFakeProcess]:
    """The Telegram fake in its own process (see `telegram_process`): for tests that count
    429s while the process under test is busy."""
    with TelegramFakeProcess() as fake:
        yield fake


@pytest.fixture
def slack_fake() -> Iterator[SlackFake]:
    with SlackFake() as fake:
        yield fake


@pytest.fixture
def smtp_fake() -> Iterator[SmtpFake]:
    with SmtpFake() as fake:
        yield fake


@pytest.fixture
def smtp_auth_fake() -> Iterator[SmtpFake]:
    with SmtpFake(username="digest", password="smtp-Pa55word-for-tests") as fake:
        yield fake


__all__ = ["slack_fake", "smtp_auth_fake", "smtp_fake", "telegram_fake"]
