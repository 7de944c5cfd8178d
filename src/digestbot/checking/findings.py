"""What a pre-flight check found: errors refuse the issue, warnings are for the editor."""

from __future__ import annotations

from dataclasses import dataclass, field

from digestbot.model import Issue
from digestbot.parsing import CitedSource
from digestbot.readiness import Problem, Severity


@dataclass(frozen=True, slots=True)
class Preflight:
    """The verdict on one issue file: the parsed issue (None when it could not be read or
    was too big to read) and every finding, errors first, then in line order."""

    issue: Issue | None
    findings: tuple[Problem, ...] = field(default=())
    sources: tuple[CitedSource, ...] = field(default=())  # with the lines that cite them

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors (DESIGN.md: 2 is bad input, nothing sent)."""
        return 2 if self.errors else 1 if self.warnings else 0

    def with_findings(self, extra: list[Problem]) -> Preflight:
        return Preflight(self.issue, sort_findings([*self.findings, *extra]), self.sources)


def sort_findings(findings: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.line or 0)))


def summary_lines(findings: tuple[Problem, ...], limit: int = 10) -> list[str]:
    """At most `limit` findings as "• …" lines for an admin message, and how many were left."""
    lines = [f"• {f}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more (`digestbot check FILE` lists all)")
    return lines


__all__ = ["Preflight", "sort_findings", "summary_lines"]
