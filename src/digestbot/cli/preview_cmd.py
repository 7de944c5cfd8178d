"""`digestbot preview FILE --out DIR`: a static gallery of all nine renders of an issue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digestbot.cli.app import app, console, fail
from digestbot.cli.common import load_issue
from digestbot.cli.render_cmd import TemplatesDirOption, make_renderer
from digestbot.rendering import RenderError
from digestbot.rendering.preview import build_gallery


@app.command("preview")
def preview_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Issue file (.txt/.md/.html).")],
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Directory to write index.html into.")
    ],
    templates_dir: TemplatesDirOption = None,
) -> None:
    """Write DIR/index.html showing every channel × variant as a reader would see it."""
    issue = load_issue(file)
    try:
        page = build_gallery(issue, make_renderer(templates_dir))
    except RenderError as exc:
        fail(str(exc))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / "index.html"
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        fail(f"{out_dir}: cannot write the gallery: {exc.strerror or exc}")
    console.print(f"wrote {target}")


__all__ = ["preview_command"]
