"""The Telegram bot: /start, /stop, /format, /today, /help, /status over long polling.

It runs inside our own asyncio loop next to the scheduler and the web server (`start()` /
`stop()`, never `run_polling()`, which would own the loop). Replies go through the same pacing
as publishing (per chat, per group, per bot), so a busy /today morning cannot push the bot over
Telegram's limits, and each reply's parts leave in order without interleaving with another reply
to the same chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

import telegram.error as tg_error
from telegram import (
    BotCommand,
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from digestbot.bot import texts
from digestbot.bot.commands import IssueProvider, parse_variant, staleness_note
from digestbot.bot.keyboards import CALLBACK_PREFIX, parse_variant_callback, variant_keyboard
from digestbot.bot.throttle import UserThrottle, Verdict
from digestbot.channels.errors import RetryAfter
from digestbot.channels.redact import install_redaction
from digestbot.channels.telegram import DEFAULT_BASE_URL, bot_base_url, map_telegram_error
from digestbot.config import TelegramConfig
from digestbot.delivery.pacing import TelegramPacing
from digestbot.model import Variant
from digestbot.ratelimit import MultiLimiter
from digestbot.rendering import Renderer, TelegramMessage, telegram_length
from digestbot.rendering.limits import TELEGRAM_MAX_UTF16
from digestbot.store import Store

log = logging.getLogger(__name__)

CHANNEL = "telegram"  # the subscribers' channel name in the store
DEFAULT_VARIANT = Variant.TOP5
LINE_SWEEP_SECONDS = 60.0
MAX_SEND_ATTEMPTS = 3  # per message, counting the retries Telegram asks for with retry_after
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
_MANAGERS = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
_GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})
_ALERT_LIMIT = 4000  # characters; far below 4096 UTF-16 units even for astral text halves

Ctx = ContextTypes.DEFAULT_TYPE
StatusText = Callable[[], Awaitable[str]]


class _ChatLine:
    """One chat's outgoing line. The lock keeps one reply's parts together; `ready_at` spaces
    messages from when Telegram *answered* the previous one. The shared limiter spaces them from
    when they left, which is not enough on its own: Telegram counts arrivals, and a first request
    that had to open a connection arrives late enough to make the next one look early."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.ready_at = float("-inf")


def file_base_url(api_base_url: str) -> str | None:
    """The file download prefix beside the API one (`…/file/bot`), or None for PTB's default
    when the configured URL is a `{token}` template we cannot safely rewrite."""
    url = api_base_url.rstrip("/")
    if "{token}" in url:
        return None
    url = url.removesuffix("/bot")
    return f"{url}/file/bot"


