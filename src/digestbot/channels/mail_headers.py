"""Mail headers that reach providers exactly as written.

Python's email policy refolds every header it writes. For an unstructured header holding one
long token - `List-Unsubscribe: <https://…?t=…>` - it breaks the token by turning it into
RFC 2047 encoded-words (`=?utf-8?q?=3Chttps=3A//…`), and RFC 2369/8058 parsers (Gmail,
Yahoo) then see no link at all. The headers here are built as the wire form by us - ASCII,
non-ASCII phrases already RFC 2047-encoded - and are folded only at the spaces between
their words, never inside a URL or an encoded-word.
"""

from __future__ import annotations

import email.policy
import re
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.policy import Policy
from email.utils import formataddr, parseaddr
from typing import Any

# RFC 5322 2.1.1: a line SHOULD stay within 78 characters and MUST within 998.
SOFT_LINE = 78
HARD_LINE = 998
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")  # RFC 5322 atext
VERBATIM_HEADERS = ("From", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


class VerbatimHeader(BaseHeader):
    """A header whose value is already its ASCII wire form; folded at spaces only."""

    max_count = 1  # each of these appears once in a message

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        if not value.isascii():
            raise ValueError(f"header value must be ASCII wire form, got {value[:40]!r}")
        kwds["parse_tree"] = None
        kwds["decoded"] = " ".join(value.split())

    def init(self, name: str, *, parse_tree: Any, defects: Any) -> None:
        self._name = name
        self._defects = tuple(defects)
        self._parse_tree = parse_tree

    def fold(self, *, policy: Policy) -> str:
        return fold_at_spaces(self.name, str(self), policy.linesep)


def fold_at_spaces(name: str, value: str, linesep: str = "\r\n") -> str:
    """`Name: value` with a line break before a word that would pass 78 characters; a word
    longer than that stays whole on its line (up to the hard limit of 998)."""
    lines: list[str] = []
    line = f"{name}:"
    for word in value.split():
        if len(line) + 1 + len(word) > SOFT_LINE and line.strip() != f"{name}:":
            lines.append(line)
            line = ""
        line = f"{line} {word}"
    lines.append(line)
    too_long = [n for n, text in enumerate(lines) if len(text) > HARD_LINE]
    if too_long:
        raise ValueError(f"{name} header has a word longer than {HARD_LINE} characters")
    return linesep.join(lines) + linesep


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    for name in VERBATIM_HEADERS:
        registry.map_to_type(name.lower(), VerbatimHeader)
    return registry


# policy.SMTP (CRLF, RFC 2047 for the subject so CJK survives servers without SMTPUTF8), with
# the headers above written verbatim.
POLICY = email.policy.SMTP.clone(header_factory=_registry())


def encoded_phrase(text: str) -> str:
    """A display name as it may appear before `<addr>`. All ASCII: an atom or a quoted
    string. Otherwise ASCII words stay atoms and each run of other words becomes RFC 2047
    encoded-words (≤ 75 characters each, the run's inner spaces encoded with it)."""
    words = text.split()
    if " ".join(words).isascii():
        return formataddr((" ".join(words), "x@x")).removesuffix(" <x@x>")
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if word and not (_ATOM.fullmatch(word) and "=?" not in word):
            run.append(word)
            continue
        if run:
            # A run too long for one encoded-word is split into adjacent ones, which RFC 2047
            # decoders join without a gap (CPython's phrase parser shows a space there).
            out.extend(Header(" ".join(run), "utf-8").encode(linesep="\n").split())
            run = []
        if word:
            out.append(word)
    return " ".join(out)


def mailbox(display_name: str, address: str) -> str:
    """`From:` wire form: `=?utf-8?b?…?= <digest@example.org>` - name kept, address intact."""
    if not display_name.strip():
        return address
    return f"{encoded_phrase(display_name)} <{address}>"


def from_header(from_addr: str) -> str:
    """The From wire form of a configured `Name <addr>` (or bare address)."""
    name, address = parseaddr(from_addr)
    return mailbox(name, address)


def list_id(from_addr: str, default_name: str = "AI 前沿发展日报") -> str:
    """RFC 2919 List-Id: the sender's display name and an id made from its address
    (`digest@example.org` → `<digest.example.org>`), stable for filters and providers."""
    name, address = parseaddr(from_addr)
    local, _, domain = address.partition("@")
    label = "".join(c if c.isalnum() or c in "-." else "-" for c in local).strip(".-") or "list"
    ident = f"{label}.{domain or 'digestbot.invalid'}".lower()
    return f"{encoded_phrase(name or default_name)} <{ident}>"


def list_unsubscribe(link: str) -> str:
    """RFC 2369 `<url>`: the URL literally, characters outside ASCII percent-encoded."""
    return f"<{_ascii_url(link)}>"


def _ascii_url(url: str) -> str:
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    return "".join(
        c if c.isascii() and not c.isspace() else "".join(f"%{b:02X}" for b in c.encode())
        for c in url
    )


__all__ = [
    "HARD_LINE",
    "POLICY",
    "VerbatimHeader",
    "encoded_phrase",
    "fold_at_spaces",
    "from_header",
    "list_id",
    "list_unsubscribe",
    "mailbox",
]
