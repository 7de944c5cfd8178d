"""`digestbot render FILE --channel C --variant V [--json]`: the payloads exactly as sent."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from digestbot.cli.app import app, fail
from digestbot.cli.common import load_issue
from digestbot.cli.help import choices
from digestbot.model import Channel, Variant
from digestbot.payloads import EmailMessage, Payload
from digestbot.rendering import Renderer, RenderError

TemplatesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        metavar="DIR",
        help="Directory whose templates override the built-in ones (e.g. telegram/top5.html.j2).",
    ),
]


def make_renderer(templates_dir: Path | None) -> Renderer:
    try:
        return Renderer(templates_dir)
    except RenderError as exc:
        fail(str(exc))


def payloads_json(channel: Channel, payloads: list[Payload]) -> Any:
    """What --json prints: a list of messages, or for email the single message."""
    if channel is Channel.EMAIL:
        return payloads[0].to_json()
    return [p.to_json() for p in payloads]


def _human(channel: Channel, payloads: list[Payload]) -> str:
    if channel is Channel.EMAIL:
        message = payloads[0]
        assert isinstance(message, EmailMessage)
        return (
            f"Subject: {message.subject}\n\n--- text/plain ---\n{message.text}\n"
            f"--- text/html ---\n{message.html}\n"
        )
    chunks = []
    for k, payload in enumerate(payloads, start=1):
        body = (
            payload.text
            if channel is Channel.TELEGRAM
            else json.dumps(payload.to_json(), ensure_ascii=False, indent=2)
        )
        role = "" if channel is Channel.TELEGRAM or k == 1 else " (thread reply)"
        chunks.append(f"--- message {k}/{len(payloads)}{role} ---\n{body}\n")
    return "".join(chunks)


@app.command("render")
def render_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Issue file (.txt/.md/.html).")],
    channel: Annotated[
        Channel, typer.Option("--channel", metavar=choices(Channel), help="The channel.")
    ],
    variant: Annotated[
        Variant, typer.Option("--variant", metavar=choices(Variant), help="How much of it.")
    ] = Variant.TOP5,
    as_json: Annotated[bool, typer.Option("--json", help="Print payloads as JSON.")] = False,
    templates_dir: TemplatesDirOption = None,
) -> None:
    """Render one issue for one channel and variant, as it would be sent."""
    issue = load_issue(file)
    try:
        payloads = make_renderer(templates_dir).render(issue, channel, variant)
    except RenderError as exc:
        fail(str(exc))
    if as_json:
        text = json.dumps(payloads_json(channel, payloads), ensure_ascii=False, indent=2) + "\n"
    else:
        text = _human(channel, payloads)
    sys.stdout.write(text)
    sys.stdout.flush()


__all__ = ["make_renderer", "payloads_json", "render_command"]
