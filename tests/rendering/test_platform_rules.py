"""Every render of every input passes the checks written from the platforms' documented rules."""

from __future__ import annotations

import pytest

from digestbot.model import Channel, Variant
from digestbot.rendering import Renderer
from tests.rendering.builders import synthetic_issue
from tests.rendering.cases import case_names, render_case
from tests.rendering.validators import validate

RENDERER = Renderer()


@pytest.mark.parametrize("variant", [v.value for v in Variant])
@pytest.mark.parametrize("channel", Channel)
@pytest.mark.parametrize("case", case_names())
def test_every_payload_of_every_input_passes_platform_validator(
    case: str, channel: str, variant: str
) -> None:
    payloads = render_case(case, channel, variant)
    assert payloads
    for payload in payloads:
        validate(payload)


@pytest.mark.parametrize("channel", Channel)
def test_ten_times_longer_issue_still_fits_every_limit(channel: str) -> None:
    for variant in Variant:
        for payload in RENDERER.render(synthetic_issue(10), channel, variant):
            validate(payload)


def test_long_full_digest_splits_into_numbered_telegram_parts() -> None:
    parts = RENDERER.telegram(synthetic_issue(30), Variant.FULL)
    assert len(parts) > 2
    for k, part in enumerate(parts, start=1):
        assert part.text.startswith(f"({k}/{len(parts)})\n")


def test_long_full_digest_continues_in_slack_thread_within_limits() -> None:
    messages = RENDERER.slack(synthetic_issue(30), Variant.FULL)
    assert len(messages) > 2
    assert all(m.text for m in messages)
