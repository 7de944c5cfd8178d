"""Compiled templates kept between processes, so a command renders without compiling them.

Compiling a channel's templates is most of a cold render: 16-18 ms for Telegram's, against 1 ms
to load them compiled, and `publish` waits for it before its first message. Jinja's
FileSystemBytecodeCache keeps each template's compiled code beside a checksum of its source, in
the per-user directory Jinja makes and checks (mode 0700, owned by this user: the code is loaded
with marshal, so nobody else may be able to put files there).

What a template compiles to also depends on its environment's options (autoescape, finalize,
whitespace control), which that checksum does not see: the file names carry a fingerprint of
digestbot's version, the channel and the module that sets those options, so a changed option is
never served code compiled under the old one.

The cache is only a speed-up: a directory that cannot be made, is not safe, or cannot be written
is passed over (logged at debug) and templates compile as before."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from digestbot import __version__
from digestbot.model import Channel

log = logging.getLogger(__name__)


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, except that failing to read or write it never fails a render."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError as exc:
            log.debug("template cache not read from %s: %s", self.directory, exc)

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("template cache not written to %s: %s", self.directory, exc)


def options_fingerprint(channel: Channel, options_module: Path) -> str:
    """What, besides a template's source, decides the code it compiles to."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{__version__}|{channel.value}|".encode())
    digest.update(options_module.read_bytes())
    return digest.hexdigest()[:16]


def template_cache(channel: Channel, options_module: Path) -> jinja2.BytecodeCache | None:
    """The cache for `channel`'s environment, whose options `options_module` sets; None when
    there is no safe place for it."""
    pattern = f"__digestbot_{options_fingerprint(channel, options_module)}_%s.cache"
    try:
        return _BestEffortCache(pattern=pattern)
    except (OSError, RuntimeError) as exc:  # RuntimeError: Jinja found the directory unsafe
        log.debug("no template cache: %s", exc)
        return None


__all__ = ["options_fingerprint", "template_cache"]
