from tests.fakes.fixtures import (  # noqa: F401  (fixtures are found by name)
    slack_fake,
    smtp_fake,
    telegram_fake,
    telegram_fake_process,
)
