"""How the service runs: its schedule, its HTTP server and public site, the bot's language,
delivery retries and leases, and the caps on an issue's size."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field, SecretStr, field_validator, model_validator

from digestbot.config.base import Section
from digestbot.config.fields import ClockTime, Duration
from digestbot.config.problems import problem
from digestbot.input_limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_ITEMS
from digestbot.notices import Language


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


__all__ = [
    "BotConfig",
    "DeliveryConfig",
    "LimitsConfig",
    "ScheduleConfig",
    "ServerConfig",
    "SiteConfig",
]
