"""What the Telegram bot says, in one place. Plain text (no parse mode): nothing here needs
markup, and plain text cannot fail entity parsing whatever a name or an error contains."""

from __future__ import annotations

import math

from digestbot.bot.commands import VARIANT_HELP
from digestbot.model import Variant

# (command, menu description) in menu order: setMyCommands and /help both read this.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", "今日日报，可加日期 YYYY-MM-DD 和 top3 / top5 / full"),
    ("start", "订阅每日推送"),
    ("format", "选择推送版本"),
    ("stop", "退订"),
    ("help", "帮助"),
    ("status", "最近一次发布情况（仅管理员）"),
)

HELP = (
    "AI 前沿发展日报机器人\n\n"
    + "\n".join(f"/{c} — {d}" for c, d in COMMANDS)
    + (f"\n\n版本：{VARIANT_HELP}")
)


def welcome(variant: Variant, *, again: bool) -> str:
    head = "你已订阅 AI 前沿发展日报。" if again else "订阅成功！每期日报发布后会推送到这里。"
    return f"{head}\n当前版本：{variant.value}。可在下方切换版本，随时发送 /stop 退订。"


def variant_changed(variant: Variant) -> str:
    return f"已切换为 {variant.value} 版本，下一期起生效。"


def choose_variant(variant: Variant) -> str:
    return f"当前版本：{variant.value}。请选择推送版本："


NOT_SUBSCRIBED = "本聊天尚未订阅。发送 /start 订阅。"
UNSUBSCRIBED = "已退订，不会再推送日报。发送 /start 可重新订阅。"
GROUP_ADMINS_ONLY = "只有群管理员可以为本群订阅、退订或切换版本。"
ADMINS_ONLY = "此命令仅限管理员使用。"
NO_ISSUE_YET = "还没有已发布的日报，请稍后再试。"
STATUS_UNAVAILABLE = "暂无发布记录。"
UNKNOWN_VARIANT = f"用法：/today [YYYY-MM-DD] [top3|top5|full]\n版本：{VARIANT_HELP}"
TODAY_FAILED = "日报暂时无法显示，请稍后再试。"


def slow_down(retry_after: float) -> str:
    return f"请求太频繁，请 {max(1, math.ceil(retry_after))} 秒后再试。"


__all__ = [
    "ADMINS_ONLY",
    "COMMANDS",
    "GROUP_ADMINS_ONLY",
    "HELP",
    "NOT_SUBSCRIBED",
    "NO_ISSUE_YET",
    "STATUS_UNAVAILABLE",
    "TODAY_FAILED",
    "UNKNOWN_VARIANT",
    "UNSUBSCRIBED",
    "choose_variant",
    "slow_down",
    "variant_changed",
    "welcome",
]
