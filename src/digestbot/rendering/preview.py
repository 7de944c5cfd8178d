"""A static gallery of all nine renders of an issue, each shown as a reader would see it.

Beside every pane sits the raw payload, so a template change can be judged in one page. The
page loads nothing from the network and runs one tiny script: it collects script errors into
#console-errors so a headless browser test can assert there were none.
"""

from __future__ import annotations

import html
import json
import re

from digestbot.model import Channel, Issue, Variant
from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.rendering.renderer import Renderer

_SLACK_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>|<([^<>|]+)>")
# Latin letters next to a marker keep it literal (as in Slack); CJK text does not.
_SLACK_BOLD = re.compile(r"(?<![A-Za-z0-9*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![A-Za-z0-9*])")
_SLACK_ITALIC = re.compile(r"(?<![A-Za-z0-9_])_(?=\S)([^_\n]+?)(?<=\S)_(?![A-Za-z0-9_])")

_STYLE = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", sans-serif; margin: 0;
  background: #eceff3; color: #1f2328; }
h1 { margin: 16px 20px; font-size: 20px; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px;
  padding: 0 20px 20px; }
.pane { background: #fff; border-radius: 8px; padding: 12px; min-width: 0; }
.pane h2 { font-size: 15px; margin: 0 0 8px; }
.view { max-height: 720px; overflow: auto; }
.tg { background: #d5e4c4; padding: 10px; border-radius: 8px; }
.tg .bubble { background: #fff; border-radius: 12px; padding: 8px 10px; margin: 0 0 8px;
  white-space: pre-wrap; font-size: 14px; line-height: 1.4; overflow-wrap: anywhere; }
.slack .msg { border-left: 3px solid #611f69; padding: 4px 10px; margin: 0 0 10px; }
.slack .reply { margin-left: 18px; border-left-color: #bbb; }
.slack .header { font-weight: bold; font-size: 17px; margin: 4px 0; }
.slack .section { white-space: pre-wrap; font-size: 14px; margin: 4px 0;
  overflow-wrap: anywhere; }
.slack .context { color: #616061; font-size: 12px; margin: 4px 0; }
.slack hr { border: 0; border-top: 1px solid #ddd; }
iframe { width: 100%; height: 700px; border: 1px solid #ddd; background: #fff; }
details { margin-top: 8px; }
pre.raw { white-space: pre-wrap; font-size: 11px; max-height: 300px; overflow: auto;
  background: #f6f8fa; padding: 6px; overflow-wrap: anywhere; }
#console-errors:empty { display: none; }
#console-errors { color: #b00; margin: 0 20px; }
"""

# First in <head> so it sees every later error; writes into the DOM, where --dump-dom finds it.
_COLLECTOR = """
(function () {
  var log = [];
  function note(msg) {
    log.push(String(msg));
    var el = document.getElementById("console-errors");
    if (el) { el.textContent = log.join("\\n"); }
  }
  window.addEventListener("error", function (e) { note(e.message || "resource error"); }, true);
  window.addEventListener("unhandledrejection", function (e) { note(e.reason); });
  var original = console.error;
  console.error = function () { note(Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments); };
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("console-errors");
    if (el) { el.textContent = log.join("\\n"); } });
})();
"""


def mrkdwn_to_html(text: str) -> str:
    """Slack mrkdwn as HTML: links, *bold*, _italic_. Escapes stay escapes: mrkdwn already
    encodes `& < >` the way HTML does."""

    def link(m: re.Match[str]) -> str:
        url = m.group(1) or m.group(3)
        label = m.group(2) if m.group(1) else m.group(3)
        href = html.escape(html.unescape(url), quote=True)
        return f'<a href="{href}">{label}</a>'

    parts: list[str] = []
    pos = 0
    for m in _SLACK_LINK.finditer(text):
        parts.append(_inline_format(text[pos : m.start()]))
        parts.append(link(m))
        pos = m.end()
    parts.append(_inline_format(text[pos:]))
    return "".join(parts)


def _inline_format(text: str) -> str:
    text = text.replace('"', "&quot;")
    text = _SLACK_BOLD.sub(r"<b>\1</b>", text)
    return _SLACK_ITALIC.sub(r"<i>\1</i>", text)


def _slack_block_html(block: dict[str, object]) -> str:
    kind = block.get("type")
    if kind == "header":
        text = block["text"]
        assert isinstance(text, dict)
        return f'<div class="header">{html.escape(str(text["text"]))}</div>'
    if kind == "section":
        text = block["text"]
        assert isinstance(text, dict)
        return f'<div class="section">{_text_html(text)}</div>'
    if kind == "context":
        elements = block["elements"]
        assert isinstance(elements, list)
        inner = " ".join(_text_html(e) for e in elements)
        return f'<div class="context">{inner}</div>'
    if kind == "divider":
        return "<hr>"
    return f'<div class="section">[{html.escape(str(kind))} block]</div>'


def _text_html(obj: dict[str, object]) -> str:
    text = str(obj.get("text", ""))
    return mrkdwn_to_html(text) if obj.get("type") == "mrkdwn" else html.escape(text)


def _view(channel: Channel, payloads: list[Payload]) -> str:
    if channel is Channel.TELEGRAM:
        bubbles = "".join(
            f'<div class="bubble">{p.text}</div>'
            for p in payloads
            if isinstance(p, TelegramMessage)
        )
        return f'<div class="tg">{bubbles}</div>'
    if channel is Channel.SLACK:
        msgs = []
        for n, p in enumerate(payloads):
            if isinstance(p, SlackMessage):
                css = "msg reply" if n else "msg"
                msgs.append(f'<div class="{css}">{"".join(map(_slack_block_html, p.blocks))}</div>')
        return f'<div class="slack">{"".join(msgs)}</div>'
    (message,) = payloads
    assert isinstance(message, EmailMessage)
    subject = html.escape(message.subject)
    # sandbox: mail clients run no scripts, and neither does this frame; same-origin keeps it
    # in the page's renderer process, so headless screenshots include it.
    srcdoc = html.escape(message.html, quote=True)
    return (
        f"<p><b>Subject:</b> {subject}</p>"
        f'<iframe sandbox="allow-same-origin" title="{subject}" srcdoc="{srcdoc}"></iframe>'
    )


def _raw(channel: Channel, payloads: list[Payload]) -> str:
    body: object = (
        payloads[0].to_json() if channel is Channel.EMAIL else [p.to_json() for p in payloads]
    )
    return html.escape(json.dumps(body, ensure_ascii=False, indent=2))


def build_gallery(issue: Issue, renderer: Renderer | None = None) -> str:
    """The complete index.html: a 3×3 grid of channel × variant panes."""
    renderer = renderer or Renderer()
    panes = []
    for variant in Variant:
        for channel in Channel:
            payloads = renderer.render(issue, channel, variant)
            count = f"{len(payloads)} message{'s' if len(payloads) != 1 else ''}"
            panes.append(
                f'<section class="pane" id="pane-{channel}-{variant.value}" '
                f'data-channel="{channel}" data-variant="{variant.value}">'
                f"<h2>{channel} · {variant.value} · {count}</h2>"
                f'<div class="view">{_view(channel, payloads)}</div>'
                f"<details><summary>raw payload</summary>"
                f'<pre class="raw">{_raw(channel, payloads)}</pre></details>'
                "</section>"
            )
    title = html.escape(f"{issue.title} {issue.date_iso} — digest preview")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<script>{_COLLECTOR}</script><title>{title}</title><style>{_STYLE}</style></head>"
        f'<body><h1>{title}</h1><pre id="console-errors"></pre>'
        f'<div class="grid">{"".join(panes)}</div></body></html>\n'
    )


__all__ = ["build_gallery", "mrkdwn_to_html"]
