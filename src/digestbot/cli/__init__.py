"""`digestbot` command line. Each command lives in its own module and registers on `app`."""

from __future__ import annotations

# Imported for their side effect: each module registers its commands on `app`.
from digestbot.cli import check_cmd as check_cmd
from digestbot.cli import check_config_cmd as check_config_cmd
from digestbot.cli import healthcheck_cmd as healthcheck_cmd
from digestbot.cli import log_cmd as log_cmd
from digestbot.cli import migrate_cmd as migrate_cmd
from digestbot.cli import parse_cmd as parse_cmd
from digestbot.cli import preview_cmd as preview_cmd
from digestbot.cli import publish_cmd as publish_cmd
from digestbot.cli import render_cmd as render_cmd
from digestbot.cli import retract_cmd as retract_cmd
from digestbot.cli import run_cmd as run_cmd
from digestbot.cli import site_cmd as site_cmd
from digestbot.cli.app import app
from digestbot.cli.help import use_plain_help

use_plain_help(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
