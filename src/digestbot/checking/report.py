"""`digestbot check`: the pre-flight verdict, the parts each digest takes, and (optionally)
whether every source URL answers — one report, as text for editors or JSON for scripts."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from digestbot.checking.findings import Preflight, sort_findings
from digestbot.checking.links import LinkResult, check_links
from digestbot.checking.preflight import preflight
from digestbot.checking.splits import Parts, parts_of
from digestbot.input_limits import InputLimits
from digestbot.parsing import WarningKind
from digestbot.readiness import Problem, Severity
from digestbot.rendering import Renderer


@dataclass(frozen=True, slots=True)
class CheckReport:
    origin: str
    verdict: Preflight
    parts: tuple[Parts, ...] = ()
    links: tuple[LinkResult, ...] | None = None  # None: not asked for (--links)

    @property
    def findings(self) -> tuple[Problem, ...]:
        broken = [f for r in self.links or () if (f := r.finding()) is not None]
        return sort_findings([*self.verdict.findings, *broken])

    @property
    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors."""
        return Preflight(None, self.findings).exit_code

    def to_json(self) -> dict[str, Any]:
        issue = self.verdict.issue
        return {
            "file": self.origin,
            "date": issue.date_iso if issue else "",
            "title": issue.title if issue else "",
            "exit_code": self.exit_code,
            "errors": sum(f.severity is Severity.ERROR for f in self.findings),
            "warnings": sum(f.severity is Severity.WARNING for f in self.findings),
            "findings": [f.to_json() for f in self.findings],
            "parts": {
                channel: {p.variant.value: p.to_json() for p in self.parts if p.channel == channel}
                for channel in dict.fromkeys(p.channel for p in self.parts)
            },
            "links": None if self.links is None else [
                {"url": r.cited.source.url, "line": r.cited.line, "status": r.status,
                 "problem": r.problem}
                for r in self.links
            ],
        }


def check_file(
    data: bytes,
    filename: str | None,
    origin: str,
    *,
    limits: InputLimits,
    today: dt.date,
    renderer: Renderer,
    links: bool = False,
    request_timeout: float = 5.0,
    concurrency: int = 8,
) -> CheckReport:
    """Everything `digestbot check` reports. Nothing is sent, nothing recorded."""
    verdict = preflight(data, filename, limits=limits, today=today)
    if verdict.issue is None or any(f.kind == WarningKind.LIMIT for f in verdict.errors):
        return CheckReport(origin, verdict)  # not rendered: unreadable, or too big to
    parts = tuple(parts_of(verdict.issue, renderer))
    checked = None
    if links:
        checked = tuple(asyncio.run(check_links(
            verdict.sources, request_timeout=request_timeout, concurrency=concurrency
        )))
    return CheckReport(origin, verdict, parts, checked)


__all__ = ["CheckReport", "check_file"]
