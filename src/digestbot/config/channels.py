"""The channel tables, [telegram], [slack] and [email]: credentials, targets, limits. A table
that is absent (or has `enabled = false`) is off."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from digestbot.config.base import Section, dedupe, empty_is_none, has_secret
from digestbot.config.fields import (
    EmailAddress,
    HttpURL,
    Mailbox,
    SlackChannelId,
    TelegramChatId,
    parse_email_address,
    parse_slack_channel,
    parse_telegram_chat,
)
from digestbot.config.problems import problem
from digestbot.config.targets_file import TargetsFile, read_targets_file
from digestbot.model import Variant

_MAX_UNSUBSCRIBE_URL = 500
Transport = Literal["live", "outbox"]


class TelegramTarget(Section):
    chat_id: TelegramChatId
    variant: Variant = Variant.TOP5


class TelegramRate(Section):
    per_chat_per_second: float = Field(default=1.0, gt=0)
    per_group_per_minute: int = Field(default=20, gt=0)
    global_per_second: float = Field(default=30.0, gt=0)
    # With [telegram] paid_broadcast: the bot-wide rate to pace at (Telegram allows 1,000/s).
    paid_per_second: float = Field(default=1000.0, gt=0, le=1000)


class ChannelSection(Section):
    enabled: bool = True
    # "live" talks to the provider; "outbox" writes what would be sent under [outbox] path.
    transport: Transport = "live"
    targets_file: TargetsFile | None = None

    def file_targets(self) -> list[tuple[str, Variant]]:
        return list(self.targets_file.rows) if self.targets_file else []


class TelegramConfig(ChannelSection):
    token: SecretStr | None = None
    api_base_url: HttpURL = "https://api.telegram.org/bot"
    admin_chat_ids: list[TelegramChatId] = []
    targets: list[TelegramTarget] = []
    rate: TelegramRate = TelegramRate()
    # Send with allow_paid_broadcast: past the free ~30/s bot-wide, up to rate.paid_per_second;
    # Telegram charges 0.1 Stars per message above the free rate.
    paid_broadcast: bool = False
    # HTTP requests out at once (the client's connection pool); also the most a crash can
    # leave `uncertain` on this channel.
    connections: int = Field(default=64, ge=1, le=1000)
    # The bot's @username: without [site] base_url, channel and group digests link to the bot
    # (https://t.me/<name>), where a reader can send /today full.
    bot_username: str = ""

    @field_validator("targets_file", mode="before")
    @classmethod
    def _load_file(cls, value: Any) -> TargetsFile | None:
        return read_targets_file(value, parse_telegram_chat)

    @field_validator("bot_username")
    @classmethod
    def _bot_name(cls, value: str) -> str:
        name = value.strip().removeprefix("@")
        if name and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]", name):
            raise problem('must be the bot\'s username as @BotFather shows it, e.g. "ai_daily_bot"')
        return name

    @model_validator(mode="after")
    def _live_needs_token(self) -> TelegramConfig:
        if self.transport == "live" and not has_secret(self.token):
            raise problem("", ("token", 'required when transport is live: "${TELEGRAM_BOT_TOKEN}"'))
        return self

    def static_targets(self) -> list[tuple[str, Variant]]:
        return dedupe([(t.chat_id, t.variant) for t in self.targets] + self.file_targets())


class SlackTarget(Section):
    channel: SlackChannelId
    variant: Variant = Variant.TOP5


class SlackRate(Section):
    per_channel_per_second: float = Field(default=1.0, gt=0)


class SlackConfig(ChannelSection):
    token: SecretStr | None = None
    base_url: HttpURL = "https://slack.com/api/"
    signing_secret: SecretStr | None = None  # needed only to serve slash commands
    targets: list[SlackTarget] = []
    rate: SlackRate = SlackRate()
    # HTTP requests out at once (the client's connection pool); also the most a crash can
    # leave `uncertain` on this channel.
    connections: int = Field(default=64, ge=1, le=1000)
    slash_response: Literal["ephemeral", "in_channel"] = "ephemeral"

    @field_validator("targets_file", mode="before")
    @classmethod
    def _load_file(cls, value: Any) -> TargetsFile | None:
        return read_targets_file(value, parse_slack_channel)

    @model_validator(mode="after")
    def _live_needs_token(self) -> SlackConfig:
        if self.transport == "live" and not has_secret(self.token):
            raise problem("", ("token", 'required when transport is live: "${SLACK_BOT_TOKEN}"'))
        return self

    def static_targets(self) -> list[tuple[str, Variant]]:
        return dedupe([(t.channel, t.variant) for t in self.targets] + self.file_targets())


class EmailTarget(Section):
    address: EmailAddress
    variant: Variant = Variant.TOP5


class EmailConfig(ChannelSection):
    model_config = ConfigDict(populate_by_name=True)

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_: Mailbox = Field(alias="from")
    unsubscribe_url: str = ""
    unsubscribe_secret: SecretStr | None = None  # HMAC key of the one-click unsubscribe links
    # SMTP connections sending at once; also the most a crash can leave `uncertain`.
    connections: int = Field(default=4, ge=1, le=64)
    # A correction of an issue readers already got: one short "更正" mail listing what
    # changed ("notice"), or nothing ("none"). Readers who had not got it get the correction.
    corrections: Literal["notice", "none"] = "notice"
    targets: list[EmailTarget] = []

    _blank = field_validator("username", mode="before")(empty_is_none)

    @field_validator("targets_file", mode="before")
    @classmethod
    def _load_file(cls, value: Any) -> TargetsFile | None:
        return read_targets_file(value, parse_email_address)

    @field_validator("unsubscribe_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise problem("must be an http:// or https:// URL")
        # It goes into List-Unsubscribe verbatim, with a token of up to ~370 characters after
        # it, and a header line may not pass 998: ASCII only (percent-encode the rest).
        if not value.isascii() or len(value) > _MAX_UNSUBSCRIBE_URL:
            raise problem(f"must be ASCII and at most {_MAX_UNSUBSCRIBE_URL} characters")
        return value

    @model_validator(mode="after")
    def _live_needs_server(self) -> EmailConfig:
        missing: list[tuple[str, str]] = []
        if self.transport == "live":
            if not self.host:
                missing.append(("host", "required when transport is live"))
            if not self.unsubscribe_url:
                missing.append(("unsubscribe_url", "required when transport is live"))
            if not has_secret(self.unsubscribe_secret):
                missing.append(
                    (
                        "unsubscribe_secret",
                        'required when transport is live: "${DIGESTBOT_UNSUBSCRIBE_SECRET}"',
                    )
                )
        if self.username and not has_secret(self.password):
            missing.append(("password", "required when username is set"))
        if missing:
            raise problem("", *missing)
        return self

    @property
    def from_address(self) -> str:
        return parseaddr(self.from_)[1]

    def static_targets(self) -> list[tuple[str, Variant]]:
        return dedupe([(t.address, t.variant) for t in self.targets] + self.file_targets())


__all__ = [
    "ChannelSection",
    "EmailConfig",
    "EmailTarget",
    "SlackConfig",
    "SlackRate",
    "SlackTarget",
    "TelegramConfig",
    "TelegramRate",
    "TelegramTarget",
    "Transport",
]
