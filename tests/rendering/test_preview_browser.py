"""The preview gallery opens in headless Chromium with all nine panes and no script errors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from digestbot.rendering.preview import build_gallery
from tests.chromium import QUIET_FLAGS, chromium_path
from tests.conftest import REPO, seed_paths
from tests.rendering.builders import sample_issue
from tests.rendering.cases import load_case

ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    *QUIET_FLAGS,
    "--virtual-time-budget=15000",  # let all three srcdoc iframes load before dumping/shooting
]



def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.browser
@pytest.mark.slow
def test_preview_gallery_renders_nine_panes_without_console_errors(tmp_path: Path) -> None:
    browser = chromium_path()
    seeds = seed_paths()
    issue = load_case(f"seed-{seeds[0].stem}") if seeds else sample_issue()
    page = tmp_path / "index.html"
    page.write_text(build_gallery(issue), encoding="utf-8")
    url = page.as_uri()

    dumped = _run(browser, tmp_path / "p1", "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    panes = re.findall(r'<section class="pane" id="pane-(\w+)-(\w+)"', dom)
    assert sorted(panes) == sorted(
        (c, v) for c in ("telegram", "slack", "email") for v in ("top3", "top5", "full")
    )
    errors = re.search(r'<pre id="console-errors">(.*?)</pre>', dom, re.DOTALL)
    assert errors is not None and errors.group(1) == "", errors
    assert "Uncaught" not in dumped.stderr
    assert dom.count('class="bubble"') >= 3 and dom.count("<iframe") == 3

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "preview.png"
    shot.unlink(missing_ok=True)
    taken = _run(browser, tmp_path / "p2", "--window-size=1600,2400", f"--screenshot={shot}", url)
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.stat().st_size > 10_000
