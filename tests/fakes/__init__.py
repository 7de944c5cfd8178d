"""Local stand-ins for Telegram, Slack and SMTP that behave like the real services."""

from tests.fakes.slack_responses import ResponsePost
from tests.fakes.slack_server import SlackFake, SlackFault, SlackPost
from tests.fakes.smtp_server import ReceivedMail, SmtpFake
from tests.fakes.telegram_server import (
    Fault,
    RecordedRequest,
    SentMessage,
    TelegramFake,
    TelegramLimits,
)

__all__ = [
    "Fault",
    "ReceivedMail",
    "RecordedRequest",
    "ResponsePost",
    "SentMessage",
    "SlackFake",
    "SlackFault",
    "SlackPost",
    "SmtpFake",
    "TelegramFake",
    "TelegramLimits",
]
