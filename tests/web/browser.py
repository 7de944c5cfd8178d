"""Headless Chromium through Playwright: Debian's /usr/bin/chromium only, never a download."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import IN_CI, REPO

ARTIFACTS = REPO / "test-artifacts"
# What the machine's probe found necessary: no sandbox as root, and no background traffic,
# which this network refuses.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (390, 1280)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if IN_CI:
            pytest.fail("headless Chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    return path


__all__ = ["ARTIFACTS", "WIDTHS", "artifact", "browser", "chromium_path"]
