"""check_config: what only the running machine can tell, without creating anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.config import check_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_config_on_a_fresh_machine_has_no_problems_and_creates_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "issues").mkdir()
    path = _write(
        tmp_path,
        f'[store]\nurl = "sqlite:///{tmp_path}/data/x.db"\n[source]\npath = "{tmp_path}/issues"\n',
    )
    assert check_config(path) == []
    assert not (tmp_path / "data").exists()


def test_missing_folders_are_reported_by_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f'[store]\nurl = "sqlite:///{tmp_path}/x.db"\n'
        f'[source]\npath = "{tmp_path}/nope"\n[templates]\ndir = "{tmp_path}/tpl"\n',
    )
    assert check_config(path) == [
        f"templates.dir: folder {tmp_path}/tpl does not exist",
        f"source.path: folder {tmp_path}/nope does not exist",
    ]


def test_an_existing_sqlite_ledger_is_opened(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_bytes(b"this is not a database" * 100)
    path = _write(
        tmp_path, f'[store]\nurl = "sqlite:///{tmp_path}/x.db"\n[source]\npath = "{tmp_path}"\n'
    )
    (problem,) = check_config(path)
    assert problem.startswith("store.url: cannot connect to sqlite:///")


def test_a_reachable_postgresql_passes(tmp_path: Path, pg_url: str) -> None:
    path = _write(tmp_path, f'[store]\nurl = "{pg_url}"\n[source]\npath = "{tmp_path}"\n')
    assert check_config(path) == []


def test_validation_problems_come_back_as_the_list(tmp_path: Path) -> None:
    assert check_config(_write(tmp_path, "[server]\nport = 0\n")) == [
        "server.port: must be greater than or equal to 1"
    ]


@pytest.mark.parametrize("transport", ["outbox"])
def test_an_unwritable_outbox_is_reported(tmp_path: Path, transport: str) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    path = _write(
        tmp_path,
        f'[store]\nurl = "sqlite:///{tmp_path}/x.db"\n[source]\npath = "{tmp_path}"\n'
        f'[outbox]\npath = "{blocker}/out"\n[telegram]\ntransport = "{transport}"\n',
    )
    assert check_config(path) == [f"outbox.path: {blocker} is not a writable folder"]
