"""The config file's shape. Sections mirror the TOML tables; a channel table that is absent
(or has `enabled = false`) is off. Relative paths are relative to the working directory."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from digestbot.config.fields import (
    ClockTime,
    Duration,
    EmailAddress,
    HttpURL,
    Mailbox,
    SlackChannelId,
    TelegramChatId,
    TimezoneName,
    parse_email_address,
    parse_slack_channel,
    parse_telegram_chat,
)
from digestbot.config.problems import problem
from digestbot.config.targets_file import TargetsFile, read_targets_file
from digestbot.input_limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_ITEMS
from digestbot.model import Channel, Variant
from digestbot.notices import Language
from digestbot.store.url import StoreURLError, display_store_url, normalize_store_url

_MAX_UNSUBSCRIBE_URL = 500
Transport = Literal["live", "outbox"]


class Section(BaseModel):
    # Unknown keys are typos until proven otherwise; inputs never appear in error text.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


# --- store, source, outbox, templates ------------------------------------------------------


class StoreConfig(Section):
    # A SecretStr because a PostgreSQL URL may carry a password.
    url: SecretStr = SecretStr("sqlite:///data/digestbot.db")
    # Seconds `publish` waits for a database that went away mid-run (nothing is sent
    # meanwhile) before it stops with exit code 3; `run` waits for it as long as it takes.
    outage_patience: float = Field(default=300.0, gt=0)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: SecretStr) -> SecretStr:
        try:
            normalize_store_url(value.get_secret_value())
        except StoreURLError as exc:
            raise problem(str(exc)) from None
        return value

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for output."""
        return display_store_url(self.url.get_secret_value())


class SourceConfig(Section):
    kind: Literal["folder", "url", "feed"] = "folder"
    path: Path = Path("issues")
    url: str = ""
    timezone: TimezoneName = "Asia/Shanghai"

    @model_validator(mode="after")
    def _kind_needs(self) -> SourceConfig:
        if self.kind == "url" and ("{date}" not in self.url or "://" not in self.url):
            raise problem(
                "",
                (
                    "url",
                    "kind url needs a URL template containing {date}, e.g. "
                    "https://example.org/daily/{date}.html",
                ),
            )
        if self.kind == "feed" and not self.url.startswith(("http://", "https://")):
            raise problem("", ("url", "kind feed needs the feed's http(s) URL"))
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class OutboxConfig(Section):
    path: Path = Path("outbox")


class TemplatesConfig(Section):
    dir: Path | None = None

    _blank = field_validator("dir", mode="before")(_empty_is_none)


# --- channels --------------------------------------------------------------------------------


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
        if self.transport == "live" and not _has(self.token):
            raise problem("", ("token", 'required when transport is live: "${TELEGRAM_BOT_TOKEN}"'))
        return self

    def static_targets(self) -> list[tuple[str, Variant]]:
        return _dedupe([(t.chat_id, t.variant) for t in self.targets] + self.file_targets())


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
        if self.transport == "live" and not _has(self.token):
            raise problem("", ("token", 'required when transport is live: "${SLACK_BOT_TOKEN}"'))
        return self

    def static_targets(self) -> list[tuple[str, Variant]]:
        return _dedupe([(t.channel, t.variant) for t in self.targets] + self.file_targets())


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

    _blank = field_validator("username", mode="before")(_empty_is_none)

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
            if not _has(self.unsubscribe_secret):
                missing.append(
                    (
                        "unsubscribe_secret",
                        'required when transport is live: "${DIGESTBOT_UNSUBSCRIBE_SECRET}"',
                    )
                )
        if self.username and not _has(self.password):
            missing.append(("password", "required when username is set"))
        if missing:
            raise problem("", *missing)
        return self

    @property
    def from_address(self) -> str:
        return parseaddr(self.from_)[1]

    def static_targets(self) -> list[tuple[str, Variant]]:
        return _dedupe([(t.address, t.variant) for t in self.targets] + self.file_targets())


# --- timing and serving ------------------------------------------------------------------------


class ScheduleConfig(Section):
    time: ClockTime = dt.time(8, 30)  # when the issue is expected (source.timezone)
    deadline: ClockTime = dt.time(12, 0)  # stop waiting and alert the admins
    poll_every: Duration = dt.timedelta(minutes=5)

    @model_validator(mode="after")
    def _deadline_after_time(self) -> ScheduleConfig:
        if self.deadline <= self.time:
            raise problem("", ("deadline", "must be later than schedule.time"))
        return self


class ServerConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Slow clients are cut off: a request's head must arrive within header_timeout, its body
    # within body_timeout after the head (uvicorn alone would wait for ever).
    header_timeout: Duration = dt.timedelta(seconds=5)
    body_timeout: Duration = dt.timedelta(seconds=10)
    # /metrics on a listener of its own (e.g. loopback, for Prometheus) instead of `port`.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # With a token, /metrics answers only "Authorization: Bearer <token>" (401 otherwise).
    metrics_token: SecretStr | None = None

    @model_validator(mode="after")
    def _metrics_elsewhere(self) -> ServerConfig:
        if self.metrics_port is not None and (self.metrics_host, self.metrics_port) == (
            self.host,
            self.port,
        ):
            raise problem("metrics_port must differ from port on the same host")
        return self


