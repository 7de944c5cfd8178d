"""`digestbot parse FILE [--json]`: what the parser makes of an issue file."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

from digestbot.checking import limits_from
from digestbot.cli.app import app, out
from digestbot.cli.common import config_if_present, fetch_file_or_stdin, parse_fetched
from digestbot.model import Issue


@app.command("parse")
def parse_command(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Issue file (.txt/.md/.html), or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the parse contract as JSON on stdout.")
    ] = False,
) -> None:
    """Parse one issue and show what was found (and any warnings)."""
    issue = parse_fetched(fetch_file_or_stdin(file), limits_from(config_if_present()))
    if as_json:
        sys.stdout.write(json.dumps(issue.to_contract(), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
        return
    _summary(issue)


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
