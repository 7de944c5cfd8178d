"""`check-config --online`: log in to every enabled provider the way a publish would, and say
per channel whether it works and, if not, why - before the day's issue depends on it.

The probe is each channel's own `open()`: Telegram getMe, Slack auth.test, SMTP connect
(+ STARTTLS) and AUTH when a username is set. What a provider answers is redacted by
`ChannelError` before it reaches these lines."""

from __future__ import annotations

from dataclasses import dataclass

from digestbot.channels.errors import ChannelError
from digestbot.config import Config
from digestbot.delivery.wiring import build_channel
from digestbot.model import Channel

# What each provider's login asks of it, for the line that says it worked.
_PROBES = {
    Channel.TELEGRAM: "getMe",
    Channel.SLACK: "auth.test",
    Channel.EMAIL: "EHLO, STARTTLS/TLS and AUTH as configured",
}


@dataclass(frozen=True, slots=True)
class ProbeResult:
    channel: Channel
    error: str | None  # None: the provider accepted the credentials
    what: str  # what was asked of it

    @property
    def line(self) -> str:
        if self.error is None:
            return f"{self.channel}: OK ({self.what})"
        return f"{self.channel}: FAILED ({self.what}): {self.error}"


async def probe(config: Config, channel: Channel) -> ProbeResult:
    section = config.channel(channel)
    if section is not None and section.transport == "outbox":
        return ProbeResult(channel, None, "writes to the outbox folder, nothing to log in to")
    client = build_channel(config, channel)
    what = _PROBES[channel]
    try:
        await client.open()
    except ChannelError as exc:
        return ProbeResult(channel, exc.detail, what)
    finally:
        await client.close()
    return ProbeResult(channel, None, what)


async def probe_all(config: Config) -> list[ProbeResult]:
    """Every enabled channel, one after the other (a few requests in all)."""
    return [await probe(config, channel) for channel in config.enabled_channels()]


__all__ = ["ProbeResult", "probe", "probe_all"]
