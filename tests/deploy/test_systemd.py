"""deploy/digestbot.service: systemd itself checks the unit (`systemd-analyze verify` and its
offline security score), and the unit hands digestbot what it needs as files and overrides."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.deploy.tools import required_tool

UNIT = REPO / "deploy" / "digestbot.service"
INSTALLED = "/opt/digestbot/bin/digestbot"


def _systemd_analyze() -> str:
    return required_tool("systemd-analyze", "systemd")


def _testable_copy(tmp_path: Path) -> Path:
    """The unit with the installed path pointing at this checkout's digestbot: `verify`
    insists that ExecStart names an executable that exists."""
    executable = Path(sys.executable).parent / "digestbot"
    copy = tmp_path / "digestbot.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, str(executable)))
    return copy


def _service() -> dict[str, list[str]]:
    """[Service] settings, each with every value it is given (systemd allows repeats)."""
    values: dict[str, list[str]] = {}
    section = UNIT.read_text(encoding="utf-8").split("[Service]")[1].split("[Install]")[0]
    for line in section.splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_systemd_accepts_the_unit_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [_systemd_analyze(), "verify", "--man=no", str(_testable_copy(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_systemd_rates_the_sandbox_ok(tmp_path: Path) -> None:
    result = subprocess.run(
        [_systemd_analyze(), "security", "--offline=yes", str(_testable_copy(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    score = re.search(r"exposure level for digestbot\.service: ([\d.]+) (\w+)", result.stdout)
    assert score is not None, result.stdout + result.stderr
    # systemd's scale: 0–10, "OK" up to 2.0 (an unhardened service scores 9.6 UNSAFE).
    assert float(score.group(1)) <= 2.0 and score.group(2) == "OK", score.group(0)


def test_the_unit_is_hardened_as_promised() -> None:
    service = _service()
    for key, value in {
        "DynamicUser": "yes",
        "ProtectSystem": "strict",
        "StateDirectory": "digestbot digestbot/issues",  # source.path must exist at start
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == [value], key


def test_secrets_arrive_as_credentials_and_state_stays_in_the_state_directory() -> None:
    service = _service()
    credentials = {v.split(":")[0] for v in service["LoadCredential"]}
    env = dict(v.split("=", 1) for v in service["Environment"])
    for name, path in env.items():
        if name.endswith("_FILE"):
            assert path.startswith("%d/") and path.removeprefix("%d/") in credentials, name
    assert env["DIGESTBOT_CONFIG"] == "%d/config" and "config" in credentials
    for key in ("DIGESTBOT_STORE_URL", "DIGESTBOT_SOURCE_PATH", "DIGESTBOT_OUTBOX_PATH"):
        assert "/var/lib/digestbot/" in env[key], key
    assert service["WorkingDirectory"] == ["/var/lib/digestbot"]
    assert service["ExecStartPre"] == [f"{INSTALLED} migrate"]
    assert service["ExecStart"] == [f"{INSTALLED} run"]
    # A config problem (exit 2) is not fixed by restarting.
    assert service["Restart"] == ["on-failure"] and service["RestartPreventExitStatus"] == ["2"]

