"""A local Slack Web API: chat.postMessage and auth.test with Slack's error bodies, Bearer
auth, Block Kit limits (tests/fakes/slack_blocks.py), thread replies, a per-channel rate limit
answered with HTTP 429 and Retry-After, scripted faults - plus slash-command response_urls
(`fake.response_url(id)`, served at `POST /response/<id>`) with Slack's limits on them.

    with SlackFake(token="xoxb-...") as fake:
        SlackChannel(fake.token, fake.api_url)
        fake.not_found("C404"); fake.archive("C0LD"); fake.fail_next(1, status=503)
        fake.posts, fake.rate_limited, fake.responses

Standalone: python -m tests.fakes.slack_server --port 8082 --token xoxb-...
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiohttp import web

from tests.fakes._server import (
    BackgroundServer,
    FaultScript,
    TokenBucket,
    drop_connection,
    read_params,
)
from tests.fakes.slack_blocks import message_problem
from tests.fakes.slack_history import TIER3_PER_MINUTE, ChannelHistory, LivePost
from tests.fakes.slack_responses import ResponsePost, ResponseUrls

DEFAULT_TOKEN = "xoxb-1111-2222-fakeSlackTokenForTests"
# Slack's ~1 message/s per channel. The app paces with no burst, so the fake allows none: a
# second message within the second is a 429, not a tolerated "short burst". 50 ms of tolerance
# covers network jitter between our release and the arrival, as in the Telegram fake.
CHANNEL_TOLERANCE = 0.05

FaultKind = Literal["not_found", "archived", "not_in_channel", "error", "slow", "drop"]


@dataclass(frozen=True, slots=True)
class SlackPost:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    unfurl_links: bool | None
    unfurl_media: bool | None
    time: float
    params: dict[str, Any] = field(repr=False)


@dataclass(slots=True)
class SlackFault:
    kind: FaultKind
    times: int | None = None
    status: int = 500
    delay: float = 0.0
    deliver: bool = False


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _slack_error(error: str, status: int = 200, **headers: str) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=status, headers=headers)


def _error_of(response: web.StreamResponse) -> str | None:
    """Slack's `error` in an ok=false JSON answer, else None."""
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return None
    try:
        body = json.loads(response.body)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("ok") is False:
        return str(body.get("error"))
    return None


def _invalid_blocks(errors: list[str]) -> web.Response:
    """chat.postMessage's answer to blocks Slack cannot accept, with its per-field reasons."""
    body = {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }
    return web.json_response(body)


