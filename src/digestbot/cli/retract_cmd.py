"""`digestbot retract DATE --reason TEXT`: take a published issue back everywhere."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from digestbot.cli.app import app, console, fail
from digestbot.cli.common import config_or_exit, parse_date, parse_fetched, setup_logging
from digestbot.cli.delivering import sigterm_sets
from digestbot.cli.stores import store_or_exit, store_outage_exits
from digestbot.config import Config, TelegramConfig
from digestbot.delivery import (
    PacedSender,
    RetractionReport,
    message_admins,
    renderer_for,
    retract,
    telegram_sender,
)
from digestbot.model import Channel, Issue
from digestbot.notices import Notices
from digestbot.payloads import TelegramMessage
from digestbot.rendering import RenderError
from digestbot.sources import FetchedIssue
from digestbot.store import Store

log = logging.getLogger(__name__)
MAX_REASON = 500  # characters: the notice and the report quote it whole
ADMIN_TEXT_LIMIT = 4000  # characters, well under Telegram's 4096 UTF-16 units


def _archived_issue(store: Store, day: str) -> Issue:
    """The issue its readers got (the archive's current revision), retracted already or not."""
    date = parse_date(day)
    record = store.issue_record(date)
    if record is None:
        fail(f"nothing was published for {date.isoformat()}; there is nothing to retract")
    stored = store.get_revision(date, record.revision)
    assert stored is not None
    return parse_fetched(FetchedIssue(stored.data, stored.filename, f"archive:{date}"))


def _telegram_senders(config: Config) -> dict[Channel, PacedSender[Any]]:
    """Telegram's sender, shared by the deletions and the admins' report."""
    section = config.channel(Channel.TELEGRAM)
    if isinstance(section, TelegramConfig) and section.transport != "outbox":
        return {Channel.TELEGRAM: telegram_sender(section)}
    return {}


async def _tell_admins(config: Config, sender: PacedSender[Any] | None, text: str) -> None:
    """The retraction report to every admin chat; a failure is logged, never raised."""
    log.info("admin report: %s", text)
    section = config.channel(Channel.TELEGRAM)
    if sender is None or not isinstance(section, TelegramConfig):
        return
    message = TelegramMessage(text[:ADMIN_TEXT_LIMIT], parse_mode=None)
    await message_admins(sender, sorted({str(chat) for chat in section.admin_chat_ids}), message)


def _run(config: Config, store: Store, issue: Issue, reason: str) -> RetractionReport:
    renderer = renderer_for(config)
    senders = _telegram_senders(config)
    notices = Notices(config.bot.language)

    async def main() -> RetractionReport:
        stop = asyncio.Event()
        with sigterm_sets(stop, asyncio.get_running_loop()):
            report = await retract(
                issue, reason, config, store, renderer, senders=senders, stop=stop
            )
        if report.news:
            await _tell_admins(config, senders.get(Channel.TELEGRAM), report.admin_text(notices))
        return report

    try:
        return asyncio.run(main())
    except RenderError as exc:
        fail(f"{exc}; nothing was retracted")


def _print_report(report: RetractionReport, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Retraction of {report.issue_date.isoformat()}: {report.reason}")
    columns = ("deleted", "not_deletable", "notified", "failed", "uncertain", "pending")
    table.add_column("channel")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for name, counts in report.counts().items():
        table.add_row(name, *(str(counts[c]) for c in columns))
    console.print(table)
    for name, run in report.runs.items():
        if run.error:
            console.print(f"[red]{name} unavailable[/red]: {run.error}; retraction stays pending")
    for row in report.not_deletable:
        console.print(f"not deletable: {row.channel} {row.target}: {row.last_error or ''}")
    for channel in report.not_enabled:
        console.print(f"{channel} is not enabled in the config: its messages were not touched")
    if report.unfinished:
        console.print(
            f"{report.unfinished} deliveries not fully taken back: see `digestbot log --date "
            f"{report.issue_date.isoformat()}`; run the same command again to retry what may "
            "still be done."
        )


@app.command("retract")
def retract_command(
    date: Annotated[str, typer.Argument(metavar="DATE", help="The issue date, YYYY-MM-DD.")],
    reason: Annotated[
        str,
        typer.Option("--reason", metavar="TEXT", help="Why: quoted to email readers and admins."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the per-channel summary as JSON on stdout.")
    ] = False,
) -> None:
    """Take a published issue back: stop serving it (web, feed, /today), delete its messages
    on Telegram and Slack where the platform still allows it, send email readers one short
    notice with the reason, and report what could not be deleted. Running it again does only
    what is left.

    Exit 0 when everything was taken back, 1 when something stays (not deletable, failed,
    uncertain), 2 on bad input or config, 3 when the store is unavailable."""
    setup_logging()
    reason = " ".join(reason.split())
    if not reason:
        fail("--reason must say why the issue is retracted")
    if len(reason) > MAX_REASON:
        fail(f"--reason is {len(reason)} characters; keep it under {MAX_REASON}")
    config = config_or_exit()
    store = store_or_exit(config)
    try:
        with store_outage_exits(config):
            issue = _archived_issue(store, date)
            report = _run(config, store, issue, reason)
    finally:
        store.close()
    _print_report(report, as_json)
    raise typer.Exit(1 if report.unfinished else 0)


__all__ = ["retract_command"]
