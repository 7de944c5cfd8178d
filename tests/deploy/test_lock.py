"""The lock files: every dependency pyproject.toml asks for is pinned, with hashes, in versions
it allows; the image's lock holds the versions CI installs from the dev lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)
HINT = "pyproject.toml and the lock files disagree: run `make lock` and commit the result"


def _pins(name: str) -> dict[str, str]:
    text = (REPO / name).read_text(encoding="utf-8")
    return {canonicalize_name(m.group(1)): m.group(2) for m in _PIN.finditer(text)}


def _entries(name: str) -> list[str]:
    """One string per pinned requirement, continuation lines joined."""
    text = (REPO / name).read_text(encoding="utf-8").replace("\\\n", " ")
    return [line for line in text.splitlines() if _PIN.match(line)]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PYPROJECT["project"]["dependencies"]),
        (
            "requirements-dev.lock",
            PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["dev"],
        ),
        ("requirements-build.lock", PYPROJECT["build-system"]["requires"]),
    ],
)
def test_every_requirement_is_pinned_in_a_version_it_allows(
    lock: str, requirements: list[str]
) -> None:
    pins = _pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} has no {name}: {HINT}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, pyproject.toml asks for {requirement}: {HINT}"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-build.lock"])
def test_the_image_locks_hold_the_versions_ci_tests(lock: str) -> None:
    dev = _pins("requirements-dev.lock")
    for name, version in _pins(lock).items():
        assert dev.get(name) == version, f"{lock}: {name}=={version}, dev lock {dev.get(name)}"


@pytest.mark.parametrize(
    "lock", ["requirements.lock", "requirements-dev.lock", "requirements-build.lock"]
)
def test_every_pin_carries_sha256_hashes(lock: str) -> None:
    entries = _entries(lock)
    assert len(entries) > 3
    for entry in entries:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), entry.split()[0]


def test_the_project_itself_is_not_in_its_locks() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        assert "digestbot" not in _pins(lock)
        assert not any(line.startswith("-e") for line in Path(REPO / lock).read_text().splitlines())
