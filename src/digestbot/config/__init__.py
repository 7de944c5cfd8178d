"""The config file: TOML, `${VAR}` secrets from the environment, and problems named by key."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.config.check import check_config
    from digestbot.config.loader import load_config, load_server_config
    from digestbot.config.models import (
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
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "check": ("check_config",),
            "loader": ("load_config", "load_server_config"),
            "models": (
                "Config",
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
                "TelegramConfig",
                "TelegramRate",
                "TelegramTarget",
                "TemplatesConfig",
                "Transport",
                "reveal",
            ),
            "problems": ("ConfigError",),
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
