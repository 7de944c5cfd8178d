"""Paths shared by the parsing tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES_DIR, REPO

ISSUES = FIXTURES_DIR / "issues"
SAMPLE = REPO / "samples" / "2026-04-20.txt"


def fixture(name: str) -> Path:
    return ISSUES / name
