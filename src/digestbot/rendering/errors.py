"""The one exception the rendering layer raises."""

from __future__ import annotations


class RenderError(Exception):
    """A template is missing or broken (usually an operator override); names the template."""

    def __init__(self, template: str, reason: str) -> None:
        super().__init__(f"template {template!r}: {reason}")
        self.template = template
        self.reason = reason


__all__ = ["RenderError"]
