"""`digestbot log`: who got which issue, per channel, from the ledger."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from digestbot.cli.app import app, out
from digestbot.cli.common import config_or_exit, parse_date
from digestbot.cli.help import choices
from digestbot.cli.stores import store_or_exit
from digestbot.model import Channel
from digestbot.store import Archive, LogRow, RetractionRow, Status


def _retraction_json(row: RetractionRow) -> dict[str, object]:
    return {
        "state": row.state.value,
        "requests": row.parts,
        "done": row.done,
        "not_deletable": row.not_deletable,
        "last_error": row.last_error,
    }


def _row_json(row: LogRow, retraction: RetractionRow | None = None) -> dict[str, object]:
    extra = {"retraction": _retraction_json(retraction)} if retraction is not None else {}
    return {
        **extra,
        "issue_date": row.issue_date.isoformat(),
        "channel": row.channel,
        "target": row.target,
        "variant": row.variant.value,
        # The smaller form it went out in after the platform refused the variant's, or null.
        "form": row.form,
        "status": row.status.value,
        "parts_sent": row.parts_sent,
        "parts_total": row.parts_total,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "updated_at": row.updated_at.isoformat(),
        "revision": row.revision,
        "held_revision": row.held_revision,
    }


@app.command("log")
def log_command(
    date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Only this issue date.")
    ] = None,
    channel: Annotated[
        Channel | None,
        typer.Option("--channel", metavar=choices(Channel), help="Only this channel."),
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option("--status", metavar=choices(Status), help="Only deliveries in this state."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The per-channel delivery log: one line per (issue, channel, target, variant). With
    --date, a retracted issue also shows per target what its retraction did."""
    config = config_or_exit()
    store = store_or_exit(config)
    day = parse_date(date) if date else None
    rows = store.log(issue_date=day, channel=channel, status=status)
    try:
        retracted = store.retraction_log(day) if day is not None else []
        undone = {(r.channel, r.target): r for r in retracted}
        if day is not None and not as_json:
            _print_revisions(store, day)
        if as_json:
            for row in rows:
                line = _row_json(row, undone.get((row.channel, row.target)))
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            return
        _print_tables(rows)
        _print_retraction(day, [r for r in retracted if channel in (None, r.channel)])
    finally:
        store.close()


def _print_retraction(day: dt.date | None, rows: list[RetractionRow]) -> None:
    if day is None or not rows:
        return
    table = Table(title=f"{day.isoformat()} · retraction", title_justify="left")
    for column in ("channel", "target", "state", "done", "not deletable", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.channel.value,
            escape(row.target),
            row.state.value.replace("_", " "),
            f"{row.done}/{row.parts}",
            str(row.not_deletable),
            escape(row.last_error or ""),
        )
    out.print(table)


def _print_tables(rows: Iterable[LogRow]) -> None:
    current: tuple[str, str] | None = None
    table: Table | None = None
    shown = 0
    for row in rows:
        key = (row.issue_date.isoformat(), row.channel)
        if key != current:
            if table is not None:
                out.print(table)
            current = key
            table = Table(title=f"{key[0]} · {key[1]}", title_justify="left")
            for column in (
                "target",
                "variant",
                "status",
                "parts",
                "revision held",
                "attempts",
                "last error",
            ):
                table.add_column(column)
        assert table is not None
        table.add_row(
            escape(row.target),
            # A step-down shows as "full→top3": what was asked, what the platform took.
            row.variant.value if row.form is None else f"{row.variant.value}→{row.form}",
            _styled(row.status),
            f"{row.parts_sent}/{row.parts_total}",
            _held(row),
            str(row.attempts),
            escape(row.last_error or ""),
        )
        shown += 1
    if table is not None:
        out.print(table)
    if shown == 0:
        out.print("no deliveries recorded (matching these filters)")


def _held(row: LogRow) -> str:
    """The revision the target holds, and the one on its way when they differ: `1 → 2`."""
    held = "-" if row.held_revision is None else str(row.held_revision)
    return held if row.held_revision == row.revision else f"{held} → {row.revision}"


def _print_revisions(store: Archive, day: dt.date) -> None:
    """The issue's revisions, oldest first, and whether it was retracted."""
    record = store.issue_record(day)
    if record is None:
        return
    table = Table(title=f"{day.isoformat()} · revisions", title_justify="left")
    for column in ("revision", "file", "sha256", "archived at", ""):
        table.add_column(column)
    for info in record.revisions:
        table.add_row(
            str(info.revision),
            escape(info.filename),
            info.sha256[:12],
            info.published_at.isoformat(timespec="seconds"),
            "current" if info.revision == record.revision else "",
        )
    out.print(table)
    if record.retracted:
        out.print(f"retracted: {escape(record.retraction_reason or '')}")


def _styled(status: Status) -> str:
    colour = {
        Status.SENT: "green",
        Status.FAILED: "red",
        Status.UNCERTAIN: "yellow",
        Status.SKIPPED: "dim",
    }.get(status, "")
    return f"[{colour}]{status.value}[/{colour}]" if colour else status.value
