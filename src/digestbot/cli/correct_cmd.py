"""`digestbot correct DATE [--file PATH]`: a published issue had a mistake; its corrected file
becomes the next revision and every reader is brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digestbot.changes import count_text, describe
from digestbot.cli.app import app, console, fail
from digestbot.cli.common import config_or_exit, fetch_file, parse_date, setup_logging
from digestbot.cli.delivering import checked_issue, print_report, run_publish
from digestbot.cli.publish_cmd import ChannelOption, JsonOption
from digestbot.cli.source_fetch import fetch_from_source
from digestbot.cli.stores import store_or_exit, store_outage_exits
from digestbot.delivery import PublishReport
from digestbot.store import IssueRetracted


@app.command("correct")
def correct_command(
    date: Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The issue date to correct.")],
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="The corrected issue file (default: the date as the source has it now).",
        ),
    ] = None,
    channel: ChannelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct an issue already published. FILE (or the source's current version) becomes
    the date's next revision; Telegram and Slack messages are edited in place (extra parts
    sent, surplus parts deleted), email readers get one short 更正 notice, readers who had
    nothing yet get the corrected issue. Rerun after a crash: it finishes the same revision
    and corrects no one twice.

    Exit 0 when every reader is up to date, 1 when something failed or is uncertain, 2 on bad
    input, 3 when the store is unavailable."""
    setup_logging()
    config = config_or_exit()
    day = parse_date(date)
    fetched = fetch_file(file) if file is not None else fetch_from_source(config, day)
    issue = checked_issue(fetched, config, day)
    store = store_or_exit(config)
    try:
        with store_outage_exits(config):
            if store.issue_record(day) is None:
                fail(
                    f"nothing was published for {day.isoformat()}: "
                    "`digestbot publish` sends it the first time"
                )
            try:
                saved = store.add_revision(day, fetched.filename, fetched.data)
            except IssueRetracted as exc:
                fail(f"{exc}; nothing was sent")
            state = "archived" if saved.created else "is already the current one; finishing it"
            console.print(f"{day.isoformat()}: revision {saved.revision} {state}")
            report = run_publish(issue, config, store, channel, record=True)
    finally:
        store.close()
    _print_changes(report)
    print_report(report, as_json)
    raise typer.Exit(1 if report.unfinished else 0)


def _print_changes(report: PublishReport) -> None:
    if not report.corrected:
        return
    console.print(f"revision {report.revision}: {count_text(report.changes)}")
    for change in report.changes:
        console.print(f"  {describe(change)}", markup=False)
