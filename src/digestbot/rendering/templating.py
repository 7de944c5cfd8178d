"""Render one named template, turning every Jinja failure into a RenderError that names it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from digestbot.model import Issue, Variant
from digestbot.rendering.errors import RenderError
from digestbot.rendering.reach import NO_REACH, Reach


def render_template(
    env: jinja2.Environment,
    name: str,
    issue: Issue,
    variant: Variant,
    reach: Reach = NO_REACH,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The text of template `name` for one issue and variant. Besides `issue`, `variant` and
    `date`, templates see `issue_url` (the issue's web page or None), `commands` (True when
    the reader can send /today) and `bot_url` (the Telegram bot's chat or None)."""
    context: dict[str, Any] = {
        "issue": issue,
        "variant": variant.value,
        "date": issue.date_iso,
        "issue_url": reach.issue_url,
        "commands": reach.commands,
        "bot_url": reach.bot_url,
        **(extra or {}),
    }
    return render_named(env, name, context)


def render_named(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """The text of template `name` with `context` (web pages pass their own)."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        missing = exc.name if isinstance(exc.name, str) else name
        raise RenderError(missing, "template not found") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise RenderError(
            name, f"syntax error in {where} line {exc.lineno}: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise RenderError(name, f"{type(exc).__name__}: {exc}") from exc


__all__ = ["render_named", "render_template"]
