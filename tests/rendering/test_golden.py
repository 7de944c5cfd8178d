"""Every render of every input matches its reviewed golden file (pytest --update-golden).

Fixtures and the sample keep full-text goldens; seed renders keep a digest (tests/rendering/
golden.py) because the seeds' text must not be copied into the project.
"""

from __future__ import annotations

import json

import pytest

from digestbot.model import Channel, Variant
from digestbot.parsing import ParseError, parse_issue
from tests.conftest import GOLDEN_DIR
from tests.rendering.cases import (
    ISSUE_FIXTURES_DIR,
    NOT_ISSUES,
    case_names,
    is_seed_case,
    render_case,
)
from tests.rendering.golden import digest, digest_differences, digest_text, full_text

_UPDATE_HINT = "if intended, rerun with --update-golden"


@pytest.mark.parametrize("variant", [v.value for v in Variant])
@pytest.mark.parametrize("channel", Channel)
@pytest.mark.parametrize("case", case_names())
def test_golden_render_matches_reviewed_file(
    case: str, channel: str, variant: str, update_golden: bool
) -> None:
    payloads = render_case(case, channel, variant)
    seed = is_seed_case(case)
    actual = digest_text(payloads) if seed else full_text(channel, payloads)
    suffix = "digest.json" if seed else "json"
    path = GOLDEN_DIR / case / f"{channel}-{variant}.{suffix}"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"no golden file {path.relative_to(GOLDEN_DIR.parent.parent)}; "
            "run `pytest tests/rendering -k golden --update-golden` and review the diff"
        )
    expected = path.read_text(encoding="utf-8")
    if seed:
        changes = digest_differences(json.loads(expected), digest(payloads))
        assert not changes, (
            f"{case} {channel}/{variant} changed: " + "; ".join(changes) + f"; {_UPDATE_HINT}"
        )
        return
    assert actual == expected, f"{case} {channel}/{variant} changed; {_UPDATE_HINT}"


@pytest.mark.parametrize("name", sorted(NOT_ISSUES))
def test_fixtures_left_out_of_the_render_cases_are_really_refused(name: str) -> None:
    # NOT_ISSUES must not become a place to hide a fixture the parser stopped reading.
    path = ISSUE_FIXTURES_DIR / name
    with pytest.raises(ParseError):
        parse_issue(path.read_bytes(), filename=path.name)
