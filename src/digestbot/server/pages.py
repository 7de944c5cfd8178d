"""The few HTML pages a reader sees (unsubscribe confirm and results): bilingual, UTF-8,
no scripts, no external resources, every interpolated value escaped."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

# The token is in the page's URL: never leak it through a Referer, a cache or a search index.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

_STYLE = (
    "body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;"
    "max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.6}"
    "h1{font-size:1.4rem}p.en{color:#555}button{font-size:1rem;padding:.5rem 1.2rem}"
)


def page(
    title: str, paragraphs: list[tuple[str, str]], status: int = 200, form: str = ""
) -> HTMLResponse:
    """`paragraphs` are (Chinese, English) pairs of already-escaped HTML."""
    body = "".join(
        f'<p lang="zh">{zh}</p><p class="en" lang="en">{en}</p>' for zh, en in paragraphs
    )
    html = (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}{form}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def confirm_form(token: str) -> str:
    # No action attribute: the form posts back to the URL it was served from, so the page
    # works behind any path prefix a reverse proxy adds.
    return (
        '<form method="post">'
        f'<input type="hidden" name="t" value="{escape(token, quote=True)}">'
        '<button type="submit">退订 / Unsubscribe</button></form>'
    )


__all__ = ["PAGE_HEADERS", "confirm_form", "page"]
