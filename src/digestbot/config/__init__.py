"""The config file: TOML, `${VAR}` secrets from the environment, and problems named by key."""

from __future__ import annotations

from digestbot.config.check import check_config
from digestbot.config.loader import load_config
from digestbot.config.models import (
    CHANNELS,
    Config,
    DeliveryConfig,
    EmailConfig,
    EmailTarget,
    OutboxConfig,
    ScheduleConfig,
    ServerConfig,
    SiteConfig,
    SlackConfig,
    SlackRate,
    SlackTarget,
    SourceConfig,
    StoreConfig,
    TelegramConfig,
    TelegramRate,
    TelegramTarget,
    TemplatesConfig,
    Transport,
    reveal,
)
from digestbot.config.problems import ConfigError
from digestbot.config.targets_file import TargetsFile

__all__ = [
    "CHANNELS",
    "Config",
    "ConfigError",
    "DeliveryConfig",
    "EmailConfig",
    "EmailTarget",
    "OutboxConfig",
    "ScheduleConfig",
    "ServerConfig",
    "SiteConfig",
    "SlackConfig",
    "SlackRate",
    "SlackTarget",
    "SourceConfig",
    "StoreConfig",
    "TargetsFile",
    "TelegramConfig",
    "TelegramRate",
    "TelegramTarget",
    "TemplatesConfig",
    "Transport",
    "check_config",
    "load_config",
    "reveal",
]
