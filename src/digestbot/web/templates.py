"""The Jinja environment for web pages: HTML autoescaping, the same `linkable`/`clean` filters
as the digests, and the operator's `[templates] dir` overriding single templates (web/…)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from digestbot.rendering.environment import clean, linkable
from digestbot.rendering.errors import RenderError
from digestbot.resources import builtin_templates_dir


def web_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    if templates_dir is not None and not templates_dir.is_dir():
        raise RenderError(str(templates_dir), "templates_dir is not a directory")
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    loader: jinja2.BaseLoader = (
        builtin
        if templates_dir is None
        else jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates_dir), builtin])
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(linkable=linkable, clean=clean)
    return env


__all__ = ["web_environment"]
