"""`digestbot check FILE [--json] [--links]`: the editor's lint before anything goes out."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

from digestbot.checking import CheckReport, check_file, limits_from
from digestbot.checking.links import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT
from digestbot.cli.app import app, out
from digestbot.cli.common import config_if_present, fetch_file_or_stdin
from digestbot.cli.render_cmd import make_renderer

_VERDICT = {
    0: "[green]clean[/green]: nothing to fix",
    1: "[yellow]warnings[/yellow]: it may go out, but look at them first",
    2: "[red]errors[/red]: publish and run would refuse it",
}


@app.command("check")
def check_command(
    file: Annotated[str, typer.Argument(help="Issue file (.txt/.md/.html), or - for stdin.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
    links: Annotated[
        bool,
        typer.Option("--links", help="Also ask every source URL whether it answers (HEAD/GET)."),
    ] = False,
    link_timeout: Annotated[
        float, typer.Option("--link-timeout", min=0.1, help="Seconds each link may take.")
    ] = DEFAULT_TIMEOUT,
) -> None:
    """Check an issue before it goes out: parse warnings, suspicious sources, empty fields,
    counts, the date, input caps, and how many messages each digest takes.

    Exit 0 clean, 1 warnings, 2 errors (what publish and run would refuse). Sends nothing."""
    config = config_if_present()
    fetched = fetch_file_or_stdin(file)
    report = check_file(
        fetched.data,
        fetched.filename,
        fetched.origin,
        limits=limits_from(config),
        today=dt.datetime.now(config.source.zone).date(),
        renderer=make_renderer(config.templates.dir),
        links=links,
        request_timeout=link_timeout,
        concurrency=DEFAULT_CONCURRENCY,
    )
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print(report)
    raise typer.Exit(report.exit_code)


def _print(report: CheckReport) -> None:
    issue = report.verdict.issue
    heading = f"{issue.title or '(no title)'} · {issue.date_iso or '(no date)'}" if issue else ""
    out.print(f"[bold]{escape(report.origin)}[/bold]  {escape(heading)}")
    for finding in report.findings:
        where = f"line {finding.line}" if finding.line else "file"
        colour = "red" if finding.severity == "error" else "yellow"
        out.print(
            f"  [{colour}]{finding.severity:<7}[/{colour}] {where:<9} "
            f"{finding.kind:<17} {escape(finding.message)}"
        )
    if report.parts:
        out.print("messages per digest (and how each later one begins):")
    for channel in dict.fromkeys(p.channel for p in report.parts):
        cells = []
        for parts in (p for p in report.parts if p.channel == channel):
            cell = f"{parts.variant.value} {parts.count}"
            if channel == "email":
                cell += f" ({parts.size / 1024:.0f} KB)"
            if parts.starts:
                cell += " ← " + ", ".join(f"“{escape(s)}”" for s in parts.starts)
            cells.append(cell)
        out.print(f"  {channel:<9}" + "  ·  ".join(cells))
    if report.links is not None:
        broken = sum(1 for r in report.links if r.problem)
        out.print(f"links: {len(report.links)} checked, {broken} not answering as they should")
    out.print(f"exit {report.exit_code}: {_VERDICT[report.exit_code]}")


__all__ = ["check_command"]
