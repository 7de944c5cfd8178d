"""The embedded default channel: every part becomes a file, so a demo or a dry run needs no
account anywhere and shows exactly what would have been sent."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from digestbot.channels.email_build import MailTemplates, Sender
from digestbot.channels.errors import MessageGone
from digestbot.channels.slots import SharedSlots
from digestbot.model import Channel
from digestbot.payloads import EmailMessage, Payload

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
_SEQ_PART = re.compile(r"(\d{4,})-(\d+)")


def sanitize_target(target: str) -> str:
    """A directory name for `target` that cannot escape the outbox or clash with `.`/`..`."""
    cleaned = _UNSAFE.sub("_", target).strip(".") or "_"
    return cleaned[:120]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` at `path`, which must not exist yet: a reader never sees half a file, and
    two writers racing for one name cannot both win (link fails on an existing name)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


class OutboxChannel:
    """Writes parts under root/<channel_name>/<target>/<seq>-<part>.json; email parts also as
    .html and .eml. The returned id is `<seq>-<part>`; a part sent with `reply_to` joins that
    id's sequence as its next part, like a thread. An edit writes `<id>.edit-<n>.json`, a
    delete `<id>.deleted.json`, so the folder shows what a correction did."""

    def __init__(
        self,
        root: Path,
        channel_name: Channel,
        *,
        from_addr: str = "digestbot@localhost",
        unsubscribe_url: str | None = None,
        unsubscribe_secret: str | None = None,
        preferences_url: str | None = None,
        name: str | None = None,
    ) -> None:
        self.root = Path(root)
        self.channel_name = channel_name
        self.name = name or channel_name
        self._mail = MailTemplates(
            Sender(from_addr, unsubscribe_url, unsubscribe_secret, preferences_url)
        )
        self.connections = 1  # one writer: a part's files are written without a pause
        self._slots = SharedSlots(self, self.connections)

    def slot(self) -> AbstractAsyncContextManager[OutboxChannel]:
        return self._slots.hold()

    async def open(self) -> None:
        (self.root / self.channel_name).mkdir(parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    def folder(self, target: str) -> Path:
        return self.root / self.channel_name / sanitize_target(target)

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        # Deliberately no await inside: within one event loop the numbering below is atomic,
        # and across processes the exclusive link in _write_atomic settles races.
        folder = self.folder(target)
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            seq, part = self._next_id(folder, reply_to)
            message_id = f"{seq:04d}-{part}"
            try:
                self._write(folder, message_id, target, payload, reply_to)
            except FileExistsError:
                continue
            return message_id

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        folder = self.folder(target)
        if not (folder / f"{message_id}.json").exists():
            raise MessageGone(f"outbox: no message {message_id} for {target}")
        n = 1
        while True:
            try:
                self._write(folder, f"{message_id}.edit-{n}", target, payload, None)
            except FileExistsError:
                n += 1
                continue
            return

    async def delete(self, target: str, message_id: str) -> None:
        folder = self.folder(target)
        if not (folder / f"{message_id}.json").exists():
            return  # never sent here, or gone: deleted either way
        record = {"channel": self.channel_name, "target": target, "deleted": message_id}
        with contextlib.suppress(FileExistsError):  # deleted before
            _write_atomic(folder / f"{message_id}.deleted.json", json.dumps(record).encode())

    @staticmethod
    def _next_id(folder: Path, reply_to: str | None) -> tuple[int, int]:
        taken = [
            (int(m.group(1)), int(m.group(2)))
            # Every extension counts, so a crash that left only the .eml cannot wedge numbering.
            for p in folder.iterdir()
            if (m := _SEQ_PART.fullmatch(p.name.partition(".")[0]))
        ]
        thread = _SEQ_PART.fullmatch(reply_to) if reply_to else None
        if thread:
            seq = int(thread.group(1))
            return seq, max((part for s, part in taken if s == seq), default=0) + 1
        return max((s for s, _ in taken), default=0) + 1, 1

    def _write(
        self, folder: Path, message_id: str, target: str, payload: Payload, reply_to: str | None
    ) -> None:
        record = {
            "channel": self.channel_name,
            "target": target,
            "message_id": message_id,
            "reply_to": reply_to,
            "payload": payload.to_json(),
        }
        if isinstance(payload, EmailMessage):
            mail = self._mail.build(payload, target)
            record["email_message_id"] = mail.message_id
            # The .json is written last, so its presence marks a complete part.
            _write_atomic(folder / f"{message_id}.eml", mail.data)
            _write_atomic(folder / f"{message_id}.html", mail.html.encode("utf-8"))
        text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        _write_atomic(folder / f"{message_id}.json", text.encode("utf-8"))


__all__ = ["OutboxChannel", "sanitize_target"]
