"""`/today [YYYY-MM-DD] [variant]` as a Slack slash command.

Slack gives us 3 seconds to answer, and the issue may have to be fetched first, so the
request is verified and acknowledged at once and the digest follows through the command's
response_url from a background task. Nothing happens for a request whose signature does not
verify: no acknowledgement text, no post, no throttle slot used."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from digestbot.bot.commands import (
    DEFAULT_VARIANT,
    VARIANT_HELP,
    IssueProvider,
    TodayRequest,
    parse_today,
    resolve_today,
)
from digestbot.bot.throttle import UserThrottle, Verdict
from digestbot.model import Variant
from digestbot.rendering import Audience, Renderer
from digestbot.server.background import BackgroundWork
from digestbot.server.body import read_body_within
from digestbot.server.metrics import Metrics
from digestbot.server.slack_replies import (
    ResponseType,
    post_replies,
    response_messages,
    text_reply,
)

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 300  # Slack's own advice: older (or newer) than 5 minutes is a replay
MAX_BODY_BYTES = 64 * 1024  # a slash command body is ~1 KB; anything far larger is not Slack

ACK = "正在获取日报… / Fetching the digest…"
NO_ISSUE = "还没有已发布的日报。/ No issue has been published yet."
FAILED = (
    "抱歉，获取日报时出错，请稍后再试。/ Sorry, the digest could not be fetched; try again later."
)
USAGE = f"用法 / Usage: `/today [YYYY-MM-DD] [variant]` — {VARIANT_HELP}"


class _SdkClock(SignatureClock):
    """slack_sdk asks an object for the time; we hand it our (test-movable) clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()


@dataclass(frozen=True, slots=True)
class SlashSettings:
    signing_secret: str | None
    response_type: ResponseType = "ephemeral"
    default_variant: Variant = DEFAULT_VARIANT
    per_user_per_minute: int = 3


def _stale_reason(timestamp: str | None, signature: str | None, now: float) -> str | None:
    """Why a request cannot be Slack's before checking the MAC (for the log line only)."""
    if timestamp is None or signature is None:
        return "missing signature headers"
    try:
        sent = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    if abs(now - sent) > MAX_SKEW_SECONDS:
        return "timestamp outside 5 minutes"
    return None


class SlashCommands:
    def __init__(
        self,
        *,
        settings: SlashSettings,
        renderer: Renderer,
        issues: IssueProvider,
        metrics: Metrics,
        background: BackgroundWork,
        clock: Callable[[], float],
        today: Callable[[], dt.date],
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.issues = issues
        self.metrics = metrics
        self.background = background
        self.clock = clock
        self.today = today
        self.throttle = UserThrottle(settings.per_user_per_minute, 60.0, clock=clock)
        self._verifier = (
            SignatureVerifier(settings.signing_secret, clock=_SdkClock(clock))
            if settings.signing_secret
            else None
        )
        if self._verifier is None:
            log.warning(
                "slack.signing_secret is not set: POST /slack/commands answers 503 until it is"
            )

    async def handle(self, request: Request) -> Response:
        if self._verifier is None:
            log.warning("slash command refused: slack.signing_secret is not configured")
            self.metrics.record_slash_command("not_configured")
            return PlainTextResponse("slash commands are not configured", status_code=503)
        body = await read_body_within(request, MAX_BODY_BYTES)
        if body is None:
            return PlainTextResponse("request too large", status_code=413)
        if not self._verified(request, body):
            self.metrics.record_slash_command("unauthorized")
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return PlainTextResponse("body is not UTF-8", status_code=400)
        form = {name: values[0] for name, values in fields.items()}
        if form.get("ssl_check"):
            return Response(status_code=200)  # Slack's certificate probe wants only a 200
        return self._command(form)

    def _verified(self, request: Request, body: bytes) -> bool:
        assert self._verifier is not None
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        reason = _stale_reason(timestamp, signature, self.clock())
        try:
            valid = reason is None and self._verifier.is_valid(body, timestamp, signature)
        except ValueError:  # non-UTF-8 body or a timestamp the SDK cannot read
            valid = False
        if not valid:
            log.info("slash command rejected (401): %s", reason or "signature mismatch")
        return valid

    def _command(self, form: dict[str, str]) -> Response:
        request = parse_today(form.get("text", ""), self.settings.default_variant)
        if request is None:
            self.metrics.record_slash_command("usage")
            return JSONResponse(text_reply(USAGE))
        response_url = form.get("response_url", "")
        if urlsplit(response_url).scheme not in ("https", "http"):
            self.metrics.record_slash_command("bad_request")
            return PlainTextResponse("missing response_url", status_code=400)
        user = form.get("user_id", "")
        decision = self.throttle.check(user)
        if decision.verdict is not Verdict.ALLOW:
            # Slack wants an answer to every command, so over budget is said every time.
            wait = decision.retry_after
            self.metrics.record_slash_command("throttled")
            return JSONResponse(
                text_reply(
                    f"请求太频繁，请 {int(wait) + 1} 秒后再试。/ "
                    f"Too many requests; try again in {int(wait) + 1} s."
                )
            )
        self.metrics.record_slash_command("accepted")
        self.background.spawn(self._answer(response_url, request), name=f"slash:{user}")
        return JSONResponse(text_reply(ACK))

    async def _answer(self, response_url: str, request: TodayRequest) -> None:
        try:
            answer = await resolve_today(self.issues, request, self.today())
            if answer.issue is None:
                missing = f"{answer.note} / No issue for {request.day}." if answer.note else None
                messages = [text_reply(missing or NO_ISSUE)]
                self.metrics.record_slash_command("no_issue")
            else:
                parts = self.renderer.slack(answer.issue, request.variant, Audience.CHAT)
                messages = response_messages(parts, self.settings.response_type, answer.note)
        except Exception:  # the reader still deserves an answer; the operator, the traceback
            log.exception("slash command: could not prepare the digest")
            self.metrics.record_slash_command("failed")
            messages = [text_reply(FAILED)]
        await post_replies(response_url, messages)


__all__ = ["ACK", "NO_ISSUE", "USAGE", "SlashCommands", "SlashSettings"]
