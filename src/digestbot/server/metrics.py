"""Prometheus metrics on a registry of our own, so two apps in one process (tests, or a
future second server) never collide in the global registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """What the publisher, the slash command and the unsubscribe page report."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._deliveries = Counter(
            "digestbot_deliveries_total",
            "Deliveries finished, by channel and final status.",
            ["channel", "status"],
            registry=self.registry,
        )
        self._last_publish = Gauge(
            "digestbot_last_publish_timestamp_seconds",
            "Unix time of the last finished publish run.",
            registry=self.registry,
        )
        self._subscribers = Gauge(
            "digestbot_active_subscribers",
            "Readers who joined on their own and still receive the digest, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self._slash = Counter(
            "digestbot_slash_commands_total",
            "Slack slash-command requests, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self._unsubscribes = Counter(
            "digestbot_unsubscribe_requests_total",
            "Unsubscribe link requests, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self._signups = Counter(
            "digestbot_signup_requests_total",
            "Email sign-up, confirmation and preference requests, by outcome.",
            ["outcome"],
            registry=self.registry,
        )

    def record_signup(self, outcome: str) -> None:
        self._signups.labels(outcome=outcome).inc()

    def record_delivery(self, channel: str, status: str) -> None:
        self._deliveries.labels(channel=channel, status=str(status)).inc()

    def record_publish(self, timestamp: float) -> None:
        self._last_publish.set(timestamp)

    def set_active_subscribers(self, channel: str, count: int) -> None:
        self._subscribers.labels(channel=channel).set(count)

    def record_slash_command(self, outcome: str) -> None:
        self._slash.labels(outcome=outcome).inc()

    def record_unsubscribe(self, outcome: str) -> None:
        self._unsubscribes.labels(outcome=outcome).inc()

    def exposition(self) -> bytes:
        """The Prometheus text format of everything above."""
        return generate_latest(self.registry)


__all__ = ["METRICS_CONTENT_TYPE", "Metrics"]