class TelegramBot:
    """Readers' commands on Telegram; see the module docstring.

    `today_per_user` and `commands_per_user` are (count, seconds) sliding windows per Telegram
    user. `limiter` may be shared with publishing so both count against one set of limits;
    it must be keyed like `pacing`."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        store: Store,
        renderer: Renderer,
        issues: IssueProvider,
        admin_chat_ids: Collection[str] = (),
        status_text: StatusText | None = None,
        today_per_user: tuple[int, float] = (3, 60.0),
        commands_per_user: tuple[int, float] = (20, 60.0),
        today: Callable[[], dt.date] = dt.date.today,
        clock: Callable[[], float] | None = None,
        pacing: TelegramPacing | None = None,
        limiter: MultiLimiter | None = None,
        poll_timeout: float = 10.0,
    ) -> None:
        install_redaction(token)  # PTB and httpx put the token in every request URL
        self.store = store
        self.renderer = renderer
        self.issues = issues
        self.admin_chat_ids = frozenset(str(a) for a in admin_chat_ids)
        self._status_text = status_text
        self._today = today
        throttle_clock: dict[str, Any] = {} if clock is None else {"clock": clock}
        self._today_throttle = UserThrottle(*today_per_user, **throttle_clock)
        self._command_throttle = UserThrottle(*commands_per_user, **throttle_clock)
        self._pacing = pacing or TelegramPacing()
        self._limiter = limiter or MultiLimiter(self._pacing.limit)
        self._poll_timeout = poll_timeout
        self._chat_gap = 1.0 / self._pacing.per_chat_per_second
        self._lines: dict[int | str, _ChatLine] = {}
        self._lines_swept = time.monotonic()
        self._running = False
        self._initialized = False
        self.app = self._build_application(token, base_url)

    @classmethod
    def from_config(
        cls,
        config: TelegramConfig,
        *,
        store: Store,
        renderer: Renderer,
        issues: IssueProvider,
        status_text: StatusText | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        limiter: MultiLimiter | None = None,
    ) -> TelegramBot:
        """The bot as `[telegram]` describes it (token, api_base_url, admin_chat_ids, rate)."""
        if config.token is None:
            raise ValueError("[telegram] token is required to run the bot")
        rate = config.rate
        return cls(
            config.token.get_secret_value(),
            config.api_base_url,
            store=store,
            renderer=renderer,
            issues=issues,
            admin_chat_ids=config.admin_chat_ids,
            status_text=status_text,
            today=today,
            pacing=TelegramPacing(
                rate.per_chat_per_second, rate.per_group_per_minute, rate.global_per_second
            ),
            limiter=limiter,
        )

    # ----- lifecycle ------------------------------------------------------------------------

    def _build_application(
        self, token: str, base_url: str
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(bot_base_url(base_url))
            .job_queue(None)  # APScheduler is ours; PTB must not start a second scheduler
            # One slow reply (a paced multi-part /today) must not hold up everyone else.
            .concurrent_updates(64)
        )
        files = file_base_url(base_url)
        if files is not None:
            builder = builder.base_file_url(files)
        app = builder.build()
        for name, callback in (
            ("start", self._on_start),
            ("stop", self._on_stop),
            ("format", self._on_format),
            ("today", self._on_today),
            ("help", self._on_help),
            ("status", self._on_status),
        ):
            app.add_handler(CommandHandler(name, callback))
        app.add_handler(
            CallbackQueryHandler(self._on_variant_button, pattern=f"^{CALLBACK_PREFIX}")
        )
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self._on_migrate))
        app.add_handler(ChatMemberHandler(self._on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self._on_error)
        return app

    async def start(self) -> None:
        """Check the token (getMe), publish the command menu, start long polling."""
        if self._running:
            return
        await self._initialize()
        await self.set_commands()
        updater = self.app.updater
        assert updater is not None
        await self.app.start()
        await updater.start_polling(
            timeout=dt.timedelta(seconds=self._poll_timeout),
            allowed_updates=ALLOWED_UPDATES,
            error_callback=self._on_polling_error,
        )
        self._running = True
        log.info("telegram bot @%s polling", self.app.bot.username)

    async def stop(self) -> None:
        """Stop polling (confirming fetched updates), finish running handlers, close HTTP."""
        # Checked piece by piece, so a start() that failed half-way is still torn down.
        self._running = False
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        if self._initialized:
            self._initialized = False
            await self.app.shutdown()

    async def _initialize(self) -> None:
        if self._initialized:
            return
        try:
            await self.app.initialize()
        except tg_error.TelegramError as exc:
            raise map_telegram_error(exc) from exc
        self._initialized = True

    async def set_commands(self) -> None:
        """setMyCommands with the menu from `texts.COMMANDS` (a failure only costs the menu)."""
        try:
            await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
        except tg_error.TelegramError as exc:
            log.warning("telegram setMyCommands failed: %s", map_telegram_error(exc))

    async def send_admin_alert(self, text: str) -> int:
        """Plain-text alert to every admin chat; returns how many chats got it. Failures are
        logged, never raised: an alert about a problem must not become a second problem."""
        await self._initialize()
        if len(text) > _ALERT_LIMIT:
            text = text[: _ALERT_LIMIT - 1] + "…"
        sent = 0
        for chat in sorted(self.admin_chat_ids):
            chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
            line = self._line(chat_id)
            async with line.lock:
                if await self._send(line, chat_id, text) is not None:
                    sent += 1
        return sent

    # ----- sending ---------------------------------------------------------------------------

    def _line(self, chat_id: int | str) -> _ChatLine:
        now = time.monotonic()
        if now - self._lines_swept > LINE_SWEEP_SECONDS:
            # Forget idle chats (nobody sending, spacing over): memory follows active chats.
            self._lines_swept = now
            for key, idle in list(self._lines.items()):
                if not idle.lock.locked() and idle.ready_at < now:
                    del self._lines[key]
        line = self._lines.get(chat_id)
        if line is None:
            line = self._lines[chat_id] = _ChatLine()
        return line

    async def _paced(
        self, line: _ChatLine, chat_id: int | str, call: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Run one Bot API call that counts against the chat's limits (the caller holds
        `line.lock`); honour retry_after. None (after logging) when Telegram refused it."""
        keys = self._pacing.keys(str(chat_id))
        for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
            await asyncio.sleep(max(0.0, line.ready_at - time.monotonic()))
            await self._limiter.acquire(keys)
            try:
                return await call()
            except tg_error.TelegramError as exc:
                error = map_telegram_error(exc)
                if isinstance(error, RetryAfter) and attempt < MAX_SEND_ATTEMPTS:
                    self._limiter.penalize(keys, error.seconds)
                    continue
                log.warning("telegram reply to %s failed: %s", chat_id, error)
                return None
            finally:
                line.ready_at = time.monotonic() + self._chat_gap
        return None

    async def _send(
        self,
        line: _ChatLine,
        chat_id: int | str,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        bot = self.app.bot
        result = await self._paced(
            line,
            chat_id,
            lambda: bot.send_message(
                chat_id,
                text,
                parse_mode=parse_mode,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=reply_markup,
            ),
        )
        return result if isinstance(result, Message) else None

    async def _reply(
        self, update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> None:
        chat = update.effective_chat
        if chat is not None:
            line = self._line(chat.id)
            async with line.lock:
                await self._send(line, chat.id, text, reply_markup=reply_markup)

    # ----- who may do what ---------------------------------------------------------------------

    def _admitted(self, update: Update, throttle: UserThrottle) -> tuple[bool, str | None]:
        """(go ahead?, notice to send instead)."""
        user = update.effective_user
        chat = update.effective_chat
        key = user.id if user is not None else (chat.id if chat is not None else 0)
        decision = throttle.check(key)
        if decision.verdict is Verdict.ALLOW:
            return True, None
        if decision.verdict is Verdict.NOTIFY:
            return False, texts.slow_down(decision.retry_after)
        return False, None

    async def _admit(self, update: Update, *, today: bool = False) -> bool:
        """Every command passes the general per-user budget; /today also its own, smaller one.
        Over budget: one notice per window, then silence."""
        for throttle in (self._command_throttle, self._today_throttle)[: 2 if today else 1]:
            ok, notice = self._admitted(update, throttle)
            if not ok:
                if notice is not None:
                    await self._reply(update, notice)
                return False
        return True

    async def _may_manage(self, update: Update) -> bool:
        """Anyone manages their private chat; in groups only administrators and the owner
        (including an anonymous admin, who posts as the group itself)."""
        chat = update.effective_chat
        if chat is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return True
        message = update.effective_message
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await self.app.bot.get_chat_member(chat.id, user.id)
        except tg_error.TelegramError as exc:
            log.warning("telegram getChatMember in %s failed: %s", chat.id, map_telegram_error(exc))
            return False
        return member.status in _MANAGERS

    async def _managed_chat(self, update: Update) -> Chat | None:
        """The chat a /start or /stop may change; None when the sender is over budget or may
        not manage it (then they have been told why, or throttled into silence)."""
        chat = update.effective_chat
        if chat is None or not await self._admit(update):
            return None
        if not await self._may_manage(update):
            await self._reply(update, texts.GROUP_ADMINS_ONLY)
            return None
        return chat

    def _is_admin(self, update: Update) -> bool:
        chat, user = update.effective_chat, update.effective_user
        ids = {str(chat.id) if chat else None, str(user.id) if user else None}
        return bool(ids & self.admin_chat_ids)

    # ----- commands ----------------------------------------------------------------------------

    async def _on_start(self, update: Update, _: Ctx) -> None:
        chat = await self._managed_chat(update)
        if chat is None:
            return
        target = str(chat.id)
        existing = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, target)
        variant = existing.variant if existing is not None else DEFAULT_VARIANT
        name = chat.title or chat.full_name or chat.username
        joined = await asyncio.to_thread(self.store.subscribe, CHANNEL, target, variant, name)
        log.info("telegram chat %s subscribed (%s)", target, variant.value)
        await self._reply(
            update, texts.welcome(variant, again=not joined), variant_keyboard(variant)
        )

    async def _on_stop(self, update: Update, _: Ctx) -> None:
        chat = await self._managed_chat(update)
        if chat is None:
            return
        left = await asyncio.to_thread(self.store.unsubscribe, CHANNEL, str(chat.id))
        await self._reply(update, texts.UNSUBSCRIBED if left else texts.NOT_SUBSCRIBED)

    async def _on_format(self, update: Update, _: Ctx) -> None:
        chat = update.effective_chat
        if chat is None or not await self._admit(update):
            return
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, str(chat.id))
        if row is None or not row.active:
            await self._reply(update, texts.NOT_SUBSCRIBED)
            return
        await self._reply(update, texts.choose_variant(row.variant), variant_keyboard(row.variant))

    async def _on_variant_button(self, update: Update, _: Ctx) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:
            return
        ok, notice = self._admitted(update, self._command_throttle)
        if not ok:
            await self._answer(query.answer, notice)
            return
        variant = parse_variant_callback(query.data)
        if variant is None:
            await self._answer(query.answer, None)
            return
        if not await self._may_manage(update):
            await self._answer(query.answer, texts.GROUP_ADMINS_ONLY, alert=True)
            return
        target = str(chat.id)
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, target)
        if row is None or not row.active:
            await self._answer(query.answer, texts.NOT_SUBSCRIBED, alert=True)
            return
        await asyncio.to_thread(self.store.set_variant, CHANNEL, target, variant)
        await self._answer(query.answer, texts.variant_changed(variant))
        if variant != row.variant and query.message is not None:
            # Unchanged text would earn "message is not modified"; only edit on a change.
            line = self._line(chat.id)
            async with line.lock:
                await self._paced(
                    line,
                    chat.id,
                    lambda: query.edit_message_text(
                        texts.variant_changed(variant), reply_markup=variant_keyboard(variant)
                    ),
                )

    async def _answer(
        self, answer: Callable[..., Awaitable[bool]], text: str | None, *, alert: bool = False
    ) -> None:
        # Every button press must be answered or the client shows a spinner; never fatal.
        try:
            await answer(text=text, show_alert=alert)
        except tg_error.TelegramError as exc:
            log.warning("telegram answerCallbackQuery failed: %s", map_telegram_error(exc))

    async def _on_today(self, update: Update, context: Ctx) -> None:
        chat = update.effective_chat
        if chat is None or not await self._admit(update, today=True):
            return
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, str(chat.id))
        default = row.variant if row is not None and row.active else DEFAULT_VARIANT
        variant = parse_variant(" ".join(context.args or ()), default)
        if variant is None:
            await self._reply(update, texts.UNKNOWN_VARIANT)
            return
        try:
            current = await self.issues.current()
        except Exception:
            log.exception("/today: looking up the current issue failed")
            await self._reply(update, texts.TODAY_FAILED)
            return
        if current is None:
            await self._reply(update, texts.NO_ISSUE_YET)
            return
        try:
            parts = await asyncio.to_thread(self.renderer.telegram, current.issue, variant)
        except Exception:
            log.exception("rendering /today (%s) failed", variant.value)
            await self._reply(update, texts.TODAY_FAILED)
            return
        note = staleness_note(current, self._today())
        line = self._line(chat.id)
        async with line.lock:
            for message in with_note(parts, note):
                sent = await self._send(line, chat.id, message.text, parse_mode=message.parse_mode)
                if sent is None:
                    return  # the rest would arrive without its beginning

    async def _on_help(self, update: Update, _: Ctx) -> None:
        if await self._admit(update):
            await self._reply(update, texts.HELP)

    async def _on_status(self, update: Update, _: Ctx) -> None:
        if not await self._admit(update):
            return
        if not self._is_admin(update):
            await self._reply(update, texts.ADMINS_ONLY)
            return
        try:
            text = await (self._status_text or self._ledger_status)()
        except Exception:
            log.exception("/status failed")
            text = texts.STATUS_UNAVAILABLE
        await self._reply(update, text or texts.STATUS_UNAVAILABLE)

    async def _ledger_status(self) -> str:
        """Today's deliveries per channel and status, straight from the ledger."""
        day = self._today()
        summary = await asyncio.to_thread(self.store.summary, day)
        if not summary:
            return f"{day.isoformat()}：{texts.STATUS_UNAVAILABLE}"
        lines = [f"{day.isoformat()} 发布情况："]
        for channel, counts in sorted(summary.items()):
            shown = ", ".join(f"{status.value} {n}" for status, n in sorted(counts.items()))
            lines.append(f"{channel}: {shown}")
        return "\n".join(lines)

    # ----- chat lifecycle ----------------------------------------------------------------------

    async def _on_migrate(self, update: Update, _: Ctx) -> None:
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return  # the new supergroup's "migrated from" twin carries nothing new
        old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        await asyncio.to_thread(self.store.migrate_target, CHANNEL, old, new)
        log.info("telegram chat %s moved to %s", old, new)

    async def _on_my_membership(self, update: Update, _: Ctx) -> None:
        change = update.my_chat_member
        if change is None or change.new_chat_member.status not in _GONE:
            return
        reason = "bot removed from chat" if change.chat.type != ChatType.PRIVATE else "bot blocked"
        await asyncio.to_thread(self.store.deactivate, CHANNEL, str(change.chat.id), reason)

    async def _on_error(self, update: object, context: Ctx) -> None:
        error = context.error
        log.error(
            "telegram handler failed: %s: %s",
            type(error).__name__,
            error,
            exc_info=error if not isinstance(error, tg_error.TelegramError) else None,
        )

    def _on_polling_error(self, error: tg_error.TelegramError) -> None:
        # PTB retries getUpdates itself; one short line per failure instead of a traceback.
        log.warning("telegram getUpdates failed: %s", map_telegram_error(error))


def with_note(parts: list[TelegramMessage], note: str | None) -> list[TelegramMessage]:
    """Put the "this is an older issue" line on top of the first part when it still fits
    there (one message fewer against the chat's 1/s), else send it as its own message."""
    if note is None or not parts:
        return parts
    first = parts[0]
    line = html.escape(note, quote=False) if first.parse_mode == "HTML" else note
    merged = f"{line}\n\n{first.text}"
    if telegram_length(merged) <= TELEGRAM_MAX_UTF16:
        return [TelegramMessage(merged, first.parse_mode, first.disable_link_preview), *parts[1:]]
    return [TelegramMessage(line, first.parse_mode), *parts]


__all__ = ["CHANNEL", "DEFAULT_VARIANT", "TelegramBot", "file_base_url", "with_note"]
