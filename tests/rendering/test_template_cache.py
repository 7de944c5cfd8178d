"""Compiled templates kept between processes: used when valid, never stale, never in the way."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from digestbot.model import Channel, Variant
from digestbot.rendering import Renderer, telegram_visible_text
from digestbot.rendering import environment as environment_module
from digestbot.rendering.template_cache import options_fingerprint, template_cache
from digestbot.resources import builtin_templates_dir
from tests.rendering.builders import sample_issue

ISSUE = sample_issue()
OPTIONS = Path(environment_module.__file__)


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Jinja's per-user cache directory made below tmp_path instead of the system's temp."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / f"_jinja2-cache-{os.getuid()}"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the templates Jinja compiles from source, in order."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: object, name: str | None = None, *a: object, **k: object
    ) -> object:
        names.append(str(name))
        return real(self, source, name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    yield names


def _top5(templates_dir: Path | None = None) -> str:
    parts = Renderer(templates_dir).telegram(ISSUE, Variant.TOP5)
    return "\n".join(telegram_visible_text(m.text) for m in parts)


def test_a_second_process_renders_from_the_compiled_code(
    cache_root: Path, compiles: list[str]
) -> None:
    first = _top5()
    assert compiles, "the first render compiles the templates"
    assert list(cache_root.glob("__digestbot_*.cache")), "and keeps them"
    compiles.clear()
    assert _top5() == first  # a new Renderer: its own environments, nothing in memory
    assert compiles == []


def test_an_edited_template_is_compiled_again(
    tmp_path: Path, cache_root: Path, compiles: list[str]
) -> None:
    overrides = tmp_path / "templates"
    shutil.copytree(builtin_templates_dir() / "telegram", overrides / "telegram")
    top5 = overrides / "telegram" / "top5.html.j2"
    assert "EDITED" not in _top5(overrides)
    top5.write_text("EDITED " + top5.read_text(encoding="utf-8"), encoding="utf-8")
    compiles.clear()
    assert "EDITED" in _top5(overrides)
    assert compiles == ["telegram/top5.html.j2"]


def test_the_key_changes_with_the_environment_options(tmp_path: Path) -> None:
    edited = tmp_path / "environment.py"
    edited.write_bytes(
        OPTIONS.read_bytes().replace(b'"trim_blocks": True', b'"trim_blocks": False')
    )
    assert edited.read_bytes() != OPTIONS.read_bytes()
    ours = options_fingerprint(Channel.TELEGRAM, OPTIONS)
    assert options_fingerprint(Channel.TELEGRAM, edited) != ours
    assert options_fingerprint(Channel.EMAIL, OPTIONS) != ours


def test_an_unsafe_directory_means_no_cache_and_the_same_render(
    tmp_path: Path, cache_root: Path
) -> None:
    elsewhere = tmp_path / "someone-elses"
    elsewhere.mkdir()
    cache_root.symlink_to(elsewhere)  # a link could point anywhere: Jinja refuses it
    assert template_cache(Channel.TELEGRAM, OPTIONS) is None
    assert _top5() and not list(elsewhere.iterdir())


def test_a_cache_that_cannot_be_read_or_written_changes_nothing(
    cache_root: Path, compiles: list[str]
) -> None:
    expected = _top5()
    renderer = Renderer()  # its environments found the directory
    shutil.rmtree(cache_root)
    cache_root.write_text("not a directory any more")  # reads and writes there now fail
    compiles.clear()
    parts = renderer.telegram(ISSUE, Variant.TOP5)
    assert "\n".join(telegram_visible_text(m.text) for m in parts) == expected
    assert compiles, "compiled from source, as without a cache"
