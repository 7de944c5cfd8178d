from tests.fakes.fixtures import slack_fake, smtp_fake, telegram_fake  # noqa: F401
