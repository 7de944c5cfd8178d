"""Every issue the rendering tests run on: the built-in sample, the seeds, the parser fixtures.

Cases are named; the seeds and fixtures load lazily through the parser, so a missing seed or
a missing parser only skips the cases that need them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from digestbot.model import Issue
from tests.conftest import FIXTURES_DIR, GOLDEN_DIR, seed_paths
from tests.rendering.builders import sample_issue

ISSUE_FIXTURES_DIR = FIXTURES_DIR / "issues"
_ISSUE_SUFFIXES = {".txt", ".md", ".html", ".htm", ".markdown"}


def parser_available() -> bool:
    return importlib.util.find_spec("digestbot.parsing") is not None


def _parse(path: Path) -> Issue:
    if not parser_available():
        pytest.skip("digestbot.parsing is not there yet")
    from digestbot.parsing import ParseError, parse_issue

    try:
        return parse_issue(path.read_bytes(), filename=path.name)
    except ParseError as exc:
        pytest.skip(f"{path.name} is not an issue ({exc}); nothing to render")


def _is_issue(path: Path) -> bool:
    """Parser fixtures include non-issues (to test refusal); there is nothing to render there."""
    if not parser_available():
        return True  # the case will skip with a clear reason when loaded
    from digestbot.parsing import ParseError, parse_issue

    try:
        parse_issue(path.read_bytes(), filename=path.name)
    except ParseError:
        return False
    return True


SEED_PREFIX = "seed-"


def _sources() -> dict[str, Callable[[], Issue]]:
    found: dict[str, Callable[[], Issue]] = {"sample": sample_issue}
    for path in seed_paths():
        found[f"{SEED_PREFIX}{path.stem}"] = lambda p=path: _parse(p)  # type: ignore[misc]
    if ISSUE_FIXTURES_DIR.is_dir():
        for path in sorted(ISSUE_FIXTURES_DIR.iterdir()):
            if path.suffix.lower() in _ISSUE_SUFFIXES and _is_issue(path):
                found[f"fixture-{path.name}"] = lambda p=path: _parse(p)  # type: ignore[misc]
    return found


SOURCES = _sources()


def case_names() -> list[str]:
    """Inputs present now plus any with a golden directory (a vanished seed then skips)."""
    golden = {p.name for p in GOLDEN_DIR.iterdir() if p.is_dir()} if GOLDEN_DIR.is_dir() else set()
    return sorted(set(SOURCES) | golden)


SEED_CASES = frozenset(f"{SEED_PREFIX}{path.stem}" for path in seed_paths())


def is_seed_case(name: str) -> bool:
    """A render of a real issue from ../shared/seeds: its golden file holds a digest, not text.
    (A case left only by its golden directory, its seed gone, keeps the seed prefix.)"""
    return name in SEED_CASES or name.startswith(SEED_PREFIX)


def load_case(name: str) -> Issue:
    loader = SOURCES.get(name)
    if loader is None:
        pytest.skip(f"input for {name!r} is absent (seeds are read from ../shared/seeds)")
    return loader()
