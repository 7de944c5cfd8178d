"""`digestbot publish` and `digestbot retry`: deliver an issue, showing progress per channel.

Only the commands' definitions are here; what they do is in `delivering` (which `correct` and
`retract` share)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digestbot.cli.app import app, fail
from digestbot.cli.common import config_or_exit, parse_date, setup_logging
from digestbot.cli.delivering import publish_issue, retry_issue
from digestbot.cli.help import choices
from digestbot.model import Channel

DateOption = Annotated[
    str | None,
    typer.Option("--date", metavar="YYYY-MM-DD", help="Issue date (default: today)."),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the per-channel summary as JSON on stdout.")
]
ChannelOption = Annotated[
    list[Channel] | None,
    typer.Option("--channel", metavar=choices(Channel), help="Only this channel (repeatable)."),
]


@app.command("publish")
def publish_command(
    date: DateOption = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", metavar="FILE", help="Publish this issue file instead of the source."
        ),
    ] = None,
    channel: ChannelOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send nothing.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="This file corrects the version of its date published earlier "
            "(as `digestbot correct`).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Deliver an issue to every target once. Re-running sends only what is not sent yet.

    Exit 0 when nothing is left to do, 1 when something failed or is uncertain, 2 on bad
    config or input, 3 when the store is unavailable (nothing is sent without its record)."""
    setup_logging()
    if date is not None and file is not None:
        fail("give --date or --file, not both")
    config = config_or_exit()
    publish_issue(
        config,
        parse_date(date) if date else None,
        file,
        channel,
        dry_run=dry_run,
        replace=replace,
        as_json=as_json,
    )


@app.command("retry")
def retry_command(
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="Issue date (default: the latest published)."
        ),
    ] = None,
    uncertain: Annotated[
        bool,
        typer.Option(
            "--uncertain",
            help="Also resend parts whose first attempt may have arrived (risks a duplicate).",
        ),
    ] = False,
    channel: ChannelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Try again what failed for a transient reason (and, with --uncertain, what may not have
    arrived), using the issue exactly as it was published, and what a channel-wide failure
    (a wrong token, a mail server down) left pending. Permanent failures (chat not found, a
    refused recipient) are left alone."""
    setup_logging()
    config = config_or_exit()
    retry_issue(config, parse_date(date) if date else None, channel, uncertain, as_json=as_json)
