"""Bytes → text: BOMs first, then UTF-8, then GB18030, and a refusal for binary data."""

from __future__ import annotations

import codecs

from digestbot.parsing.errors import NotAnIssueError

# Checked longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Text keeps tabs and line breaks; any other C0 control (or DEL) in quantity means binary.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_RATIO = 0.05


def decode(data: bytes) -> str:
    """Decode an issue file. UTF-8 (BOM optional), UTF-16/32 with a BOM, else GB18030.

    Raises NotAnIssueError for empty input and for bytes that no encoding accepts or that
    decode to binary-looking text (NUL bytes, more than 5% control characters).
    """
    if not data:
        raise NotAnIssueError("the input is empty")
    text = _decode_text(data)
    if looks_binary(text):
        raise NotAnIssueError("the input looks like binary data, not text")
    return text


def _decode_text(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise NotAnIssueError(f"the input starts with a {encoding} BOM but is not "
                                      f"{encoding} text") from exc
    if b"\x00" in data:
        # UTF-16 without a BOM is not supported; NUL bytes otherwise only occur in binary files.
        raise NotAnIssueError("the input looks like binary data, not text (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Older Chinese CMS exports: GB2312/GBK are subsets of GB18030.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise NotAnIssueError("the input is neither UTF-8, UTF-16 nor GB18030 text") from exc


def looks_binary(text: str) -> bool:
    """True when the text holds NULs or more than 5% control characters."""
    if "\x00" in text:
        return True
    if not text:
        return False
    controls = sum(
        1 for ch in text if (ord(ch) < 32 or ord(ch) == 127) and ch not in _ALLOWED_CONTROLS
    )
    return controls / len(text) > _MAX_CONTROL_RATIO


__all__ = ["decode", "looks_binary"]
