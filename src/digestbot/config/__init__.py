"""The config file: TOML, `${VAR}` secrets from the environment, and problems named by key."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.config.base import reveal
    from digestbot.config.channels import (
        EmailConfig,
        EmailTarget,
        SlackConfig,
        SlackRate,
        SlackTarget,
        TelegramConfig,
        TelegramRate,
        TelegramTarget,
        Transport,
    )
    from digestbot.config.check import check_config
    from digestbot.config.loader import load_config, load_server_config
    from digestbot.config.models import Config
    from digestbot.config.paths import OutboxConfig, SourceConfig, StoreConfig, TemplatesConfig
    from digestbot.config.problems import ConfigError
    from digestbot.config.running import DeliveryConfig, ScheduleConfig, ServerConfig, SiteConfig
    from digestbot.config.targets_file import TargetsFile
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "check": ("check_config",),
            "loader": ("load_config", "load_server_config"),
            "base": ("reveal",),
            "channels": (
                "EmailConfig",
                "EmailTarget",
                "SlackConfig",
                "SlackRate",
                "SlackTarget",
                "TelegramConfig",
                "TelegramRate",
                "TelegramTarget",
                "Transport",
            ),
            "models": ("Config",),
            "paths": ("OutboxConfig", "SourceConfig", "StoreConfig", "TemplatesConfig"),
            "problems": ("ConfigError",),
            "running": ("DeliveryConfig", "ScheduleConfig", "ServerConfig", "SiteConfig"),
            "targets_file": ("TargetsFile",),
        },
    )

__all__ = [
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
    "load_server_config",
    "reveal",
]
