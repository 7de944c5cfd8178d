"""A local Telegram Bot API that behaves like the real one where digestbot can tell:
token check, HTML entity parsing and the 4096 UTF-16 limit, replies as heavy as the real ones
(the sent text's entities echoed back), rate limits answered with 429 and retry_after (a paid
broadcast, `allow_paid_broadcast`, up to 1,000/s bot-wide), and scripted per-chat faults
(blocked, kicked, not found, migrated, 5xx, slow, dropped connections). It records every
request and every accepted message.

    with TelegramFake(token="123:ABC...") as fake:        # or fake.start() / fake.stop()
        TelegramChannel(fake.token, fake.url)
        fake.block("42"); fake.fail_next(2); fake.slow("7", delay=1.0)
        fake.messages, fake.rate_limited, fake.requests

Standalone (benchmarks, subprocess tests):
    python -m tests.fakes.telegram_server --port 8081 --token 123:ABC... [--paid-broadcast]
    GET /_fake/stats  → {"messages": n, "rate_limited": n, "requests": n}
    GET /_fake/messages[?chat_id=C]  → every accepted message (to C), with its `time`
    POST /_fake/push_message {"chat_id": C, "text": T}  → {"update_id": n, "time": t}
      (a reader's message for getUpdates; `time` on the fake's clock, as messages' `time`)
    POST /_fake/flood {"seconds": S, "chat_id": C or "*"}  → the next request answers 429
      with retry_after S (`flood`)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from aiohttp import web

from tests.fakes._server import (
    BackgroundServer,
    FaultScript,
    SlidingWindow,
    TokenBucket,
    drop_connection,
    read_params,
)
from tests.fakes.telegram_html import utf16_len
from tests.fakes.telegram_messages import LiveMessage, MessageBook, check_text

DEFAULT_TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghijk"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Digest", "username": "digest_fake_bot"}
_JSON_PARAMS = (
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "commands",
    "entities",
    "allowed_updates",
)
_CHAT_METHODS = frozenset(
    {"sendmessage", "getchat", "editmessagetext", "deletemessage", "getchatmember"}
)
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

FaultKind = Literal[
    "blocked", "kicked", "not_found", "migrated", "error", "slow", "drop", "flood"
]


@dataclass(frozen=True, slots=True)
class TelegramLimits:
    """Telegram's published limits. A sendMessage with `allow_paid_broadcast` may go past the
    bot-wide ~30/s, up to `paid_per_second` (Telegram charges 0.1 Stars for each message above
    the free rate); one without it is refused while the bot is over 30/s. `paid_broadcast()`
    treats every message as paid (for benchmarks whose client predates the parameter)."""

    private_per_second: int = 1
    group_per_minute: int = 20
    global_per_second: int = 30
    paid_per_second: int = 1000
    enabled: bool = True

    @classmethod
    def paid_broadcast(cls) -> TelegramLimits:
        return cls(global_per_second=1000)

    @classmethod
    def unlimited(cls) -> TelegramLimits:
        return cls(enabled=False)


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat_id: str
    message_id: int
    text: str  # as sent (HTML source)
    parse_mode: str | None
    link_preview_options: dict[str, Any] | None
    time: float  # time.time() when accepted
    params: dict[str, Any] = field(repr=False)
    reply_to_message_id: int | None = None  # the message this one answers, as Telegram shows it


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str  # Bot API method as written in the URL
    http_method: str
    params: dict[str, Any]
    status: int
    time: float
    content_type: str = ""  # how the parameters came: JSON, form or multipart


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    times: int | None = None  # None: for ever
    status: int = 502
    delay: float = 0.0
    new_chat_id: str | None = None
    deliver: bool = False  # drop: record the message before hanging up
    description: str = ""  # error: the body's description (default: the status's own text)


def _bot_bucket(limits: TelegramLimits) -> TokenBucket:
    return TokenBucket(limits.global_per_second, burst=limits.global_per_second)


def _paid_bucket(limits: TelegramLimits) -> TokenBucket:
    return TokenBucket(limits.paid_per_second, burst=limits.paid_per_second)


def is_group(chat_id: str) -> bool:
    return chat_id.startswith(("-", "@"))


def _chat(chat_id: str) -> dict[str, Any]:
    if chat_id.startswith("@"):
        return {"id": -1009999999999, "type": "channel", "title": chat_id, "username": chat_id[1:]}
    if chat_id.startswith("-100"):
        return {"id": int(chat_id), "type": "supergroup", "title": f"Group {chat_id}"}
    if chat_id.startswith("-"):
        return {"id": int(chat_id), "type": "group", "title": f"Group {chat_id}"}
    return {"id": int(chat_id), "type": "private", "first_name": f"User {chat_id}"}


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


class TelegramFake(BackgroundServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        limits: TelegramLimits | None = None,
        long_poll_cap: float = 1.0,
    ) -> None:
        super().__init__(port, clock)
        self.token = token
        self.limits = limits or TelegramLimits()
        self.long_poll_cap = long_poll_cap
        self.messages: list[SentMessage] = []  # every accepted sendMessage, in order
        self.edits: list[SentMessage] = []  # every accepted (modifying) editMessageText
        self.deletions: list[tuple[str, int]] = []  # (chat_id, message_id) deleted
        self.book = MessageBook()  # what each chat shows now
        self.requests: list[RecordedRequest] = []
        self.rate_limited = 0
        # A stricter Telegram (or one that changed its rules): see refuse_form.
        self.refused_html = False
        self.longest_text: int | None = None
        self.rate_limited_by_chat: dict[str, int] = {}
        self.floods: list[float] = []  # time.time() of each scripted 429 (`flood`)
        self.commands: list[dict[str, Any]] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self._faults: FaultScript[Fault] = FaultScript()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[str, itertools.count[int]] = {}
        self._chat_windows: dict[str, SlidingWindow | TokenBucket] = {}
        self._global_window = _bot_bucket(self.limits)
        self._paid_window = _paid_bucket(self.limits)
        self._update_event: asyncio.Event | None = None
        self._members: dict[tuple[str, int], MemberStatus] = {}
        self._deleted: set[tuple[str, int]] = set()
        self._existing: set[tuple[str, int]] = set()  # (chat, message id) a reply may answer

    # ----- scripting -------------------------------------------------------------------

    def add_fault(self, chat_id: str, fault: Fault) -> None:
        self._faults.add(str(chat_id), fault)

    def block(self, chat_id: str) -> None:
        self.add_fault(chat_id, Fault("blocked"))

    def kick(self, chat_id: str) -> None:
        self.add_fault(chat_id, Fault("kicked"))

    def forget(self, chat_id: str) -> None:
        """From now on the chat does not exist (400 chat not found)."""
        self.add_fault(chat_id, Fault("not_found"))

    def migrate(self, chat_id: str, new_chat_id: str) -> None:
        self.add_fault(chat_id, Fault("migrated", new_chat_id=str(new_chat_id)))

    def fail_next(
        self, n: int = 1, *, status: int = 502, chat_id: str = "*", description: str = ""
    ) -> None:
        """The next `n` requests (to `chat_id`, or any request for "*") answer `status`, with
        `description` in the body when given (a proxy or an API echoing what it was sent)."""
        self.add_fault(chat_id, Fault("error", times=n, status=status, description=description))

    def flood(self, seconds: int, chat_id: str = "*") -> None:
        """The next request (to `chat_id`, or any for "*") answers 429 with `retry_after`
        = `seconds`, as Telegram does when it puts the bot on hold (counted in `floods`, not
        in `rate_limited`: no limit of ours was broken)."""
        self.add_fault(chat_id, Fault("flood", times=1, delay=float(seconds)))

    def slow(self, chat_id: str = "*", *, delay: float, times: int | None = None) -> None:
        """Accept and record the message, then answer only after `delay` seconds."""
        self.add_fault(chat_id, Fault("slow", times=times, delay=delay))

    def drop(self, chat_id: str = "*", *, times: int | None = 1, deliver: bool = False) -> None:
        """Hang up without an answer; with `deliver`, after recording the message."""
        self.add_fault(chat_id, Fault("drop", times=times, deliver=deliver))

    def refuse_edits(self, chat_id: str) -> None:
        """Telegram answers "message can't be edited" for this chat's messages from now on."""
        with self.lock:
            self.book.uneditable.add(str(chat_id))

    def age(self, chat_id: str, hours: float) -> None:
        """Make the chat's messages `hours` older (deleteMessage refuses after 48 hours)."""
        with self.lock:
            self.book.age(str(chat_id), hours * 3600)

    def clear_faults(self) -> None:
        self._faults.clear()

    def refuse_form(self, *, html: bool = False, longer_than: int | None = None) -> None:
        """Refuse messages by their shape, as Telegram does: with `html`, every HTML message
        ("can't parse entities", as after a rule change about a tag); with `longer_than`,
        every message whose visible text is longer than that many UTF-16 units ("message is
        too long", as if the limit were lower)."""
        with self.lock:
            self.refused_html = html
            self.longest_text = longer_than

    def set_limits(self, limits: TelegramLimits) -> None:
        with self.lock:
            self.limits = limits
            self._chat_windows.clear()
            self._global_window = _bot_bucket(limits)
            self._paid_window = _paid_bucket(limits)

    def delete_message(self, chat_id: str, message_id: int) -> None:
        """As if an admin (or, in a private chat, the reader) deleted it: replies to it find
        no message, and the bot can no longer edit or delete it."""
        with self.lock:
            self._deleted.add((str(chat_id), int(message_id)))
            self.book.delete(str(chat_id), int(message_id))

    def set_member(self, chat_id: str, user_id: int, status: MemberStatus) -> None:
        """What getChatMember answers for this user in this chat (default: "member")."""
        with self.lock:
            self._members[(str(chat_id), int(user_id))] = status

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for getUpdates; returns its update_id."""
        with self.lock:
            update_id = next(self._update_ids)
            self._updates.append({**update, "update_id": update_id})
        if self._update_event is not None:
            self.loop.call_soon_threadsafe(self._update_event.set)
        return update_id

    def push_message(self, chat_id: str, text: str, *, user_id: int | None = None) -> int:
        """Queue a text message from a user; a leading /command gets its bot_command entity."""
        chat = _chat(str(chat_id))
        sender = {"id": user_id or abs(int(chat["id"])), "is_bot": False, "first_name": "Reader"}
        message: dict[str, Any] = {
            "message_id": self._next_message_id(str(chat_id)),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push_update({"message": message})

    def push_callback_query(
        self, chat_id: str, data: str, *, message_id: int = 1, user_id: int | None = None
    ) -> int:
        chat = _chat(str(chat_id))
        sender = {"id": user_id or abs(int(chat["id"])), "is_bot": False, "first_name": "Reader"}
        query = {
            "id": f"cb{time.monotonic_ns()}",
            "from": sender,
            "chat_instance": "1",
            "data": data,
            "message": {"message_id": message_id, "chat": chat, "date": int(time.time())},
        }
        return self.push_update({"callback_query": query})

    # ----- inspection ------------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[SentMessage]:
        with self.lock:
            return [m for m in self.messages if m.chat_id == str(chat_id)]

    def shown_in(self, chat_id: str) -> list[LiveMessage]:
        """The chat as its reader sees it now: messages not deleted, with their latest text."""
        with self.lock:
            return [replace(m) for m in self.book.shown(str(chat_id))]

    def edits_in(self, chat_id: str) -> list[SentMessage]:
        with self.lock:
            return [e for e in self.edits if e.chat_id == str(chat_id)]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "messages": len(self.messages),
                "rate_limited": self.rate_limited,
                "rate_limited_by_chat": dict(self.rate_limited_by_chat),
                "requests": len(self.requests),
                "floods": list(self.floods),
            }

    # ----- server ----------------------------------------------------------------------

    def build_app(self) -> web.Application:
        self._update_event = asyncio.Event()
        app = web.Application()
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_get("/_fake/messages", self._dump_messages)
        app.router.add_post("/_fake/push_message", self._push_message)
        app.router.add_post("/_fake/flood", self._flood)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _stats(self, _: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _dump_messages(self, request: web.Request) -> web.Response:
        chat = request.query.get("chat_id")
        with self.lock:
            body = [
                asdict(replace(m, params={}))
                for m in self.messages
                if chat is None or m.chat_id == chat
            ]
        return web.json_response(body)

    async def _push_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        pushed_at = time.time()
        update_id = self.push_message(str(body["chat_id"]), str(body["text"]))
        return web.json_response({"update_id": update_id, "time": pushed_at})

    async def _flood(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.flood(int(body["seconds"]), str(body.get("chat_id", "*")))
        return web.json_response({"ok": True})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        head, _, method = request.path.lstrip("/").partition("/")
        params = await _read_params(request)
        response = await self._dispatch(request, head, method, params)
        with self.lock:
            self.requests.append(
                RecordedRequest(
                    method,
                    request.method,
                    params,
                    response.status,
                    time.time(),
                    request.content_type,
                )
            )
        return response

    async def _dispatch(
        self, request: web.Request, head: str, method: str, params: dict[str, Any]
    ) -> web.StreamResponse:
        if not head.startswith("bot") or not method:
            return _error(404, "Not Found")
        if head[3:] != self.token:
            return _error(401, "Unauthorized")
        name = method.lower()
        fault = self._faults.take(str(params.get("chat_id", "")) if name in _CHAT_METHODS else "")
        if fault is not None:
            early = await self._apply_fault(request, fault, name, params)
            if early is not None:
                return early
        handler = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "setmycommands": self._set_my_commands,
            "getupdates": self._get_updates,
            "answercallbackquery": self._answer_callback_query,
            "editmessagetext": self._edit_message_text,
            "deletemessage": self._delete_message,
            "deletewebhook": self._delete_webhook,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
        }.get(name)
        if handler is None:
            return _error(404, "Not Found")
        if name == "sendmessage":
            await self.gate()
        response = await handler(params)
        if fault is not None and fault.kind == "slow" and response.status == 200:
            await asyncio.sleep(fault.delay)
        return response

    async def _apply_fault(
        self, request: web.Request, fault: Fault, name: str, params: dict[str, Any]
    ) -> web.StreamResponse | None:
        """An answer that replaces the normal one, or None to carry on normally."""
        if fault.kind == "error":
            default = "Bad Gateway" if fault.status == 502 else "Internal"
            return _error(fault.status, fault.description or default)
        if fault.kind == "flood":
            seconds = int(fault.delay)
            with self.lock:
                self.floods.append(time.time())
            return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        if fault.kind == "blocked":
            return _error(403, "Forbidden: bot was blocked by the user")
        if fault.kind == "kicked":
            return _error(403, "Forbidden: bot was kicked from the group chat")
        if fault.kind == "not_found":
            return _error(400, "Bad Request: chat not found")
        if fault.kind == "migrated":
            return _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=int(fault.new_chat_id or 0),
            )
        if fault.kind == "drop":
            if fault.deliver and name == "sendmessage":
                await self._send_message(params)
            return await drop_connection(request)
        return None  # slow: handled after the normal answer is ready

    def _next_message_id(self, chat_id: str) -> int:
        with self.lock:
            counter = self._message_ids.setdefault(chat_id, itertools.count(1))
            message_id = next(counter)
            self._existing.add((chat_id, message_id))
            return message_id

    def _rate_limit_wait(self, chat_id: str, now: float, *, paid: bool) -> float:
        limits = self.limits
        if not limits.enabled:
            return 0.0
        window = self._chat_windows.get(chat_id)
        if window is None:
            window = (
                SlidingWindow(limits.group_per_minute, 60.0)
                if is_group(chat_id)
                else TokenBucket(limits.private_per_second, burst=1, tolerance=0.05)
            )
            self._chat_windows[chat_id] = window
        bot_window = self._paid_window if paid else self._global_window
        wait = max(window.wait_time(now), bot_window.wait_time(now))
        if wait <= 0:
            window.add(now)
            self._paid_window.add(now)
            # Every message counts towards the free rate; a paid one empties its bucket but
            # never runs it into debt, so free messages pass again soon after the broadcast.
            self._global_window.add(now, saturate=paid)
        return wait

    def _throttled(self, chat_id: str, *, paid: bool = False) -> web.Response | None:
        """The 429 for a request to `chat_id` over the limits (sends, edits and deletes all
        count; only a paid sendMessage may pass the free bot-wide rate), or None after
        counting it. The caller holds the lock."""
        wait = self._rate_limit_wait(chat_id, self.now(), paid=paid)
        if wait <= 0:
            return None
        self.rate_limited += 1
        self.rate_limited_by_chat[chat_id] = self.rate_limited_by_chat.get(chat_id, 0) + 1
        seconds = max(1, math.ceil(wait))
        return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    def _form_refusal(self, parse_mode: object, shown: str) -> str | None:
        if self.refused_html and parse_mode == "HTML":
            return 'Bad Request: can\'t parse entities: Unsupported start tag "b" at byte offset 0'
        if self.longest_text is not None and utf16_len(shown) > self.longest_text:
            return "Bad Request: message is too long"
        return None

    async def _send_message(self, params: dict[str, Any]) -> web.Response:
        chat_id = str(params.get("chat_id", ""))
        if not chat_id:
            return _error(400, "Bad Request: chat_id is empty")
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        shown, entities, problem = check_text(params)
        if problem is None:
            problem = self._form_refusal(parse_mode, shown)
        if problem is not None:
            return _error(400, problem)
        reply_to, refusal = self._reply_target(chat_id, params)
        if refusal is not None:
            return refusal
        paid = _truthy(params.get("allow_paid_broadcast"))
        with self.lock:
            if (refusal := self._throttled(chat_id, paid=paid)) is not None:
                return refusal
            message_id = self._next_message_id(chat_id)
            preview = params.get("link_preview_options")
            self.messages.append(
                SentMessage(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=text,
                    parse_mode=parse_mode,
                    link_preview_options=preview if isinstance(preview, dict) else None,
                    time=time.time(),
                    params=params,
                    reply_to_message_id=reply_to,
                )
            )
            self.book.add(
                LiveMessage(
                    chat_id,
                    message_id,
                    text,
                    parse_mode,
                    params.get("reply_markup"),
                    sent_at=self.now(),
                    reply_to=reply_to,
                )
            )
        result: dict[str, Any] = {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": _chat(chat_id),
            "date": int(time.time()),
            "text": shown,
        }
        _formatting(result, entities, params)
        if reply_to is not None:
            result["reply_to_message"] = {
                "message_id": reply_to,
                "chat": _chat(chat_id),
                "date": int(time.time()),
            }
        return _ok(result)

    def _reply_target(
        self, chat_id: str, params: dict[str, Any]
    ) -> tuple[int | None, web.Response | None]:
        """The message a sendMessage answers (reply_parameters, or the older
        reply_to_message_id), checked like Telegram: a message that is not in this chat (never
        sent, or deleted) is a 400 unless allow_sending_without_reply, which sends it plain."""
        wanted = params.get("reply_parameters")
        message_id: Any  # the request's JSON value, whatever it is: int() below judges it
        if isinstance(wanted, dict):
            message_id, allow = wanted.get("message_id"), wanted.get("allow_sending_without_reply")
        elif "reply_to_message_id" in params:
            message_id = params["reply_to_message_id"]
            allow = params.get("allow_sending_without_reply")
        else:
            return None, None
        try:
            target = int(message_id)
        except (TypeError, ValueError):
            return None, _error(400, "Bad Request: invalid reply parameters specified")
        with self.lock:
            key = (chat_id, target)
            exists = key in self._existing and key not in self._deleted
        if exists:
            return target, None
        if _truthy(allow):
            return None, None
        return None, _error(400, "Bad Request: message to be replied not found")

    async def _edit_message_text(self, params: dict[str, Any]) -> web.Response:
        chat_id = str(params.get("chat_id", ""))
        try:
            message_id = int(params.get("message_id", 0))
        except ValueError:
            return _error(400, "Bad Request: message identifier is not specified")
        shown, entities, problem = check_text(params)
        if problem is None:  # an edit's text is checked like a new message's
            problem = self._form_refusal(params.get("parse_mode"), shown)
        with self.lock:
            problem = self.book.edit_problem(chat_id, message_id, params) or problem
            if problem is not None:
                return _error(400, problem)
            if (refusal := self._throttled(chat_id)) is not None:
                return refusal
            self.book.apply_edit(chat_id, message_id, params)
            self.edits.append(
                SentMessage(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=str(params.get("text", "")),
                    parse_mode=params.get("parse_mode"),
                    link_preview_options=None,
                    time=time.time(),
                    params=params,
                )
            )
        result: dict[str, Any] = {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": _chat(chat_id),
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "text": shown,
        }
        _formatting(result, entities, params)
        return _ok(result)

    async def _delete_message(self, params: dict[str, Any]) -> web.Response:
        chat_id = str(params.get("chat_id", ""))
        try:
            message_id = int(params.get("message_id", 0))
        except ValueError:
            return _error(400, "Bad Request: message identifier is not specified")
        with self.lock:
            problem = self.book.delete_problem(chat_id, message_id, self.now())
            if problem is not None:
                return _error(400, problem)
            if (refusal := self._throttled(chat_id)) is not None:
                return refusal
            self.book.delete(chat_id, message_id)
            self._deleted.add((chat_id, message_id))
            self.deletions.append((chat_id, message_id))
        return _ok(True)

    async def _get_me(self, _: dict[str, Any]) -> web.Response:
        return _ok(
            {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _set_my_commands(self, params: dict[str, Any]) -> web.Response:
        commands = params.get("commands")
        if not isinstance(commands, list):
            return _error(400, "Bad Request: can't parse commands JSON object")
        with self.lock:
            self.commands = commands
        return _ok(True)

    async def _answer_callback_query(self, params: dict[str, Any]) -> web.Response:
        with self.lock:
            self.answered_callbacks.append(params)
        return _ok(True)

    async def _delete_webhook(self, _: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _get_chat(self, params: dict[str, Any]) -> web.Response:
        chat_id = str(params.get("chat_id", ""))
        if not chat_id:
            return _error(400, "Bad Request: chat not found")
        # getChat answers a ChatFullInfo, which has a few more required fields.
        return _ok({**_chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11})

    async def _get_chat_member(self, params: dict[str, Any]) -> web.Response:
        chat_id = str(params.get("chat_id", ""))
        try:
            user_id = int(params.get("user_id", ""))
        except ValueError:
            return _error(400, "Bad Request: invalid user_id specified")
        if not chat_id:
            return _error(400, "Bad Request: chat not found")
        with self.lock:
            status = self._members.get((chat_id, user_id), "member")
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = dict.fromkeys(_ADMIN_RIGHTS, True)
            member.update(rights, can_be_edited=False, is_anonymous=False)
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            return _error(400, "Bad Request: the fake does not model restricted members")
        return _ok(member)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        timeout = min(float(params.get("timeout", 0) or 0), self.long_poll_cap)
        deadline = self.now() + timeout
        assert self._update_event is not None
        while True:
            with self.lock:
                if offset:
                    # Telegram forgets updates below the offset: they are confirmed.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = [u for u in self._updates if u["update_id"] >= offset][:limit]
                self._update_event.clear()
            remaining = deadline - self.now()
            if pending or remaining <= 0:
                return _ok(pending)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)


def _formatting(result: dict[str, Any], entities: list[Any], params: dict[str, Any]) -> None:
    """What a Message says about its formatting, as the Bot API answers it: the entities of
    the parsed text, the preview options and the keyboard it was sent with."""
    if entities:
        result["entities"] = entities
    preview = params.get("link_preview_options")
    if isinstance(preview, dict):
        result["link_preview_options"] = preview
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        result["reply_markup"] = markup


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


async def _read_params(request: web.Request) -> dict[str, Any]:
    params = await read_params(request)
    for key in _JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    if "chat_id" in params:
        params["chat_id"] = str(params["chat_id"])
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fake of the Telegram Bot API")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--paid-broadcast", action="store_true")
    parser.add_argument("--no-limits", action="store_true")
    args = parser.parse_args()
    limits = (
        TelegramLimits.unlimited()
        if args.no_limits
        else TelegramLimits.paid_broadcast()
        if args.paid_broadcast
        else TelegramLimits()
    )
    TelegramFake(args.token, port=args.port, limits=limits).serve_forever("telegram fake")


if __name__ == "__main__":
    main()