class SiteConfig(Section):
    # The public address of the issue pages ("https://digest.example.org"): digests link to
    # `{base_url}/issues/YYYY-MM-DD`. Empty: no page to point to, so digests print no link.
    base_url: str = ""

    @field_validator("base_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value) or not value.isascii():
            raise problem(
                'must be the site\'s http(s) address without query, e.g. "https://digest.example.org"'
            )
        return value.rstrip("/")

    # Email sign-up with double opt-in on the service (needs base_url, an enabled [email] and
    # its unsubscribe_secret, which also signs the confirmation and preference links).
    signup: bool = True
    confirm_within: Duration = dt.timedelta(hours=48)  # a confirmation link expires after this
    confirm_mail_every: Duration = dt.timedelta(minutes=10)  # at most one mail per address
    signups_per_ip_per_hour: int = Field(default=5, ge=1)  # sign-up requests from one address

class BotConfig(Section):
    # The language of the bot's notices to its admins (late / refused / published, the
    # per-channel report): "zh" like the readers' digests, or "en".
    language: Language = Language.ZH


class DeliveryConfig(Section):
    max_attempts: int = Field(default=5, ge=1)
    backoff_base: float = Field(default=1.0, gt=0)
    backoff_cap: float = Field(default=60.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    concurrency: int = Field(default=50, ge=1)
    # `digestbot run` fans a publish out on an event loop in a thread of its own, so the
    # server's and the bot's answers do not wait behind it; false keeps one loop (what
    # benchmarks.latency compares against).
    own_loop: bool = True

    @model_validator(mode="after")
    def _cap_above_base(self) -> DeliveryConfig:
        if self.backoff_cap < self.backoff_base:
            raise problem("", ("backoff_cap", "must be at least delivery.backoff_base"))
        return self


class LimitsConfig(Section):
    """Input caps: an issue beyond them is refused before anything is sent."""

    max_issue_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1)
    max_items: int = Field(default=DEFAULT_MAX_ITEMS, ge=1)  # per section


# --- the whole file ----------------------------------------------------------------------------


class Config(Section):
    store: StoreConfig = StoreConfig()
    source: SourceConfig = SourceConfig()
    telegram: TelegramConfig | None = None
    slack: SlackConfig | None = None
    email: EmailConfig | None = None
    outbox: OutboxConfig = OutboxConfig()
    templates: TemplatesConfig = TemplatesConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    server: ServerConfig = ServerConfig()
    site: SiteConfig = SiteConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    limits: LimitsConfig = LimitsConfig()
    bot: BotConfig = BotConfig()

    def channel(self, channel: Channel) -> TelegramConfig | SlackConfig | EmailConfig | None:
        """The section of an enabled channel, else None."""
        section: TelegramConfig | SlackConfig | EmailConfig | None = getattr(
            self, Channel(channel).value
        )
        return section if section is not None and section.enabled else None

    def enabled_channels(self) -> list[Channel]:
        """Channels that are on, in the order telegram, slack, email."""
        return [channel for channel in Channel if self.channel(channel) is not None]

    def signup_available(self) -> bool:
        """Email sign-up (and preference links) can work: a site address to link to, email
        on, and its secret to sign the links with."""
        email = self.channel(Channel.EMAIL)
        return (
            self.site.signup
            and bool(self.site.base_url)
            and isinstance(email, EmailConfig)
            and _has(email.unsubscribe_secret)
        )

    def static_targets(self, channel: Channel) -> list[tuple[str, Variant]]:
        """Targets from the file (inline `targets` then `targets_file`), duplicates dropped."""
        section = self.channel(channel)
        return section.static_targets() if section is not None else []

    def summary(self) -> str:
        """One line for `check-config`: channels, target counts, transports, store. No secrets."""
        parts = []
        for name in self.enabled_channels():
            section = self.channel(name)
            assert section is not None
            count = len(section.static_targets())
            noun = "target" if count == 1 else "targets"
            via = ", outbox" if section.transport == "outbox" else ""
            parts.append(f"{name} ({count} static {noun}{via})")
        channels = ", ".join(parts) if parts else "no channels enabled"
        return f"{channels}; store {self.store.safe_url}"


def reveal(secret: SecretStr | None) -> str | None:
    """The plain value of an optional secret, for the one place that hands it to a client."""
    return secret.get_secret_value() if secret is not None else None


def _has(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


def _dedupe(pairs: list[tuple[str, Variant]]) -> list[tuple[str, Variant]]:
    return list(dict.fromkeys(pairs))


__all__ = [
    "ChannelSection",
    "Config",
    "DeliveryConfig",
    "EmailConfig",
    "EmailTarget",
    "LimitsConfig",
    "OutboxConfig",
    "ScheduleConfig",
    "ServerConfig",
    "SiteConfig",
    "SlackConfig",
    "SlackRate",
    "SlackTarget",
    "SourceConfig",
    "StoreConfig",
    "TelegramConfig",
    "TelegramRate",
    "TelegramTarget",
    "TemplatesConfig",
    "Transport",
    "reveal",
]
