"""Every issue the rendering tests run on: the built-in sample, the seeds, the parser fixtures.

Cases are named and load lazily through the parser. A case never skips quietly: a fixture the
parser refuses fails its tests (a refusal is a parser regression, not a reason to render
nothing), and a seed case without its seed fails in CI and skips with the reason elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from digestbot.model import Issue, Variant
from digestbot.parsing import ParseError, parse_issue
from digestbot.payloads import Payload
from digestbot.rendering import Audience, Renderer
from tests.conftest import FIXTURES_DIR, GOLDEN_DIR, seed_paths, seeds_missing
from tests.rendering.builders import sample_issue

ISSUE_FIXTURES_DIR = FIXTURES_DIR / "issues"
_ISSUE_SUFFIXES = {".txt", ".md", ".html", ".htm", ".markdown"}
# Parser fixtures that are deliberately not issues (they test refusal): nothing to render.
# Every other fixture is a render case, so a parser that starts refusing one fails loudly.
NOT_ISSUES = frozenset({"unrelated_page.html"})

SEED_PREFIX = "seed-"
FIXTURE_PREFIX = "fixture-"


def _parse(path: Path) -> Issue:
    try:
        return parse_issue(path.read_bytes(), filename=path.name)
    except ParseError as exc:
        pytest.fail(
            f"the parser refuses {path.name} ({exc}), so its renders cannot be checked; "
            f"if it is meant to be refused, list it in NOT_ISSUES ({__name__})"
        )


def issue_fixtures() -> list[Path]:
    """The parser fixtures that are issues (all but NOT_ISSUES)."""
    if not ISSUE_FIXTURES_DIR.is_dir():
        return []
    return [
        path
        for path in sorted(ISSUE_FIXTURES_DIR.iterdir())
        if path.suffix.lower() in _ISSUE_SUFFIXES and path.name not in NOT_ISSUES
    ]


def _sources() -> dict[str, Callable[[], Issue]]:
    found: dict[str, Callable[[], Issue]] = {"sample": sample_issue}
    for path in seed_paths():
        found[f"{SEED_PREFIX}{path.stem}"] = lambda p=path: _parse(p)  # type: ignore[misc]
    for path in issue_fixtures():
        found[f"{FIXTURE_PREFIX}{path.name}"] = lambda p=path: _parse(p)  # type: ignore[misc]
    return found


SOURCES = _sources()


SITE = "https://digest.example.org"
_RENDERERS = {
    "plain": Renderer(),
    "site": Renderer(site_base_url=SITE),
    "bot": Renderer(telegram_bot="ai_daily_bot"),
}
# The sample also renders with a site (`[site] base_url`: "阅读全文" links), as a reply in a
# chat (where "发送 /today full" is a command the reader can send) and for a Telegram channel
# when only the bot's username is known: case name -> (input, renderer, audience).
PROFILES: dict[str, tuple[str, str, Audience]] = {
    "sample@site": ("sample", "site", Audience.BROADCAST),
    "sample@chat": ("sample", "plain", Audience.CHAT),
    "sample@bot": ("sample", "bot", Audience.BROADCAST),
}


def case_names() -> list[str]:
    """Inputs present now plus any with a golden directory (a vanished input then fails, or
    for a seed outside CI, skips with the reason)."""
    golden = {p.name for p in GOLDEN_DIR.iterdir() if p.is_dir()} if GOLDEN_DIR.is_dir() else set()
    return sorted(set(SOURCES) | golden | set(PROFILES))


def render_case(name: str, channel: str, variant: Variant | str) -> list[Payload]:
    """The payloads of one case, rendered the way its profile says (default: a broadcast
    without a site)."""
    source, renderer, audience = PROFILES.get(name, (name, "plain", Audience.BROADCAST))
    return _RENDERERS[renderer].render(load_case(source), channel, variant, audience)


def is_seed_case(name: str) -> bool:
    """A render of a real issue from ../shared/seeds: its golden file holds a digest, not text."""
    return name.startswith(SEED_PREFIX)


def load_case(name: str) -> Issue:
    loader = SOURCES.get(name)
    if loader is None:
        if is_seed_case(name):
            seeds_missing()
        pytest.fail(
            f"tests/golden/{name} has no input any more; restore it or delete that folder"
        )
    return loader()
