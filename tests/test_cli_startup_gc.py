"""The `digestbot` entry point holds the garbage collector off while a command starts and
gives it back for the command's work (cli/startup_gc.py). Each case runs in a fresh
interpreter: the collector is process-wide state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.sample import SAMPLE

REPO = Path(__file__).resolve().parents[1]
# Records the collector's state inside the command (`parse` reading the issue) and after it.
_RUN = r"""
import gc, json, sys
import digestbot.cli.common as common
sys.argv = ["digestbot", *json.loads(sys.argv[1])]
from digestbot.cli import main
seen = {}
real = common.read_issue
def spy(*args, **kwargs):
    seen["enabled_in_command"] = gc.isenabled()
    seen["frozen_in_command"] = gc.get_freeze_count()
    return real(*args, **kwargs)
common.read_issue = spy
try:
    main()
except SystemExit as done:
    seen["code"] = done.code
seen["enabled_after"] = gc.isenabled()
print(json.dumps(seen))
"""


def gc_seen(*args: str, disabled_before: bool = False) -> dict[str, object]:
    script = ("import gc; gc.disable()\n" if disabled_before else "") + _RUN
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(args)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_a_command_runs_with_the_collector_on_and_its_imports_frozen() -> None:
    seen = gc_seen("parse", str(SAMPLE))
    assert seen["code"] in (0, None)
    assert seen["enabled_in_command"] is True
    assert isinstance(seen["frozen_in_command"], int) and seen["frozen_in_command"] > 10_000
    assert seen["enabled_after"] is True


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    seen = gc_seen("parse", str(SAMPLE), disabled_before=True)
    assert seen["enabled_in_command"] is False
    assert seen["enabled_after"] is False
