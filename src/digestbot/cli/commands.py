"""Which module defines each command, and the line `digestbot --help` shows for it.

A command's module is imported only when that command runs (or its own `--help` is asked):
`digestbot render` never loads the delivery stack, the Slack SDK or Alembic, and
`digestbot --help` loads none of them. The summaries are the first paragraph of each command's
docstring; a test keeps the two the same."""

from __future__ import annotations

from typing import NamedTuple


class CommandEntry(NamedTuple):
    module: str  # below digestbot.cli
    summary: str


COMMANDS: dict[str, CommandEntry] = {
    "parse": CommandEntry(
        "parse_cmd", "Parse one issue and show what was found (and any warnings)."
    ),
    "check": CommandEntry(
        "check_cmd",
        "Check an issue before it goes out: parse warnings, suspicious sources, empty fields, "
        "counts, the date, input caps, and how many messages each digest takes.",
    ),
    "render": CommandEntry(
        "render_cmd", "Render one issue for one channel and variant, as it would be sent."
    ),
    "preview": CommandEntry(
        "preview_cmd",
        "Write DIR/index.html showing every channel × variant as a reader would see it.",
    ),
    "publish": CommandEntry(
        "publish_cmd",
        "Deliver an issue to every target once. Re-running sends only what is not sent yet.",
    ),
    "correct": CommandEntry(
        "correct_cmd",
        "Correct an issue already published. FILE (or the source's current version) becomes "
        "the date's next revision; Telegram and Slack messages are edited in place (extra parts "
        "sent, surplus parts deleted), email readers get one short 更正 notice, readers who had "
        "nothing yet get the corrected issue. Rerun after a crash: it finishes the same revision "
        "and corrects no one twice.",
    ),
    "log": CommandEntry(
        "log_cmd",
        "The per-channel delivery log: one line per (issue, channel, target, variant). With "
        "--date, a retracted issue also shows per target what its retraction did.",
    ),
    "retry": CommandEntry(
        "publish_cmd",
        "Try again what failed for a transient reason (and, with --uncertain, what may not "
        "have arrived), using the issue exactly as it was published, and what a channel-wide "
        "failure (a wrong token, a mail server down) left pending. Permanent failures (chat "
        "not found, a refused recipient) are left alone.",
    ),
    "retract": CommandEntry(
        "retract_cmd",
        "Take a published issue back: stop serving it (web, feed, /today), delete its messages "
        "on Telegram and Slack where the platform still allows it, send email readers one "
        "short notice with the reason, and report what could not be deleted. Running it again "
        "does only what is left.",
    ),
    "check-config": CommandEntry(
        "check_config_cmd",
        "Validate the config file, reach the store and the folders it names.",
    ),
    "site": CommandEntry(
        "site_cmd", "The readers' web (issue pages, archive, Atom feed) as static files."
    ),
    "run": CommandEntry(
        "run_cmd",
        "Run unattended: publish each day's issue when it appears, answer /today, serve the "
        "Slack command, unsubscribe pages, /healthz and /metrics. Stops cleanly on SIGTERM.",
    ),
    "healthcheck": CommandEntry(
        "healthcheck_cmd",
        "Check that `digestbot run` is healthy: its HTTP server answers on the configured host "
        "and port, its store answers, its scheduler ticks.",
    ),
    "migrate": CommandEntry(
        "migrate_cmd",
        "Upgrade the store's schema to the newest migration. Safe to run again; on PostgreSQL, "
        "concurrent runs (and starting replicas) wait for each other.",
    ),
}

__all__ = ["COMMANDS", "CommandEntry"]
