"""What several commands need: the config, an issue, a date — or one clear error. (The store:
`stores`; an issue from the configured source: `source_fetch`. Apart, so a command that reads
only a file never loads the database stack or the HTTP clients.)"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from digestbot.cli.app import fail, state
from digestbot.cli.logs import setup_logging, use_timezone
from digestbot.config import Config, ConfigError, check_config, load_config
from digestbot.input_limits import DEFAULT_LIMITS, InputLimits
from digestbot.model import Issue
from digestbot.parsing import NotAnIssueError, read_issue
from digestbot.sources import FetchedIssue


def config_or_exit(*, runtime_checks: bool = False, refusal: str | None = None) -> Config:
    """The loaded config, or every problem on stderr (and `refusal` after them) and exit 2.
    `runtime_checks` also reaches the store and the folders, as `check-config` does."""
    problems = check_config(state.config_path) if runtime_checks else []
    if not problems:
        try:
            config = load_config(state.config_path)
        except ConfigError as exc:
            problems = exc.problems
        else:
            use_timezone(config.source.zone)  # log lines in the issue's time from now on
            return config
    for line in problems:
        print(f"digestbot: config: {line}", file=sys.stderr)
    if refusal:
        print(f"digestbot: {refusal}", file=sys.stderr)
    raise typer.Exit(2)


def config_if_present() -> Config:
    """The config when its file is there (problems exit 2 as usual), else every default: the
    commands an editor runs on a file (`parse`, `check`) need no deployment to work."""
    if state.config_path.exists():
        return config_or_exit()
    return Config()


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date {text!r}: expected YYYY-MM-DD")


def today(config: Config) -> dt.date:
    return dt.datetime.now(config.source.zone).date()


def fetch_file(path: Path) -> FetchedIssue:
    """The bytes of an issue file, or one clear error line and exit 2."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory")
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    return FetchedIssue(data, path.name, str(path))


def fetch_file_or_stdin(file: str) -> FetchedIssue:
    """Like fetch_file, but "-" reads stdin; with no file name the parser sniffs the format."""
    if file == "-":
        return FetchedIssue(sys.stdin.buffer.read(), "", "<stdin>")
    return fetch_file(Path(file))


def parse_fetched(fetched: FetchedIssue, limits: InputLimits = DEFAULT_LIMITS) -> Issue:
    """The issue, over a cap or not (its LIMIT warnings say so), or one error line and exit 2."""
    try:
        return read_issue(fetched.data, filename=fetched.filename, limits=limits).issue
    except NotAnIssueError as exc:
        fail(f"{fetched.origin}: not an issue: {exc}")


def load_issue(path: Path) -> Issue:
    """The parsed issue in a file, or one clear error line and exit 2."""
    return parse_fetched(fetch_file(path))


__all__ = [
    "config_if_present",
    "config_or_exit",
    "fetch_file",
    "fetch_file_or_stdin",
    "load_issue",
    "parse_date",
    "parse_fetched",
    "setup_logging",
    "today",
]
