"""The HTTP side of digestbot: Slack `/today`, email unsubscribe, `/healthz`, `/metrics`."""

from digestbot.server.app import background_of, build_app
from digestbot.server.background import BackgroundWork
from digestbot.server.body import read_body_within
from digestbot.server.health import HealthCheck, store_health
from digestbot.server.metrics import METRICS_CONTENT_TYPE, Metrics
from digestbot.server.serving import bind, serve
from digestbot.server.slack_commands import SlashCommands, SlashSettings
from digestbot.server.slack_replies import (
    CONTINUED,
    MAX_RESPONSE_POSTS,
    ResponseType,
    response_messages,
)
from digestbot.server.unsubscribe import UnsubscribePages, unsubscribe_address

__all__ = [
    "CONTINUED",
    "MAX_RESPONSE_POSTS",
    "METRICS_CONTENT_TYPE",
    "BackgroundWork",
    "HealthCheck",
    "Metrics",
    "ResponseType",
    "SlashCommands",
    "SlashSettings",
    "UnsubscribePages",
    "background_of",
    "bind",
    "build_app",
    "read_body_within",
    "response_messages",
    "serve",
    "store_health",
    "unsubscribe_address",
]
