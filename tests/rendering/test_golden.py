"""Every render of every input matches its reviewed golden file (pytest --update-golden)."""

from __future__ import annotations

import json

import pytest

from digestbot.model import Variant
from digestbot.rendering import CHANNELS, Renderer
from digestbot.rendering.payloads import Payload
from tests.conftest import GOLDEN_DIR
from tests.rendering.cases import case_names, load_case

RENDERER = Renderer()


def _serialize(channel: str, payloads: list[Payload]) -> str:
    body = payloads[0].to_json() if channel == "email" else [p.to_json() for p in payloads]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("variant", [v.value for v in Variant])
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", case_names())
def test_golden_render_matches_reviewed_file(
    case: str, channel: str, variant: str, update_golden: bool
) -> None:
    issue = load_case(case)
    actual = _serialize(channel, RENDERER.render(issue, channel, variant))
    path = GOLDEN_DIR / case / f"{channel}-{variant}.json"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"no golden file {path.relative_to(GOLDEN_DIR.parent.parent)}; "
            "run `pytest tests/rendering -k golden --update-golden` and review the diff"
        )
    assert actual == path.read_text(encoding="utf-8"), (
        f"{case} {channel}/{variant} changed; if intended, rerun with --update-golden"
    )
