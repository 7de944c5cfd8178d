"""Debian's headless Chromium for the browser tests: where it is, and the flags it needs here
(no sandbox as root; no background traffic, which this network refuses)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import IN_CI

QUIET_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The installed chromium; skips the test without one, fails it in CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if IN_CI:
            pytest.fail("headless Chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


__all__ = ["QUIET_FLAGS", "chromium_path"]
