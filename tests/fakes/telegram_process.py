"""The Telegram fake in a process of its own, for tests that judge arrival times.

The fake counts a request against the rate limits when its handler runs. In the test's own
process its thread competes for the GIL with the client under test (and, in a wide test, with
the other fakes): on a loaded machine it can fall a second behind and then handle a second's
worth of requests at once, which no pacing on our side could prevent and the real Bot API,
on other machines, never does. Same token, URL and inspection as `TelegramFake`, read over
its `/_fake/` endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from tests.fakes.telegram_server import DEFAULT_TOKEN

REPO = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True, slots=True)
class ArrivedMessage:
    chat_id: str
    message_id: int
    text: str
    time: float


class TelegramFakeProcess:
    def __init__(self, *flags: str, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.flags = flags
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> Self:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.telegram_server",
                "--port",
                "0",
                "--token",
                self.token,
                *self.flags,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("telegram fake on "):
            self.stop()
            raise RuntimeError(f"the Telegram fake did not start (said {line!r})")
        self.url = line.removeprefix("telegram fake on ").strip()
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as answer:
            return json.loads(answer.read())

    @property
    def messages(self) -> list[ArrivedMessage]:
        return [
            ArrivedMessage(str(m["chat_id"]), int(m["message_id"]), m["text"], m["time"])
            for m in self._get("/_fake/messages")
        ]

    def messages_to(self, chat_id: str) -> list[ArrivedMessage]:
        return [m for m in self.messages if m.chat_id == str(chat_id)]

    @property
    def accepted(self) -> int:
        """How many messages the fake has accepted so far (cheaper than `messages`)."""
        return int(self._get("/_fake/stats")["messages"])

    @property
    def rate_limited(self) -> int:
        return int(self._get("/_fake/stats")["rate_limited"])

    @property
    def rate_limited_by_chat(self) -> dict[str, int]:
        by_chat: dict[str, int] = self._get("/_fake/stats")["rate_limited_by_chat"]
        return by_chat

    def push_message(self, chat_id: str, text: str) -> None:
        """A reader writes `text` to the bot in `chat_id` (its user id is the chat's)."""
        self._post("/_fake/push_message", {"chat_id": chat_id, "text": text})

    def flood(self, seconds: int, chat_id: str = "*") -> None:
        """The next request answers 429 with retry_after = `seconds` (`TelegramFake.flood`)."""
        self._post("/_fake/flood", {"seconds": seconds, "chat_id": chat_id})

    @property
    def floods(self) -> list[float]:
        """When (time.time()) each scripted 429 was answered."""
        return [float(t) for t in self._get("/_fake/stats")["floods"]]

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()


__all__ = ["ArrivedMessage", "TelegramFakeProcess"]