class SlackFake(BackgroundServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        per_channel_per_second: int | None = 1,
        tier3_per_minute: int | None = TIER3_PER_MINUTE,
        channels: set[str] | None = None,
    ) -> None:
        super().__init__(port, clock)
        self.token = token
        self.per_channel_per_second = per_channel_per_second  # None: no rate limit
        self.channels = channels  # None: every channel id exists
        self.posts: list[SlackPost] = []  # every accepted chat.postMessage, in order
        self.updates: list[SlackPost] = []  # every accepted chat.update
        self.deletions: list[tuple[str, str]] = []  # (channel, ts) deleted
        self.history = ChannelHistory(tier3_per_minute)  # what each channel shows now
        self.response_urls = ResponseUrls()
        self.requests: list[tuple[str, int]] = []  # (API method, HTTP status)
        self.errors: list[tuple[str, str]] = []  # (API method, Slack's `error`) of each refusal
        # Tokens Slack knows but refuses: "token_revoked", "account_inactive" (a deactivated
        # workspace or bot user), "token_expired" - each HTTP 200 with ok false, as Slack does.
        self.refused_tokens: dict[str, str] = {}
        self._revoke_at: tuple[int, str] | None = None
        self.refused_blocks = False  # see refuse_form
        self.longest_text: int | None = None
        self.rate_limited = 0
        self._faults: FaultScript[SlackFault] = FaultScript()
        self._windows: dict[str, TokenBucket] = {}
        self._ts = itertools.count(100, 100)

    @property
    def api_url(self) -> str:
        """What slack_sdk calls base_url."""
        return f"{self.url}/api/"

    def response_url(self, response_id: str) -> str:
        """A slash command's response_url, its 30 minutes counted from now (the invocation)."""
        with self.lock:
            self.response_urls.issue(response_id, self.now())
        return f"{self.url}/response/{response_id}"

    @property
    def responses(self) -> list[ResponsePost]:
        """The response_url posts Slack accepted, in order."""
        return self.response_urls.accepted

    @property
    def response_refusals(self) -> list[tuple[str, int, str]]:
        """(response id, HTTP status, plain-text error) of every refused response_url post."""
        return self.response_urls.refused

    # ----- scripting -------------------------------------------------------------------

    def add_fault(self, channel: str, fault: SlackFault) -> None:
        self._faults.add(channel, fault)

    def not_found(self, channel: str) -> None:
        self.add_fault(channel, SlackFault("not_found"))

    def archive(self, channel: str) -> None:
        self.add_fault(channel, SlackFault("archived"))

    def remove_bot(self, channel: str) -> None:
        self.add_fault(channel, SlackFault("not_in_channel"))

    def fail_next(self, n: int = 1, *, status: int = 500, channel: str = "*") -> None:
        self.add_fault(channel, SlackFault("error", times=n, status=status))

    def slow(self, channel: str = "*", *, delay: float, times: int | None = None) -> None:
        """Record the post, then answer only after `delay` seconds."""
        self.add_fault(channel, SlackFault("slow", times=times, delay=delay))

    def drop(self, channel: str = "*", *, times: int | None = 1, deliver: bool = False) -> None:
        self.add_fault(channel, SlackFault("drop", times=times, deliver=deliver))

    def refuse_updates(self, channel: str) -> None:
        """chat.update answers cant_update_message in this channel from now on."""
        with self.lock:
            self.history.refuse_updates.add(channel)

    def refuse_deletes(self, channel: str) -> None:
        """chat.delete answers cant_delete_message in this channel from now on."""
        with self.lock:
            self.history.refuse_deletes.add(channel)

    def member_deletes(self, channel: str, ts: str) -> None:
        """Someone with the right to (an admin) deleted the message."""
        with self.lock:
            self.history.delete(channel, ts)

    def revoke_after(self, posts: int, error: str = "token_revoked") -> None:
        """Once `posts` messages were accepted, refuse the token with `error` (an admin
        revoked it, or the workspace deactivated the app, in the middle of a fan-out)."""
        with self.lock:
            self._revoke_at = (posts, error)

    def refuse_form(self, *, blocks: bool = False, longer_than: int | None = None) -> None:
        """Refuse posts by their shape, as Slack does: with `blocks`, every post with blocks
        (invalid_blocks, as for a block type the workspace does not allow); with
        `longer_than`, every post whose blocks and text hold more characters (msg_too_long)."""
        with self.lock:
            self.refused_blocks = blocks
            self.longest_text = longer_than

    def clear_faults(self) -> None:
        self._faults.clear()

    # ----- inspection ------------------------------------------------------------------

    def posts_to(self, channel: str) -> list[SlackPost]:
        with self.lock:
            return [p for p in self.posts if p.channel == channel]

    def shown_in(self, channel: str) -> list[LivePost]:
        """The channel as its members see it now: posts not deleted, with their latest text."""
        with self.lock:
            return [replace(p) for p in self.history.shown(channel)]

    def updates_in(self, channel: str) -> list[SlackPost]:
        with self.lock:
            return [u for u in self.updates if u.channel == channel]

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {
                "messages": len(self.posts),
                "rate_limited": self.rate_limited,
                "requests": len(self.requests),
            }

    # ----- server ----------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_post("/response/{response_id}", self._response_url)
        app.router.add_route("*", "/api/{method}", self._handle)
        return app

    async def _stats(self, _: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _response_url(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        with self.lock:
            status, text = self.response_urls.post(
                request.match_info["response_id"], body, self.now()
            )
        return web.Response(status=status, text=text)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        response = await self._dispatch(request, method, params)
        error = _error_of(response)
        with self.lock:
            self.requests.append((method, response.status))
            if error is not None:
                self.errors.append((method, error))
        return response

    async def _dispatch(
        self, request: web.Request, method: str, params: dict[str, Any]
    ) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else str(params.get("token", ""))
        if not token:
            return _slack_error("not_authed")
        with self.lock:
            if self._revoke_at is not None and len(self.posts) >= self._revoke_at[0]:
                self.refused_tokens[self.token] = self._revoke_at[1]
                self._revoke_at = None
        if token in self.refused_tokens:
            return _slack_error(self.refused_tokens[token])
        if token != self.token:
            return _slack_error("invalid_auth")
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://fake.slack.com/",
                    "team": "Fake",
                    "user": "digest",
                    "team_id": "T0001",
                    "user_id": "U0001",
                    "bot_id": "B0001",
                }
            )
        handler = {
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.delete": self._delete_message,
        }.get(method)
        if handler is None:
            return _slack_error("unknown_method", status=404)
        channel = str(params.get("channel", ""))
        fault = self._faults.take(channel)
        if fault is not None:
            if fault.kind == "error":
                return web.Response(status=fault.status, text="upstream error")
            if fault.kind == "not_found":
                return _slack_error("channel_not_found")
            if fault.kind == "archived":
                return _slack_error("is_archived")
            if fault.kind == "not_in_channel":
                return _slack_error("not_in_channel")
            if fault.kind == "drop":
                if fault.deliver:
                    await handler(channel, params)
                return await drop_connection(request)
        response = await handler(channel, params)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        return response

    def _tier3_refusal(self, method: str) -> web.Response | None:
        """The 429 for a Tier 3 call over the workspace's per-minute budget. Holds the lock."""
        wait = self.history.tier3_wait(method, self.now())
        if wait <= 0:
            return None
        self.rate_limited += 1
        return _slack_error(
            "ratelimited", status=429, **{"Retry-After": str(max(1, math.ceil(wait)))}
        )

    def _form_refusal(self, text: Any, blocks: Any) -> web.Response | None:
        """The refusal `refuse_form` asks for, of a post or of an update (Slack checks an
        update's blocks and length as it checks a new message's)."""
        if self.refused_blocks and blocks:
            return _invalid_blocks(["unsupported type: header [json-pointer:/blocks/0/type]"])
        if self.longest_text is not None and (
            len(json.dumps(blocks or [], ensure_ascii=False)) + len(str(text or ""))
            > self.longest_text
        ):
            return _slack_error("msg_too_long")
        return None

    async def _update_message(self, channel: str, params: dict[str, Any]) -> web.Response:
        if not channel or (self.channels is not None and channel not in self.channels):
            return _slack_error("channel_not_found")
        ts = str(params.get("ts", ""))
        if "text" not in params and "blocks" not in params:
            return _slack_error("no_text")
        if "blocks" in params and (problem := message_problem(params)) is not None:
            error, reasons = problem
            return _invalid_blocks(reasons) if reasons else _slack_error(error)
        if (refusal := self._form_refusal(params.get("text"), params.get("blocks"))) is not None:
            return refusal
        with self.lock:
            if (refused := self.history.update_error(channel, ts)) is not None:
                return _slack_error(refused)
            if (refusal := self._tier3_refusal("chat.update")) is not None:
                return refusal
            post = self.history.apply_update(channel, ts, params)
            self.updates.append(
                SlackPost(
                    channel=channel,
                    ts=ts,
                    text=post.text,
                    blocks=post.blocks,
                    thread_ts=post.thread_ts,
                    unfurl_links=None,
                    unfurl_media=None,
                    time=time.time(),
                    params=params,
                )
            )
        message: dict[str, Any] = {"type": "message", "text": post.text or "", "bot_id": "B0001"}
        return web.json_response(
            {"ok": True, "channel": channel, "ts": ts, "text": post.text or "", "message": message}
        )

    async def _delete_message(self, channel: str, params: dict[str, Any]) -> web.Response:
        if not channel or (self.channels is not None and channel not in self.channels):
            return _slack_error("channel_not_found")
        ts = str(params.get("ts", ""))
        with self.lock:
            if (error := self.history.delete_error(channel, ts)) is not None:
                return _slack_error(error)
            if (refusal := self._tier3_refusal("chat.delete")) is not None:
                return refusal
            self.history.delete(channel, ts)
            self.deletions.append((channel, ts))
        return web.json_response({"ok": True, "channel": channel, "ts": ts})

    async def _post_message(self, channel: str, params: dict[str, Any]) -> web.Response:
        if not channel:
            return _slack_error("channel_not_found")
        if self.channels is not None and channel not in self.channels:
            return _slack_error("channel_not_found")
        text = params.get("text")
        blocks = params.get("blocks")
        if (problem := message_problem(params)) is not None:
            error, reasons = problem
            return _invalid_blocks(reasons) if reasons else _slack_error(error)
        if (refusal := self._form_refusal(text, blocks)) is not None:
            return refusal
        thread_ts = params.get("thread_ts") or None
        with self.lock:
            if thread_ts is not None and not any(
                p.channel == channel and p.ts == thread_ts for p in self.posts
            ):
                return _slack_error("thread_not_found")
            if self.per_channel_per_second is not None:
                window = self._windows.setdefault(
                    channel,
                    TokenBucket(self.per_channel_per_second, burst=1, tolerance=CHANNEL_TOLERANCE),
                )
                wait = window.wait_time(self.now())
                if wait > 0:
                    self.rate_limited += 1
                    seconds = str(max(1, math.ceil(wait)))
                    return _slack_error("ratelimited", status=429, **{"Retry-After": seconds})
                window.add(self.now())
            n = next(self._ts)
            ts = f"{1700000000 + n // 1_000_000}.{n % 1_000_000:06d}"
            self.posts.append(
                SlackPost(
                    channel=channel,
                    ts=ts,
                    text=None if text is None else str(text),
                    blocks=blocks,
                    thread_ts=thread_ts,
                    unfurl_links=_bool(params.get("unfurl_links")),
                    unfurl_media=_bool(params.get("unfurl_media")),
                    time=time.time(),
                    params=params,
                )
            )
            self.history.add(
                LivePost(channel, ts, None if text is None else str(text), blocks, thread_ts)
            )
        message: dict[str, Any] = {
            "type": "message",
            "text": text or "",
            "ts": ts,
            "bot_id": "B0001",
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": message})


async def _read_params(request: web.Request) -> dict[str, Any]:
    params = await read_params(request)
    if isinstance(params.get("blocks"), str):
        try:
            params["blocks"] = json.loads(params["blocks"])
        except ValueError:
            params["blocks"] = "invalid"
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fake of the Slack Web API")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--no-limits", action="store_true")
    args = parser.parse_args()
    fake = SlackFake(
        args.token, port=args.port, per_channel_per_second=None if args.no_limits else 1
    )
    fake.serve_forever(f"slack fake (base_url {fake.api_url})")


if __name__ == "__main__":
    main()
