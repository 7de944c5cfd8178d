"""Commands the deploy checks run (caddy, systemd-analyze)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import IN_CI


def required_tool(name: str, package: str) -> str:
    """The path of `name`: required in CI (.ci/run installs `package`), skipped elsewhere
    when absent."""
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (.ci/run installs {package})")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found
