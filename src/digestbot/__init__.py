"""digestbot: parse the daily AI 前沿发展日报 and deliver it to Telegram, Slack and email."""

__version__ = "0.1.0"
