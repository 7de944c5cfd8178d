"""The seed digests fail usefully: they name the payload that changed and its sizes."""

from __future__ import annotations

import pytest

from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from tests.rendering.golden import digest, digest_differences

_A = TelegramMessage("<b>a</b> 😀")
_B = TelegramMessage("<b>b</b> 😀😀")


def test_digest_sizes_are_what_each_platform_limits() -> None:
    tg = digest([_A])["payloads"][0]
    slack = digest([SlackMessage("fallback", ({"type": "divider"}, {"type": "divider"}))])
    email = digest([EmailMessage("Sü", "té", "<p>x</p>")])["payloads"][0]
    assert (tg["utf16_visible"], tg["entities"]) == (4, 1)  # "a 😀": the emoji counts twice
    assert slack["payloads"][0]["blocks"] == 2
    assert (email["subject_bytes"], email["text_bytes"], email["html_bytes"]) == (3, 3, 8)


def test_digest_holds_no_text_of_the_render() -> None:
    text = str(digest([TelegramMessage("a distinctive sentence")]))
    assert "distinctive" not in text


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ([_A, _B], [_A, _B], []),
        (
            [_A, _B],
            [_A, _A],
            [
                "payload 2 changed: {'utf16_visible': 6, 'entities': 1} → "
                "{'utf16_visible': 4, 'entities': 1}"
            ],
        ),
        (
            [_A],
            [_A, _B],
            ["payload count 1 → 2", "payload 2 added: {'utf16_visible': 6, 'entities': 1}"],
        ),
        (
            [_A, _B],
            [_A],
            ["payload count 2 → 1", "payload 2 removed (was {'utf16_visible': 6, 'entities': 1})"],
        ),
    ],
    ids=["same", "changed", "added", "removed"],
)
def test_digest_differences_name_the_payload_and_its_sizes(
    before: list[Payload], after: list[Payload], expected: list[str]
) -> None:
    assert digest_differences(digest(before), digest(after)) == expected
