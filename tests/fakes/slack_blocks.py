"""Block Kit checks the Slack fake applies to chat.postMessage and response_url posts alike.

The limits are Slack's documented ones (Block Kit reference: ≤ 50 blocks per message, section
text ≤ 3000 characters and ≤ 10 fields of ≤ 2000, header plain_text ≤ 150, context ≤ 10
elements, actions ≤ 25 elements, button text ≤ 75, URLs ≤ 3000, block_id ≤ 255; chat.postMessage
`text` ≤ 40,000). The complaints are worded the way Slack words them in an `invalid_blocks`
answer: a sentence and the JSON pointer of the offending field, e.g.
`must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_URL = 3000
MAX_BLOCK_ID = 255
MAX_TEXT = 40000
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
# Types we accept without checking their inside.
OTHER_TYPES = frozenset({"image", "input", "file", "video"})
# rich_text: containers, and the leaf elements a section may hold with their required field.
RICH_CONTAINERS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_quote", "rich_text_preformatted"}
)
RICH_LEAVES = {
    "text": "text",
    "link": "url",
    "emoji": "name",
    "user": "user_id",
    "channel": "channel_id",
    "usergroup": "usergroup_id",
    "broadcast": "range",
    "date": "timestamp",
    "color": "value",
}


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _text_object(obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> Iterator[str]:
    if not isinstance(obj, dict):
        yield f"must provide an object [json-pointer:{pointer}]"
        return
    kind = obj.get("type")
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if kind not in allowed:
        yield f"must be one of {sorted(allowed)} [json-pointer:{pointer}/type]"
    text = obj.get("text")
    if not isinstance(text, str):
        yield f"must provide a string [json-pointer:{pointer}/text]"
    elif not text:
        yield f"must be more than 0 characters [json-pointer:{pointer}/text]"
    elif len(text) > limit:
        yield _too_long(limit, f"{pointer}/text")


def _section(block: dict[str, Any], at: str) -> Iterator[str]:
    fields = block.get("fields")
    if "text" not in block and not fields:
        yield f"must provide either text or fields [json-pointer:{at}]"
    if "text" in block:
        yield from _text_object(block["text"], f"{at}/text", MAX_SECTION_TEXT)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > MAX_SECTION_FIELDS:
            yield f"no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{at}/fields]"
        else:
            for i, field in enumerate(fields):
                yield from _text_object(field, f"{at}/fields/{i}", MAX_FIELD_TEXT)


def _elements(block: dict[str, Any], at: str, limit: int) -> tuple[list[Any], list[str]]:
    """A context or actions block's elements and the complaints about their number."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        return [], [f"must provide at least 1 item [json-pointer:{at}/elements]"]
    if len(elements) > limit:
        return elements, [f"no more than {limit} items allowed [json-pointer:{at}/elements]"]
    return elements, []


def _context(block: dict[str, Any], at: str) -> Iterator[str]:
    elements, errors = _elements(block, at, MAX_CONTEXT_ELEMENTS)
    yield from errors
    for i, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "image":
            continue
        yield from _text_object(element, f"{at}/elements/{i}", MAX_SECTION_TEXT)


def _actions(block: dict[str, Any], at: str) -> Iterator[str]:
    elements, errors = _elements(block, at, MAX_ACTIONS_ELEMENTS)
    yield from errors
    for i, element in enumerate(elements):
        where = f"{at}/elements/{i}"
        if not isinstance(element, dict):
            yield f"must provide an object [json-pointer:{where}]"
            continue
        if element.get("type") == "button":
            yield from _text_object(
                element.get("text"), f"{where}/text", MAX_BUTTON_TEXT, plain_only=True
            )
            url = element.get("url")
            if isinstance(url, str) and len(url) > MAX_URL:
                yield _too_long(MAX_URL, f"{where}/url")


def _rich_leaf(element: Any, at: str) -> Iterator[str]:
    kind = element.get("type") if isinstance(element, dict) else None
    required = RICH_LEAVES.get(str(kind))
    if required is None:
        yield f"failed to match all allowed schemas [json-pointer:{at}]"
        return
    assert isinstance(element, dict)
    value = element.get(required)
    if value is None:
        yield f"missing required field: {required} [json-pointer:{at}]"
    elif kind in ("text", "link", "emoji") and (not isinstance(value, str) or not value):
        yield f"must provide a non-empty string [json-pointer:{at}/{required}]"
    if kind == "link":
        if isinstance(value, str) and len(value) > MAX_URL:
            yield _too_long(MAX_URL, f"{at}/url")
        label = element.get("text")
        if label is not None and not isinstance(label, str):
            yield f"must provide a string [json-pointer:{at}/text]"


def _rich_text(block: dict[str, Any], at: str) -> Iterator[str]:
    containers = block.get("elements")
    if not isinstance(containers, list) or not containers:
        yield f"must provide at least 1 item [json-pointer:{at}/elements]"
        return
    for i, container in enumerate(containers):
        where = f"{at}/elements/{i}"
        if not isinstance(container, dict) or container.get("type") not in RICH_CONTAINERS:
            yield f"failed to match all allowed schemas [json-pointer:{where}]"
            continue
        leaves = container.get("elements")
        if not isinstance(leaves, list):
            yield f"must provide an array [json-pointer:{where}/elements]"
            continue
        for j, leaf in enumerate(leaves):
            if container["type"] == "rich_text_list":
                yield from _rich_text({"elements": [leaf]}, f"{where}/elements/{j}")
            else:
                yield from _rich_leaf(leaf, f"{where}/elements/{j}")


def block_errors(blocks: Any) -> list[str]:
    """Everything Slack would list in `errors` for these blocks; [] when they are accepted."""
    if not isinstance(blocks, list):
        return ["must provide an array [json-pointer:/blocks]"]
    if len(blocks) > MAX_BLOCKS:
        return [f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]"]
    errors: list[str] = []
    for n, block in enumerate(blocks):
        at = f"/blocks/{n}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{at}]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str) and len(block_id) > MAX_BLOCK_ID:
            errors.append(_too_long(MAX_BLOCK_ID, f"{at}/block_id"))
        kind = block["type"]
        if kind == "header":
            header = block.get("text")
            errors += _text_object(header, f"{at}/text", MAX_HEADER_TEXT, plain_only=True)
        elif kind == "section":
            errors += _section(block, at)
        elif kind == "context":
            errors += _context(block, at)
        elif kind == "actions":
            errors += _actions(block, at)
        elif kind == "rich_text":
            errors += _rich_text(block, at)
        elif kind != "divider" and kind not in OTHER_TYPES:
            errors.append(f"failed to match all allowed schemas [json-pointer:{at}]")
    return errors


def message_problem(params: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(Slack's error code, its reasons) for a message body it refuses, or None."""
    text, blocks = params.get("text"), params.get("blocks")
    if not text and not blocks:
        return "no_text", []
    if blocks is not None:
        if not isinstance(blocks, list):
            return "invalid_blocks_format", []
        if errors := block_errors(blocks):
            return "invalid_blocks", errors
    if text is not None and len(str(text)) > MAX_TEXT:
        return "msg_too_long", []
    return None


__all__ = [
    "MAX_BLOCKS",
    "MAX_HEADER_TEXT",
    "MAX_SECTION_TEXT",
    "MAX_TEXT",
    "block_errors",
    "message_problem",
]
