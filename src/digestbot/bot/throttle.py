"""Per-user budget for readers' commands, on Telegram and Slack alike: at most `limit` requests
in any `period` seconds (a sliding window). Over budget, the decision says whether to send the
one "please wait" notice of this window or stay silent (Slack, which must answer every
command, says it each time), so a flood of commands cannot become a flood of replies that eats
the bot's shared limits for everyone else."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"  # do the work
    NOTIFY = "notify"  # refuse, and say so once
    SILENT = "silent"  # refuse without a word: this window's notice was already sent


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    retry_after: float = 0.0  # seconds until the user has budget again (0 when allowed)


@dataclass(slots=True)
class _User:
    times: deque[float] = field(default_factory=deque)
    quiet_until: float = float("-inf")


class UserThrottle:
    def __init__(
        self, limit: int, period: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a throttle needs limit >= 1 and period > 0")
        self.limit, self.period = limit, period
        self._clock = clock
        self._users: dict[Hashable, _User] = {}
        self._last_sweep = clock()

    def check(self, user: Hashable) -> Decision:
        """Decide and record in one step: there is no await in here, so concurrent handlers
        cannot both take the last slot."""
        now = self._clock()
        self._sweep(now)
        state = self._users.setdefault(user, _User())
        self._expire(state, now)
        if len(state.times) < self.limit:
            state.times.append(now)
            return Decision(Verdict.ALLOW)
        wait = max(state.times[0] + self.period - now, 1e-9)
        if now < state.quiet_until:
            return Decision(Verdict.SILENT, wait)
        state.quiet_until = now + wait
        return Decision(Verdict.NOTIFY, wait)

    def tracked(self) -> int:
        """How many users the throttle currently remembers."""
        return len(self._users)

    def _expire(self, state: _User, now: float) -> None:
        while state.times and state.times[0] <= now - self.period:
            state.times.popleft()

    def _sweep(self, now: float) -> None:
        # Forget users idle for a whole period: memory follows recent users, not all users ever.
        if now - self._last_sweep < self.period:
            return
        self._last_sweep = now
        for user in list(self._users):
            state = self._users[user]
            self._expire(state, now)
            if not state.times and now >= state.quiet_until:
                del self._users[user]


__all__ = ["Decision", "UserThrottle", "Verdict"]
