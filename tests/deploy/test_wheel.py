"""The wheel the image installs, built and installed here the same way (hatchling from the lock,
no build isolation, `--no-deps`) into a clean virtualenv: it carries the channel templates and
its `digestbot` entry point publishes the demo without the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("digestbot-*.whl")
    return built


def test_the_wheel_carries_every_channel_template_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "digestbot = digestbot.cli:main" in archive.read(entry_points).decode()
    templates = {
        str(path.relative_to(REPO)).replace("channel_templates/", "digestbot/channel_templates/")
        for path in (REPO / "channel_templates").rglob("*")
        if path.is_file()
    }
    assert templates and templates <= names
    assert "digestbot/store/migrations/versions/0001_initial.py" in names
    assert "digestbot/py.typed" in names
    assert not any(name.startswith(("tests/", "src/")) for name in names)


def test_the_installed_wheel_publishes_the_demo_from_a_clean_virtualenv(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    # The dependencies come from this .venv as a plain path: its .pth files (the editable
    # digestbot among them) are not processed, so only the wheel provides digestbot.
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    where = subprocess.run(
        [python, "-c", "import digestbot.resources as r; print(r.builtin_templates_dir())"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.strip()
    assert where == str(Path(site) / "digestbot" / "channel_templates")

    work = tmp_path / "work"
    shutil.copytree(REPO / "samples", work / "samples")
    shutil.copy(REPO / "config" / "demo.toml", work / "demo.toml")
    result = subprocess.run(
        [venv / "bin" / "digestbot", "--config", "demo.toml", "publish",
         "--file", "samples/2026-04-20.txt"],
        capture_output=True, text=True, cwd=work, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for channel in ("telegram", "slack", "email"):
        assert any((work / "demo-data" / "outbox" / channel).iterdir()), channel
