"""`digestbot … --help` as a reader of it sees it: flags are flags, placeholders say what to
type (a file, a date, one of the channels), usage lines name the arguments, and a value that is
not one of the choices is one line and exit 2."""

from __future__ import annotations

import importlib
import re

import pytest
import typer
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.cli.commands import COMMANDS as TABLE
from digestbot.model import Channel, Variant
from digestbot.store import Status

runner = CliRunner()
WIDE = {"COLUMNS": "160", "NO_COLOR": "1"}  # one row per option: no wrapped placeholders
# The top-level help as the lazy group writes it: before any command module is imported.
LAZY_HELP = runner.invoke(app, ["--help"], env=WIDE).stdout
for entry in TABLE.values():  # every command registered, so each one's help is checked
    importlib.import_module(f"digestbot.cli.{entry.module}")


def _commands(application: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [(*prefix, c.name) for c in application.registered_commands if c.name]
    for group in application.registered_groups:
        if group.typer_instance is not None and group.name:
            found.append((*prefix, group.name))
            found += _commands(group.typer_instance, (*prefix, group.name))
    return found


COMMANDS = [(), *_commands(app)]


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def _option_row(text: str, option: str) -> str:
    (row,) = [line for line in text.splitlines() if re.search(rf"│\s+(\*\s+)?{option}\s", line)]
    return row


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "digestbot")
def test_help_shows_no_python_types_for_flags_or_lists(command: tuple[str, ...]) -> None:
    text = _help(*command)
    assert "<bool>" not in text
    assert "<list" not in text and "list[" not in text
    assert "{" not in text.split("\n\n")[0] + _usage(text)
    help_row = _option_row(text, "--help")
    assert "<" not in help_row  # a flag: nothing to type after it


def _usage(text: str) -> str:
    (line,) = [line for line in text.splitlines() if "Usage:" in line]
    return line


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("parse", "digestbot parse [OPTIONS] FILE"),
        ("render", "digestbot render [OPTIONS] FILE"),
        ("preview", "digestbot preview [OPTIONS] FILE"),
        ("publish", "digestbot publish [OPTIONS]"),
    ],
)
def test_usage_lines_name_the_arguments(command: str, usage: str) -> None:
    assert usage in _usage(_help(command))


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        ("parse", "--json"),
        ("render", "--json"),
        ("publish", "--json"),
        ("publish", "--dry-run"),
        ("publish", "--replace"),
        ("retry", "--uncertain"),
        ("log", "--json"),
    ],
)
def test_flags_read_as_flags(command: str, flag: str) -> None:
    row = _option_row(_help(command), flag)
    after_name = row.split(flag, 1)[1].split()
    assert after_name[0] not in ("<bool>", "BOOLEAN", "bool"), row
    assert not after_name[0].startswith("<")


CHANNELS = "|".join(Channel)
VARIANTS = "|".join(Variant)
STATUSES = "|".join(Status)


@pytest.mark.parametrize(
    ("command", "option", "placeholder"),
    [
        ("render", "--channel", CHANNELS),
        ("render", "--variant", VARIANTS),
        ("publish", "--channel", CHANNELS),
        ("retry", "--channel", CHANNELS),
        ("log", "--channel", CHANNELS),
        ("log", "--status", STATUSES),
        ("publish", "--date", "YYYY-MM-DD"),
        ("publish", "--file", "FILE"),
        ("preview", "--out", "DIR"),
    ],
)
def test_options_show_what_to_type(command: str, option: str, placeholder: str) -> None:
    assert placeholder in _option_row(_help(command), option)


def test_channel_choices_come_from_the_channel_enum() -> None:
    assert CHANNELS == "telegram|slack|email"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["render", "x.txt", "--channel", "fax"], "'fax' is not one of 'telegram', 'slack'"),
        (["render", "x.txt"], "Missing option '--channel'. Choose from: telegram, slack, email"),
        (["log", "--status", "lost"], "'lost' is not one of 'pending'"),
        (["publish", "--channel", "pigeon"], "'pigeon' is not one of"),
    ],
)
def test_a_wrong_choice_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("digestbot: error: ") and expected in line


def test_help_text_wraps_at_the_terminal_not_at_the_docstrings_line_breaks() -> None:
    text = _help("publish")
    assert "2 on bad config or input, 3 when the store is unavailable" in " ".join(text.split())
    assert not any(line.strip() == "config or input." for line in text.splitlines())


def test_the_command_list_loads_nothing_yet_reads_as_every_commands_own_help() -> None:
    """`digestbot --help` lists the commands from a table without importing them; the table
    says what each command's docstring says, in the same words."""
    from digestbot.cli.app import LazyCommands

    eager = typer.main.get_command(app)
    assert isinstance(eager, LazyCommands)
    listed = set(TABLE)
    registered = {name for (name, *_) in _commands(app)}
    assert listed == registered
    for name in TABLE:
        command = eager.commands[name]  # the real one, loaded above
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert TABLE[name].summary == first_paragraph, name
        assert " ".join(TABLE[name].summary.split()[:4]) in " ".join(LAZY_HELP.split())
