"""Slash-command response_urls as Slack serves them.

Slack ("Enabling interactivity with slash commands"): a response_url takes up to 5 responses
within 30 minutes of the user's command. Slack does not document the refusal's body; like its
other webhook refusals (invalid_payload, no_text, invalid_blocks, channel_not_found) it is a
plain-text code with a 4xx status, and a refused post does not use up one of the five."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack_blocks import message_problem

MAX_POSTS = 5
LIFETIME_SECONDS = 30 * 60


@dataclass(frozen=True, slots=True)
class ResponsePost:
    response_id: str
    body: dict[str, Any]
    time: float


@dataclass(slots=True)
class ResponseUrls:
    """Which response_urls were handed out and when; what was posted to them. The caller
    holds the fake's lock around every method."""

    accepted: list[ResponsePost] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (id, status, body)
    _issued: dict[str, float] = field(default_factory=dict)  # id → the command's time

    def issue(self, response_id: str, now: float) -> None:
        self._issued.setdefault(response_id, now)

    def post(self, response_id: str, body: Any, now: float) -> tuple[int, str]:
        """(HTTP status, plain-text body) of Slack's answer; records the post either way."""
        status, error = self._refusal(response_id, body, now)
        if error is not None:
            self.refused.append((response_id, status, error))
            return status, error
        self.accepted.append(ResponsePost(response_id, body, time.time()))
        return 200, "ok"

    def _refusal(self, response_id: str, body: Any, now: float) -> tuple[int, str | None]:
        issued = self._issued.get(response_id)
        if issued is None:
            return 404, "no_service"  # not a URL Slack handed out
        if now - issued > LIFETIME_SECONDS:
            return 404, "expired_url"
        if sum(1 for r in self.accepted if r.response_id == response_id) >= MAX_POSTS:
            return 404, "used_url"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        problem = message_problem(body)
        if problem is not None:
            return 400, problem[0]
        return 200, None


__all__ = ["LIFETIME_SECONDS", "MAX_POSTS", "ResponsePost", "ResponseUrls"]
