"""`digestbot log`: who got which issue, per channel, from the ledger."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from digestbot.cli.app import app, out
from digestbot.cli.common import config_or_exit, parse_date, store_or_exit
from digestbot.cli.help import choices
from digestbot.model import Channel
from digestbot.store import LogRow, Status


def _row_json(row: LogRow) -> dict[str, object]:
    return {
        "issue_date": row.issue_date.isoformat(),
        "channel": row.channel,
        "target": row.target,
        "variant": row.variant.value,
        "status": row.status.value,
        "parts_sent": row.parts_sent,
        "parts_total": row.parts_total,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "updated_at": row.updated_at.isoformat(),
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
    """The per-channel delivery log: one line per (issue, channel, target, variant)."""
    config = config_or_exit()
    store = store_or_exit(config)
    rows = store.log(
        issue_date=parse_date(date) if date else None,
        channel=channel,
        status=status,
    )
    try:
        if as_json:
            for row in rows:
                sys.stdout.write(json.dumps(_row_json(row), ensure_ascii=False) + "\n")
            return
        _print_tables(rows)
    finally:
        store.close()


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
            for column in ("target", "variant", "status", "parts", "attempts", "last error"):
                table.add_column(column)
        assert table is not None
        table.add_row(
            escape(row.target),
            row.variant.value,
            _styled(row.status),
            f"{row.parts_sent}/{row.parts_total}",
            str(row.attempts),
            escape(row.last_error or ""),
        )
        shown += 1
    if table is not None:
        out.print(table)
    if shown == 0:
        out.print("no deliveries recorded (matching these filters)")


def _styled(status: Status) -> str:
    colour = {
        Status.SENT: "green",
        Status.FAILED: "red",
        Status.UNCERTAIN: "yellow",
        Status.SKIPPED: "dim",
    }.get(status, "")
    return f"[{colour}]{status.value}[/{colour}]" if colour else status.value
