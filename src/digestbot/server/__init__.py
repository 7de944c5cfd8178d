"""The HTTP side of digestbot: Slack `/today`, email unsubscribe, `/healthz`, `/metrics`."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.server.app import AppStore, background_of, build_app, metrics_app
    from digestbot.server.background import BackgroundWork
    from digestbot.server.body import read_body_within
    from digestbot.server.health import HealthCheck, Heartbeat, store_health
    from digestbot.server.health_probe import Verdict, healthz_url, probe
    from digestbot.server.metrics import METRICS_CONTENT_TYPE, Metrics
    from digestbot.server.serving import Deadlines, PortUnavailable, bind, serve
    from digestbot.server.slack_commands import SlashCommands, SlashSettings
    from digestbot.server.slack_replies import (
        CONTINUED,
        MAX_RESPONSE_POSTS,
        ResponseType,
        response_messages,
    )
    from digestbot.server.unsubscribe import UnsubscribePages, unsubscribe_address
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "app": ("AppStore", "background_of", "build_app", "metrics_app"),
            "background": ("BackgroundWork",),
            "body": ("read_body_within",),
            "health": ("HealthCheck", "Heartbeat", "store_health"),
            "health_probe": ("Verdict", "healthz_url", "probe"),
            "metrics": ("METRICS_CONTENT_TYPE", "Metrics"),
            "serving": ("Deadlines", "PortUnavailable", "bind", "serve"),
            "slack_commands": ("SlashCommands", "SlashSettings"),
            "slack_replies": (
                "CONTINUED",
                "MAX_RESPONSE_POSTS",
                "ResponseType",
                "response_messages",
            ),
            "unsubscribe": ("UnsubscribePages", "unsubscribe_address"),
        },
    )

__all__ = [
    "CONTINUED",
    "MAX_RESPONSE_POSTS",
    "METRICS_CONTENT_TYPE",
    "AppStore",
    "BackgroundWork",
    "Deadlines",
    "HealthCheck",
    "Heartbeat",
    "Metrics",
    "PortUnavailable",
    "ResponseType",
    "SlashCommands",
    "SlashSettings",
    "UnsubscribePages",
    "Verdict",
    "background_of",
    "bind",
    "build_app",
    "healthz_url",
    "metrics_app",
    "probe",
    "read_body_within",
    "response_messages",
    "serve",
    "store_health",
    "unsubscribe_address",
]
