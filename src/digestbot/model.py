"""The typed picture of one issue of the report, and the channels and variants it goes out in.
Pure values: no I/O, no parsing, no formatting."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class Channel(enum.StrEnum):
    """Where a reader receives an issue. How it gets there (the provider's API, or files in
    the outbox for demos and dry runs) is the channel's transport, not another channel."""

    TELEGRAM = "telegram"
    SLACK = "slack"
    EMAIL = "email"


class Variant(enum.StrEnum):
    """How much of an issue a reader receives."""

    TOP3 = "top3"  # title, date, the conclusions, a pointer to the rest
    TOP5 = "top5"  # top3 plus one card per event
    FULL = "full"  # every section


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Event:
    """One of the 今日 Top 5 大事件 cards."""

    rank: int
    title: str
    what_happened: str = ""  # 发生了什么
    key_facts: str = ""  # 关键信息
    why_it_matters: str = ""  # 为什么重要
    implications: str = ""  # 对产业 / 企业的启发
    sources: tuple[Source, ...] = ()  # 可信来源


@dataclass(frozen=True, slots=True)
class XPost:
    """One of the X 平台高信号观点."""

    rank: int
    title: str
    kind: str = ""  # 类型
    verification: str = ""  # 验证状态
    verdict: str = ""  # 一句话判断
    sources: tuple[Source, ...] = ()  # 来源


@dataclass(frozen=True, slots=True)
class Paper:
    """One of the 前沿研究速递 items."""

    rank: int
    title: str
    what: str = ""  # 做了什么
    novelty: str = ""  # 新在哪里
    applications: str = ""  # 潜在应用方向
    verdict: str = ""  # 一句话判断
    sources: tuple[Source, ...] = ()  # 来源


@dataclass(frozen=True, slots=True)
class Issue:
    """One published issue. Missing text is "" and missing sections are (), each with a warning."""

    date: dt.date | None
    title: str
    coverage: str = ""  # 覆盖窗口
    overview: tuple[str, ...] = ()  # 今日总览 paragraphs
    conclusions: tuple[str, ...] = ()  # 今日三条结论
    events: tuple[Event, ...] = ()  # 今日 Top 5 大事件
    analysis: tuple[str, ...] = ()  # 商业与应用解读 paragraphs
    x_posts: tuple[XPost, ...] = ()  # X 平台高信号观点
    research: tuple[Paper, ...] = ()  # 前沿研究速递
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""

    def to_contract(self) -> dict[str, Any]:
        """The JSON shape promised by `digestbot parse --json` (DESIGN.md, "Parse output")."""
        return {
            "date": self.date_iso,
            "title": self.title,
            "overview": list(self.overview),
            "conclusions": list(self.conclusions),
            "events": [
                {
                    "rank": e.rank,
                    "title": e.title,
                    "what_happened": e.what_happened,
                    "key_facts": e.key_facts,
                    "why_it_matters": e.why_it_matters,
                    "implications": e.implications,
                    "sources": _sources(e.sources),
                }
                for e in self.events
            ],
            "analysis": list(self.analysis),
            "x_posts": [
                {
                    "rank": x.rank,
                    "title": x.title,
                    "kind": x.kind,
                    "verification": x.verification,
                    "verdict": x.verdict,
                    "sources": _sources(x.sources),
                }
                for x in self.x_posts
            ],
            "research": [
                {
                    "rank": p.rank,
                    "title": p.title,
                    "what": p.what,
                    "novelty": p.novelty,
                    "applications": p.applications,
                    "verdict": p.verdict,
                    "sources": _sources(p.sources),
                }
                for p in self.research
            ],
            "warnings": list(self.warnings),
        }


def _sources(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"name": s.name, "url": s.url} for s in sources]


__all__ = ["Channel", "Event", "Issue", "Paper", "Source", "Variant", "XPost"]
