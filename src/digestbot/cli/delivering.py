"""What `publish`, `retry` and `correct` do once their config is loaded: check the issue, deliver
it with a progress bar per channel, and report. (The commands' definitions: `publish_cmd`.)"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn, Protocol

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from digestbot.checking import NOT_AN_ISSUE, limits_from, preflight
from digestbot.cli.app import console, fail
from digestbot.cli.common import fetch_file, parse_fetched, today
from digestbot.cli.source_fetch import fetch_from_source
from digestbot.cli.stores import store_or_exit, store_outage_exits
from digestbot.config import Config
from digestbot.delivery import (
    PublishRefused,
    PublishReport,
    PublishStore,
    Revision,
    build_sender,
    channel_down_alert,
    iter_targets,
    load_revision,
    publish,
    renderer_for,
    report_text,
    select_channels,
)
from digestbot.model import Channel, Issue, Variant
from digestbot.rendering import RenderError
from digestbot.sources import FetchedIssue
from digestbot.store import Archive, IssueRetracted, Status, StoredIssue, Subscribers


class CommandStore(PublishStore, Archive, Protocol):
    """What publish, retry and correct ask of the store."""


def parse_stored(stored: StoredIssue) -> Issue:
    """An archived revision as the model (it was checked when it was archived)."""
    origin = f"archive:{stored.issue_date}#{stored.revision}"
    return parse_fetched(FetchedIssue(stored.data, stored.filename, origin))


def current_revision(store: Archive, issue: Issue) -> Revision:
    assert issue.date is not None
    return load_revision(store, issue.date, parse_stored)


class ChannelProgress:
    """A rich progress bar per channel, advanced as deliveries finish."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[Channel, TaskID] = {}

    def channel_started(self, channel: Channel, pending: int) -> None:
        self._tasks[channel] = self._progress.add_task(channel, total=pending)

    def delivery_done(self, channel: Channel, status: Status) -> None:
        self._progress.advance(self._tasks[channel])


