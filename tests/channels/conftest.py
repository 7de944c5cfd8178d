"""Channel tests run each real client library against its local fake."""

from __future__ import annotations

from tests.fakes.fixtures import (  # noqa: F401  (fixtures are found by name)
    slack_fake,
    smtp_auth_fake,
    smtp_fake,
    telegram_fake,
)
