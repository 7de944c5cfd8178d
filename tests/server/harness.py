"""The server app wired to a SQLite store, the bundled sample issue and a request signer that
does exactly what Slack does (v0:timestamp:body, HMAC-SHA256)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from digestbot.bot.commands import CurrentIssue
from digestbot.model import Issue
from digestbot.rendering import Renderer
from digestbot.server import Heartbeat, Metrics, background_of, build_app
from digestbot.server.slack_replies import ResponseType
from digestbot.store import Store, open_store
from tests.sample import DAY, sample_issue

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
UNSUBSCRIBE_SECRET = "unsubscribe-hmac-secret-for-tests"


@dataclass
class FixedIssues:
    """An IssueProvider that answers with whatever the test put in it."""

    current_issue: CurrentIssue | None
    calls: int = 0
    delay: float = 0.0  # a source that takes a while, like a remote fetch

    async def current(self) -> CurrentIssue | None:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.current_issue

    async def published_on(self, day: dt.date) -> Issue | None:
        found = self.current_issue
        return found.issue if found is not None and found.issue.date == day else None


@dataclass
class ManualClock:
    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now


def slack_headers(
    body: str, secret: str = SIGNING_SECRET, timestamp: float | None = None
) -> dict[str, str]:
    ts = str(int(time.time() if timestamp is None else timestamp))
    mac = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={mac}",
    }


def command_body(text: str, response_url: str, user_id: str = "U123") -> str:
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": user_id,
            "user_name": "reader",
            "command": "/today",
            "text": text,
            "response_url": response_url,
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )


@dataclass
class AppEnv:
    """Builds the app on demand so each test states only the settings it is about."""

    store: Store
    issues: FixedIssues
    metrics: Metrics = field(default_factory=Metrics)
    clock: ManualClock | None = None
    apps: list[Any] = field(default_factory=list)

    def client(
        self,
        *,
        signing_secret: str | None = SIGNING_SECRET,
        response_type: ResponseType = "ephemeral",
        unsubscribe_secret: str | None = UNSUBSCRIBE_SECRET,
        health: Callable[[], bool] | None = None,
        heartbeat: Heartbeat | None = None,
    ) -> httpx.AsyncClient:
        app = build_app(
            store=self.store,
            renderer=Renderer(),
            issues=self.issues,
            slack_signing_secret=signing_secret,
            slack_response_type=response_type,
            unsubscribe_secret=unsubscribe_secret,
            metrics=self.metrics,
            clock=self.clock or time.time,
            today=lambda: DAY,
            health=health,
            heartbeat=heartbeat,
        )
        self.apps.append(app)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://digestbot.test"
        )

    async def settle(self) -> None:
        """Wait until every acknowledged slash command has posted its replies."""
        for app in self.apps:
            await background_of(app).drain()


@pytest.fixture
async def app_env(tmp_path: Path) -> AsyncIterator[AppEnv]:
    store = open_store(f"sqlite:///{tmp_path / 'digestbot.db'}")
    env = AppEnv(store=store, issues=FixedIssues(CurrentIssue(sample_issue(), is_today=True)))
    try:
        yield env
        await env.settle()
    finally:
        store.close()
