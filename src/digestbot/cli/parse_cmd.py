"""`digestbot parse FILE [--json]`: what the parser makes of an issue file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digestbot.cli.app import app, fail, out
from digestbot.model import Issue
from digestbot.parsing import NotAnIssueError, parse_issue


@app.command("parse")
def parse_command(
    file: Annotated[str, typer.Argument(help="Issue file (.txt/.md/.html), or - for stdin.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the parse contract as JSON on stdout.")
    ] = False,
) -> None:
    """Parse one issue and show what was found (and any warnings)."""
    data, filename = _read(file)
    try:
        issue = parse_issue(data, filename=filename)
    except NotAnIssueError as exc:
        fail(f"{file}: not an issue: {exc}")
    if as_json:
        sys.stdout.write(json.dumps(issue.to_contract(), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
        return
    _summary(issue)


def _read(file: str) -> tuple[bytes, str | None]:
    if file == "-":
        return sys.stdin.buffer.read(), None
    path = Path(file)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except IsADirectoryError:
        fail(f"{file}: is a directory")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")


def _summary(issue: Issue) -> None:
    title = _plain(issue.title) or "(no title)"
    out.print(f"[bold]{title}[/bold]  {issue.date_iso or '(no date)'}")
    if issue.coverage:
        out.print(f"覆盖窗口: {_plain(issue.coverage)}")
    counts = [
        ("overview paragraphs", len(issue.overview)),
        ("conclusions", len(issue.conclusions)),
        ("events", len(issue.events)),
        ("analysis paragraphs", len(issue.analysis)),
        ("X posts", len(issue.x_posts)),
        ("research items", len(issue.research)),
    ]
    for name, count in counts:
        out.print(f"  {name:<20} {count}")
    sources = (
        sum(len(e.sources) for e in issue.events)
        + sum(len(x.sources) for x in issue.x_posts)
        + sum(len(p.sources) for p in issue.research)
    )
    out.print(f"  {'sources':<20} {sources}")
    if issue.warnings:
        out.print(f"[yellow]{len(issue.warnings)} warning(s):[/yellow]")
        for warning in issue.warnings:
            out.print(f"  - {_plain(warning)}")
    else:
        out.print("no warnings")


def _plain(text: str) -> str:
    """Issue text is data: escape it so rich never reads "[b]" in it as markup."""
    return escape(text)


__all__ = ["parse_command"]
