"""The store URL's password never reaches output, however it is written: with a '/' or '?'
SQLAlchemy still reads as password, as libpq's `password=` query parameter, or with an '@'
that SQLAlchemy would split into the host (and look up in DNS). Real processes, because the
lines an operator sees come from several commands' own error paths."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.processes import run
from tests.sample import SAMPLE

PASSWORD = "Pg/S3cret?Audit"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "issues").mkdir()
    path = tmp_path / "digestbot.toml"
    path.write_text(
        f'[store]\nurl = "{url}"\n[source]\nkind = "folder"\npath = "{tmp_path / "issues"}"\n'
    )
    return path


def _output(config: Path, *args: str) -> tuple[int, str]:
    done: subprocess.CompletedProcess[str] = run(config, *args, timeout=60)
    return done.returncode, done.stdout + done.stderr


def _assert_hidden(secret: str, output: str) -> None:
    for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
        assert form not in output, form


@pytest.mark.parametrize(
    "userinfo, query",
    [(f"postgres:{PASSWORD}", ""), ("postgres", f"?password={quote(PASSWORD, safe='')}")],
    ids=["in-the-user-part", "as-a-query-parameter"],
)
def test_an_unreachable_stores_password_is_masked_wherever_the_url_is_shown(
    tmp_path: Path, userinfo: str, query: str
) -> None:
    url = f"postgresql://{userinfo}@127.0.0.1:{_closed_port()}/digestbot{query}"
    config = _config(tmp_path, url)

    checked = _output(config, "check-config")
    published = _output(config, "publish", "--file", str(SAMPLE))

    assert checked[0] == 1 and "cannot connect" in checked[1], checked
    assert published[0] == 3 and "unavailable" in published[1], published
    assert "postgresql+psycopg://postgres" in checked[1], "the URL is still shown"
    _assert_hidden(PASSWORD, checked[1] + published[1])


def test_an_unencoded_at_sign_in_the_password_is_refused_before_any_connection(
    tmp_path: Path,
) -> None:
    """SQLAlchemy would end the password at "Pg" and connect to host "Tail@127.0.0.1",
    quoting (and resolving) the password's tail."""
    config = _config(tmp_path, "postgresql://postgres:Pg@Tail-Of-Secret@127.0.0.1:1/digestbot")

    code, output = _output(config, "check-config")

    assert code != 0
    assert "store.url" in output and "percent-encode" in output, output
    _assert_hidden("Tail-Of-Secret", output)


@pytest.mark.parametrize(
    "command, exit_code",
    [(("check-config",), 1), (("publish", "--file", str(SAMPLE)), 2)],
    ids=["check-config", "publish"],
)
def test_a_port_that_is_not_a_number_is_one_line_not_a_traceback(
    tmp_path: Path, command: tuple[str, ...], exit_code: int
) -> None:
    config = _config(tmp_path, f"postgresql://postgres:{PASSWORD}@127.0.0.1:notaport/digestbot")

    code, output = _output(config, *command)

    assert code == exit_code, output
    assert "store.url" in output and "port must be a number, not 'notaport'" in output, output
    assert "Traceback" not in output
    _assert_hidden(PASSWORD, output)
