"""The config file's shape: one section per TOML table (`config.paths`, `config.channels`,
`config.running`). Relative paths are relative to the working directory."""

from __future__ import annotations

from digestbot.config.base import Section, has_secret
from digestbot.config.channels import EmailConfig, SlackConfig, TelegramConfig
from digestbot.config.paths import OutboxConfig, SourceConfig, StoreConfig, TemplatesConfig
from digestbot.config.running import (
    BotConfig,
    DeliveryConfig,
    LimitsConfig,
    ScheduleConfig,
    ServerConfig,
    SiteConfig,
)
from digestbot.model import Channel, Variant


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
            and has_secret(email.unsubscribe_secret)
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


__all__ = ["Config"]
