"""What the bot tells its admins — late issue, refused issue, published, partly published, a
source changed after publishing, the per-channel report — in one place and two languages.

The readers' digests are Chinese, and so are the editors who administer the bot, so Chinese is
the default; `[bot] language = "en"` switches these notices to English. Problem details inside a
notice (a parser's finding, a provider's error) are quoted as they come."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class Language(enum.StrEnum):
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """One channel's line in a report: its ledger counts, the run's time, why it was down."""

    sent: int
    failed: int
    skipped: int
    uncertain: int
    pending: int
    seconds: float | None = None
    error: str | None = None
    stepped_down: Mapping[str, int] = field(default_factory=dict)  # form → deliveries


_ZH = {
    "refused": "⚠️ {day}：{origin} 未通过检查，未发送任何内容。\n{details}",
    "published": "✅ {day} 已发布。\n{report}",
    "partial": "⚠️ {day} 部分发布，稍后自动重试。\n{report}",
    "late": "⏰ {day}：截至 {deadline}（{zone}）{why}。未发送任何内容，仍在继续检查。",
    "not_out": "日报仍未发布",
    "source_down": "来源无法访问（{error}）",
    "changed": (
        "⚠️ {day}：{origin} 在首次发布后被修改；先发完首次发布的版本，"
        "下一次检查时作为更正推送给所有读者。"
    ),
    "line": "{channel}：已发送 {sent}，失败 {failed}，已屏蔽/跳过 {skipped}，"
    "不确定 {uncertain}，待发送 {pending}{took}",
    "took": "，用时 {seconds:.0f} 秒",
    "down": "  {channel} 不可用：{error}",
    "stepped": "  {channel} 有 {count} 份因平台拒收原格式而改发较小格式（{forms}）",
    "channel_down": (
        "⚠️ {channel} 已停止发送：{error}。该渠道的读者仍为待发送，一个也没有标记为失败；"
        "修复后运行 `digestbot retry`（或等待下一次发布）即可补发。"
    ),
    "none": "未启用任何渠道",
    "warnings": "本期有 {count} 条警告：",
    "retracted": "🗑 {day} 已撤回（原因：{reason}）。\n{report}",
    "retract_line": "{channel}：已删除 {deleted}，无法删除 {not_deletable}，已通知 {notified}，"
    "失败 {failed}，不确定 {uncertain}，待处理 {pending}",
    "kept": "  无法删除（仍在对方聊天中）：{targets}",
    "corrected": "更正已推送（第 {revision} 版）：{changes} 处修改，{actions}",
}
_EN = {
    "refused": "⚠️ {day}: refused {origin}, nothing was sent.\n{details}",
    "published": "✅ {day} published.\n{report}",
    "partial": "⚠️ {day} partly published; retrying.\n{report}",
    "late": "⏰ {day}: {why} by the {deadline} deadline ({zone}). "
    "Nothing was sent; still watching.",
    "not_out": "the issue has not been published",
    "source_down": "the source is unavailable ({error})",
    "changed": (
        "⚠️ {day}: {origin} changed after it was first published; finishing the first "
        "version, then the next poll sends the change to every reader as a correction."
    ),
    "line": "{channel}: sent {sent}, failed {failed}, blocked/skipped {skipped}, "
    "uncertain {uncertain}, pending {pending}{took}",
    "took": ", {seconds:.0f}s",
    "down": "  {channel} unavailable: {error}",
    "stepped": "  {channel}: {count} sent in a smaller form after the platform refused theirs "
    "({forms})",
    "channel_down": (
        "⚠️ {channel} stopped: {error}. Its deliveries stay pending, none is marked failed; "
        "fix it, then `digestbot retry` (or the next publish) sends them."
    ),
    "none": "no channels enabled",
    "warnings": "{count} {noun} in the issue:",
    "retracted": "🗑 {day} retracted ({reason}).\n{report}",
    "retract_line": "{channel}: deleted {deleted}, not deletable {not_deletable}, "
    "notified {notified}, failed {failed}, uncertain {uncertain}, pending {pending}",
    "kept": "  not deletable (still shown there): {targets}",
    "corrected": "Correction pushed (revision {revision}): {changes} changes, {actions}",
}
_TEXTS = {Language.ZH: _ZH, Language.EN: _EN}
# Part actions as the correction report names them (the same in both languages: they are the
# counters admins grep for).
_DONE = {"edit": "edited", "send": "sent", "delete": "deleted", "notice": "notices"}


@dataclass(frozen=True, slots=True)
class Notices:
    language: Language = Language.ZH

    def _say(self, key: str, **values: object) -> str:
        return _TEXTS[self.language][key].format(**values)

    def refused(self, day: dt.date, origin: str, details: str) -> str:
        return self._say("refused", day=day.isoformat(), origin=origin, details=details)

    def published(self, day: dt.date, report: str) -> str:
        return self._say("published", day=day.isoformat(), report=report)

    def partial(self, day: dt.date, report: str) -> str:
        return self._say("partial", day=day.isoformat(), report=report)

    def late(self, day: dt.date, why: str, deadline: dt.time, zone: str) -> str:
        return self._say(
            "late", day=day.isoformat(), why=why, deadline=deadline.strftime("%H:%M"), zone=zone
        )

    def not_out(self) -> str:
        return self._say("not_out")

    def source_down(self, error: object) -> str:
        return self._say("source_down", error=error)

    def warnings(self, count: int) -> str:
        """The heading of the editors' to-do list under a publish report."""
        return self._say("warnings", count=count, noun="warning" if count == 1 else "warnings")

    def channel_down(self, channel: str, error: str) -> str:
        """A channel stopped as a whole (bad token, server unreachable)."""
        return self._say("channel_down", channel=channel, error=error)

    def changed(self, day: dt.date, origin: str) -> str:
        return self._say("changed", day=day.isoformat(), origin=origin)

    def retracted(
        self,
        day: dt.date,
        reason: str,
        channels: Mapping[str, Mapping[str, int]],
        kept: Mapping[str, Sequence[str]],
    ) -> str:
        """The admins' report of a retraction: per channel, messages deleted, those the
        provider would not delete (with where they stay), notices sent, and what is left."""
        lines = []
        for channel, counts in channels.items():
            lines.append(self._say("retract_line", channel=channel, **counts))
            if kept.get(channel):
                lines.append(self._say("kept", targets=", ".join(kept[channel])))
        report = "\n".join(lines) or self._say("none")
        return self._say("retracted", day=day.isoformat(), reason=reason, report=report)

    def corrected(
        self, revision: int, changes: int, actions: Mapping[str, Mapping[str, int]]
    ) -> str:
        """The first line of a correction's report: how many changes, and per channel what
        was done (edited 200, send 3, delete 1, notice 200, resent 2)."""
        done = "; ".join(
            f"{channel}: " + ", ".join(f"{_DONE.get(k, k)} {n}" for k, n in counts.items() if n)
            if any(counts.values())
            else f"{channel}: -"
            for channel, counts in actions.items()
        )
        return self._say("corrected", revision=revision, changes=changes, actions=done)

    def report(self, channels: Mapping[str, ChannelCounts]) -> str:
        """The per-channel summary after a publish (and in /status)."""
        lines = []
        for channel, c in channels.items():
            took = "" if c.seconds is None else self._say("took", seconds=c.seconds)
            lines.append(
                self._say(
                    "line",
                    channel=channel,
                    sent=c.sent,
                    failed=c.failed,
                    skipped=c.skipped,
                    uncertain=c.uncertain,
                    pending=c.pending,
                    took=took,
                )
            )
            if c.error:
                lines.append(self._say("down", channel=channel, error=c.error))
            if c.stepped_down:
                forms = ", ".join(f"{form} {n}" for form, n in sorted(c.stepped_down.items()))
                count = sum(c.stepped_down.values())
                lines.append(self._say("stepped", channel=channel, count=count, forms=forms))
        return "\n".join(lines) or self._say("none")


__all__ = ["ChannelCounts", "Language", "Notices"]