@contextlib.contextmanager
def sigterm_sets(stop: asyncio.Event, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """SIGTERM/SIGINT: finish the requests already out, send nothing new, keep the rest pending."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def run_publish(
    issue: Issue,
    config: Config,
    store: CommandStore,
    channels: Sequence[Channel | str] | None,
    *,
    record: bool,
) -> PublishReport:
    """Deliver the archive's current revision of `issue` (a correction, past the first)."""
    renderer = renderer_for(config)
    revision = current_revision(store, issue)

    async def main() -> PublishReport:
        stop = asyncio.Event()
        # One Telegram sender for the fan-out and the admins' alert that a channel stopped.
        senders = (
            {Channel.TELEGRAM: build_sender(config, Channel.TELEGRAM)}
            if Channel.TELEGRAM in config.enabled_channels()
            else {}
        )
        with (
            sigterm_sets(stop, asyncio.get_running_loop()),
            Progress(
                TextColumn("{task.description:>8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as bar,
        ):
            return await publish(
                issue,
                config,
                store,
                renderer,
                channels=channels,
                progress=ChannelProgress(bar),
                stop=stop,
                record=record,
                senders=senders,
                alert=channel_down_alert(config, senders),
                revision=revision,
            )

    try:
        return asyncio.run(main())
    except PublishRefused as exc:
        fail(str(exc))
    except RenderError as exc:
        fail(str(exc))


def print_report(report: PublishReport, as_json: bool = False) -> None:
    """The per-channel summary table on stderr; with --json, the same as JSON on stdout."""
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Delivery of {report.issue_date.isoformat()}")
    for column in ("channel", "sent", "skipped", "failed", "uncertain", "pending", "429s", "time"):
        table.add_column(column, justify="left" if column == "channel" else "right")
    for name, counts in report.ledger.items():
        run = report.runs.get(name)
        table.add_row(
            name,
            str(counts[Status.SENT]),
            str(counts[Status.SKIPPED]),
            str(counts[Status.FAILED]),
            str(counts[Status.UNCERTAIN]),
            str(counts[Status.PENDING]),
            str(run.rate_limited if run else 0),
            f"{run.seconds:.1f}s" if run else "-",
        )
    console.print(table)
    if report.corrected:
        console.print(report_text(report).splitlines()[0], markup=False)
    for name, run in report.runs.items():
        if run.error:
            console.print(f"[red]{name} unavailable[/red]: {run.error}; deliveries stay pending")
        stepped = +run.stepped_down
        if stepped:
            forms = ", ".join(f"{form} {n}" for form, n in sorted(stepped.items()))
            console.print(
                f"{name}: {sum(stepped.values())} sent in a smaller form after the platform "
                f"refused theirs ({forms}); `digestbot log` shows which"
            )
    if report.unfinished:
        console.print(
            f"{report.unfinished} deliveries not done: see `digestbot log --date "
            f"{report.issue_date.isoformat()} --status failed` (and uncertain); "
            "`digestbot retry` tries the failed ones again."
        )


def dry_run_table(
    issue: Issue, config: Config, store: Subscribers, channels: list[Channel] | None
) -> None:
    renderer = renderer_for(config)
    table = Table(title=f"Dry run: {issue.date_iso} (nothing sent, nothing recorded)")
    for column in ("channel", "targets", "top3", "top5", "full", "parts per variant"):
        table.add_column(column)
    try:
        names = select_channels(config, channels)
        for name in names:
            variants: Counter[Variant] = Counter(v for _, v in iter_targets(config, store, name))
            parts = {v: len(renderer.render(issue, name, v)) for v in Variant}
            table.add_row(
                name,
                str(sum(variants.values())),
                *(str(variants[v]) for v in Variant),
                ", ".join(f"{v}={n}" for v, n in parts.items()),
            )
    except (PublishRefused, RenderError) as exc:
        fail(str(exc))
    console.print(table)


def checked_issue(fetched: FetchedIssue, config: Config, expected: dt.date | None) -> Issue:
    """The issue when the pre-flight check lets it go, else one line and exit 2. Its
    warnings are the editor's business (`digestbot check`), not a reason to stop."""
    verdict = preflight(
        fetched.data, fetched.filename, limits=limits_from(config), expected_date=expected
    )
    if verdict.issue is None or verdict.errors:
        if any(e.kind == NOT_AN_ISSUE for e in verdict.errors):
            fail(f"{fetched.origin}: {verdict.errors[0]}")
        fail("refused, nothing was sent: " + "; ".join(str(e) for e in verdict.errors))
    return verdict.issue


def publish_issue(
    config: Config,
    expected: dt.date | None,
    file: Path | None,
    channels: list[Channel] | None,
    *,
    dry_run: bool,
    replace: bool,
    as_json: bool,
) -> None:
    """`digestbot publish`: the issue of `file`, or the source's of `expected` (default today)."""
    if file is not None:
        fetched = fetch_file(file)
    else:
        expected = expected or today(config)
        fetched = fetch_from_source(config, expected)
    issue = checked_issue(fetched, config, expected)
    assert issue.date is not None
    store = store_or_exit(config)
    try:
        with store_outage_exits(config):
            if dry_run:
                dry_run_table(issue, config, store, channels)
                return
            try:
                saved = (
                    store.add_revision(issue.date, fetched.filename, fetched.data).created
                    if replace
                    else store.save_issue(issue.date, fetched.filename, fetched.data)
                )
            except IssueRetracted as exc:
                fail(f"{exc}; nothing was sent")
            if not saved and not replace:
                fail(
                    f"a different version of {issue.date.isoformat()} was already published; "
                    "`digestbot retry` finishes that one; `digestbot correct "
                    f"{issue.date.isoformat()} --file FILE` (or --replace) corrects it"
                )
            report = run_publish(issue, config, store, channels, record=True)
    finally:
        store.close()
    print_report(report, as_json)
    raise typer.Exit(1 if report.unfinished else 0)


def retry_issue(
    config: Config,
    day: dt.date | None,
    channels: list[Channel] | None,
    uncertain: bool,
    *,
    as_json: bool,
) -> NoReturn:
    """`digestbot retry`: reopen what may be tried again of `day` (default the latest issue),
    then deliver it as it was published."""
    store = store_or_exit(config)
    try:
        with store_outage_exits(config):
            stored = store.get_issue(day) if day else store.latest_issue()
            if stored is None:
                fail(f"no published issue {'for ' + str(day) if day else 'yet'} in the ledger")
            issue = parse_fetched(
                FetchedIssue(stored.data, stored.filename, f"archive:{stored.issue_date}")
            )
            names = select_channels(config, channels)
            reopened = sum(store.reset_failed_transient(stored.issue_date, n) for n in names)
            if uncertain:
                reopened += sum(store.reset_uncertain(stored.issue_date, n) for n in names)
            console.print(f"reopened {reopened} deliveries of {stored.issue_date.isoformat()}")
            report = run_publish(issue, config, store, names, record=False)
    except PublishRefused as exc:
        fail(str(exc))
    finally:
        store.close()
    print_report(report, as_json)
    raise typer.Exit(1 if report.unfinished else 0)
