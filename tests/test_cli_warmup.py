"""The HTTP client a command sends with starts loading on a thread once the config names it
(`cli.warmup`), and only then. Each case runs in a fresh interpreter: in this one, aiohttp is
long loaded."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digestbot.cli.warmup import warm
from tests.fakes.telegram_server import TelegramFake
from tests.sample import SAMPLE

REPO = Path(__file__).resolve().parents[1]

# Records which thread asked for aiohttp first, then runs `digestbot ARGS`.
_PUBLISH = r"""
import json, sys, threading
FIRST = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "aiohttp" and not FIRST:
            FIRST.append(threading.current_thread().name)
        return None
sys.meta_path.insert(0, Spy())
sys.argv = ["digestbot", *json.loads(sys.argv[1])]
from digestbot.cli import main
try:
    main()
except SystemExit:
    pass
with open(OUT, "w") as out:
    json.dump(FIRST, out)
"""

_WARM_SENDERS = r"""
import json, sys
from pathlib import Path
from digestbot.config import load_config
from digestbot.cli.warmup import warm_senders
only = [sys.argv[2]] if len(sys.argv) > 2 else None
thread = warm_senders(load_config(Path(sys.argv[1])), only)
if thread is not None:
    thread.join()
print(json.dumps([thread is not None, "aiohttp" in sys.modules]))
"""


def _config(tmp_path: Path, telegram: str) -> Path:
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
        f'[outbox]\npath = "{tmp_path}/outbox"\n'
        f"[telegram]\n{telegram}\ntargets = [{{ chat_id = \"1001\" }}]\n"
        '[email]\ntransport = "outbox"\nfrom = "digest@example.org"\n'
        'unsubscribe_url = "https://example.org/u"\nunsubscribe_secret = "s3cret-for-links-0001"\n',
        encoding="utf-8",
    )
    return config


def _warm_senders(config: Path, *only: str) -> list[bool]:
    done = subprocess.run(
        [sys.executable, "-c", _WARM_SENDERS, str(config), *only],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    result: list[bool] = json.loads(done.stdout)
    return result


def test_a_live_telegram_channel_warms_the_http_client(tmp_path: Path) -> None:
    config = _config(tmp_path, 'token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ"')
    assert _warm_senders(config) == [True, True]


@pytest.mark.parametrize(
    ("telegram", "only"),
    [('transport = "outbox"', ()), ('token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ"', ("email",))],
    ids=["outbox", "only-email"],
)
def test_nothing_sent_over_http_loads_no_http_client(
    tmp_path: Path, telegram: str, only: tuple[str, ...]
) -> None:
    assert _warm_senders(_config(tmp_path, telegram), *only) == [False, False]


def test_a_publish_imports_aiohttp_on_the_warmup_thread(tmp_path: Path) -> None:
    out = tmp_path / "first.json"
    with TelegramFake() as fake:
        config = tmp_path / "digestbot.toml"
        config.write_text(
            f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
            f"[telegram]\ntoken = {json.dumps(fake.token)}\n"
            f"api_base_url = {json.dumps(fake.url)}\n"
            'targets = [{ chat_id = "1001" }]\n',
            encoding="utf-8",
        )
        args = ["--config", str(config), "publish", "--file", str(SAMPLE)]
        script = _PUBLISH.replace("OUT", repr(str(out)))
        subprocess.run(
            [sys.executable, "-c", script, json.dumps(args)],
            cwd=REPO,
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert {m.chat_id for m in fake.messages} == {"1001"}  # it did send
    assert json.loads(out.read_text()) == ["digestbot-warmup"]


def test_a_module_already_loaded_starts_no_thread() -> None:
    assert warm("json") is None


def test_a_failed_import_is_left_to_the_command_to_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uncaught: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: uncaught.append(args.exc_value))
    thread = warm("digestbot_no_such_module")
    assert thread is not None
    thread.join(10)
    assert uncaught == []
    assert "digestbot_no_such_module" not in sys.modules
