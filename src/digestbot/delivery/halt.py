"""A channel stopped as a whole during one fan-out.

Some answers concern every target of a channel, not the one being sent to: a wrong or revoked
token (Slack invalid_auth / token_revoked / account_inactive, Telegram 401/404), a refused SMTP
login, a mail server that cannot be reached. Sending on to the next target would only collect
the same answer once per target, so the first such answer trips the channel's halt: nothing
else leaves on it, and its targets stay pending (never failed) for `retry` or the next publish
once an operator has fixed the cause."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable

from digestbot.channels.errors import (
    ChannelError,
    PermanentError,
    Scope,
    TargetGone,
    TransientError,
)
from digestbot.delivery.attempts import RetryPolicy
from digestbot.delivery.pacing import backoff_delay

log = logging.getLogger(__name__)


def is_channel_wide(error: ChannelError | None) -> bool:
    return error is not None and error.scope is Scope.CHANNEL


class ChannelHalt:
    """Tripped by the first channel-wide answer of a fan-out; read before every request."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: ChannelError | None = None

    @property
    def tripped(self) -> bool:
        return self.error is not None

    @property
    def may_recover(self) -> bool:
        """A server that was unreachable may come back by itself; a refused credential
        waits for an operator."""
        return isinstance(self.error, TransientError)

    async def wait_out(
        self,
        channel: str,
        probe: Callable[[], Awaitable[None]],
        policy: RetryPolicy,
        *,
        rng: random.Random,
        sleep: Callable[[float], Awaitable[None]],
    ) -> str | None:
        """After the trip, once every request out has come back: None when the channel works
        again (an unreachable server came back: one `probe` per backoff step, not one try
        per target) and the halt is cleared; else why it stays stopped for this run."""
        assert self.error is not None
        log.warning("%s stopped: %s", channel, self.error.detail)
        if not self.may_recover:
            return self.error.detail
        why = await until_open(probe, policy, rng=rng, sleep=sleep, failed=1)
        if why is None:
            log.info("%s works again; resuming", channel)
            self.clear()
        return why

    def trip(self, error: ChannelError) -> None:
        if self.error is None:
            self.error = error

    def clear(self) -> None:
        self.error = None


async def until_open(
    connect: Callable[[], Awaitable[None]],
    policy: RetryPolicy,
    *,
    rng: random.Random,
    sleep: Callable[[float], Awaitable[None]],
    failed: int = 0,
) -> str | None:
    """Call `connect` (a channel's login, which is also its probe) until it works, backing
    off between tries of a transient failure, `failed` tries having failed already. None once
    it works, else why the channel stays unusable."""
    attempt = failed
    while True:
        if attempt:
            await sleep(backoff_delay(attempt, policy.backoff_base, policy.backoff_cap, rng))
        attempt += 1
        try:
            await connect()
        except (PermanentError, TargetGone) as exc:
            return exc.detail
        except ChannelError as exc:
            if attempt >= policy.max_attempts:
                return f"{exc.detail} (after {attempt} attempts)"
        else:
            return None


__all__ = ["ChannelHalt", "is_channel_wide", "until_open"]
