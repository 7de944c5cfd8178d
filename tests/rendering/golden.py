"""How a render is stored as a golden file: full text for our own inputs, a digest for the seeds.

The seeds in ../shared/seeds are real published issues whose text must not be copied into the
project, so their golden files hold, per payload, a sha256 of its canonical JSON and its sizes
(what the platform limits are about). A changed seed render still fails, naming the payload that
changed and how its size moved; reviewing the actual text is done with `digestbot render`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.rendering import telegram_entity_count, telegram_length

DIGEST_NOTE = (
    "digest of a render of a real issue in ../shared/seeds; its text is not stored here "
    "(see `digestbot render` to look at it)"
)


def full_text(channel: str, payloads: list[Payload]) -> str:
    """The reviewed form for fixtures: the payloads exactly as a channel would send them."""
    body = payloads[0].to_json() if channel == "email" else [p.to_json() for p in payloads]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _sha256(payload: Payload) -> str:
    canonical = json.dumps(
        payload.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sizes(payload: Payload) -> dict[str, int]:
    """The measures each platform limits, so a failure says whether a payload grew or shrank."""
    if isinstance(payload, TelegramMessage):
        return {
            "utf16_visible": telegram_length(payload.text),
            "entities": telegram_entity_count(payload.text),
        }
    if isinstance(payload, SlackMessage):
        return {
            "blocks": len(payload.blocks),
            "fallback_chars": len(payload.text),
        }
    if isinstance(payload, EmailMessage):
        return {
            "subject_bytes": len(payload.subject.encode("utf-8")),
            "text_bytes": len(payload.text.encode("utf-8")),
            "html_bytes": len(payload.html.encode("utf-8")),
        }
    raise TypeError(f"unknown payload type {type(payload).__name__}")


def digest(payloads: list[Payload]) -> dict[str, Any]:
    return {
        "note": DIGEST_NOTE,
        "count": len(payloads),
        "payloads": [{"sha256": _sha256(p), **_sizes(p)} for p in payloads],
    }


def digest_text(payloads: list[Payload]) -> str:
    return json.dumps(digest(payloads), ensure_ascii=False, indent=2) + "\n"


def _sizes_only(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "sha256"}


def digest_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Human lines naming what moved: the payload count, then each payload whose hash changed
    with its sizes before → after. Empty when the digests agree."""
    lines: list[str] = []
    if expected.get("count") != actual["count"]:
        lines.append(f"payload count {expected.get('count')} → {actual['count']}")
    before: list[dict[str, Any]] = expected.get("payloads", [])
    after: list[dict[str, Any]] = actual["payloads"]
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        label = f"payload {index + 1}"
        if old is None and new is not None:
            lines.append(f"{label} added: {_sizes_only(new)}")
        elif new is None and old is not None:
            lines.append(f"{label} removed (was {_sizes_only(old)})")
        elif old is not None and new is not None and old.get("sha256") != new["sha256"]:
            lines.append(f"{label} changed: {_sizes_only(old)} → {_sizes_only(new)}")
    return lines
