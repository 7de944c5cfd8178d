"""Built-in templates are found in a wheel (inside the package) and in a checkout (repo root)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot import resources


def _templates(root: Path) -> Path:
    (root / "telegram").mkdir(parents=True)
    return root


def test_package_copy_wins_over_the_repo_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _templates(tmp_path / "pkg" / "channel_templates")
    repo = _templates(tmp_path / "repo" / "channel_templates")
    monkeypatch.setattr(resources, "_CANDIDATES", (package, repo))
    assert resources.builtin_templates_dir() == package


def test_repo_root_is_used_in_an_editable_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _templates(tmp_path / "repo" / "channel_templates")
    monkeypatch.setattr(resources, "_CANDIDATES", (tmp_path / "pkg" / "absent", repo))
    assert resources.builtin_templates_dir() == repo


def test_missing_templates_name_every_place_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "_CANDIDATES", (tmp_path / "a", tmp_path / "b"))
    with pytest.raises(FileNotFoundError, match=r"searched .*a, .*b"):
        resources.builtin_templates_dir()
