"""Headless Chromium through Playwright: Debian's /usr/bin/chromium only, never a download."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.chromium import QUIET_FLAGS, chromium_path
from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=QUIET_FLAGS
        )
        yield chromium
        chromium.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    return path


__all__ = ["ARTIFACTS", "WIDTHS", "artifact", "browser"]
