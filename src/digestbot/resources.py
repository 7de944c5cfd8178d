"""Where the built-in channel templates live, in a wheel and in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# The wheel force-includes the repo's channel_templates/ as digestbot/channel_templates;
# an editable install or a plain checkout has it two levels above this package instead.
_CANDIDATES = (
    _PACKAGE_DIR / "channel_templates",
    _PACKAGE_DIR.parent.parent / "channel_templates",
)


def builtin_templates_dir() -> Path:
    """The directory holding telegram/, slack/ and email/ templates shipped with digestbot."""
    for candidate in _CANDIDATES:
        if (candidate / "telegram").is_dir():
            return candidate
    searched = ", ".join(str(c) for c in _CANDIDATES)
    raise FileNotFoundError(f"built-in channel templates not found (searched {searched})")


__all__ = ["builtin_templates_dir"]
