"""HTML page from a CMS → Markdown (markdownify) → the plain-text grammar.

Only the article is content: <article> or <main> when present, else <body>; navigation,
headers, footers, asides, scripts, styles and forms are dropped first, so their links never
become sources.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from markdownify import MarkdownConverter

from digestbot.parsing.markdown import markdown_to_text

_NEVER_CONTENT = (
    "script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg",
    "button", "select", "input", "textarea", "dialog", "object", "embed", "canvas",
)
# Inside an <article> a <header> holds the article's own title; at page level it is the site's.
_PAGE_CHROME = ("header", "footer")
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")


def _converter() -> MarkdownConverter:
    return MarkdownConverter(
        heading_style="atx",
        bullets="-",
        escape_asterisks=False,  # text is data: keep the author's characters as they are
        escape_underscores=False,
        escape_misc=False,
        autolinks=False,
        strip=["img"],
    )


def html_to_text(html: str) -> str:
    """The plain-text grammar of an HTML page's article."""
    with warnings.catch_warnings():
        # A tiny page that looks like a URL or file name is still a page: the warning is noise.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    root = _content_root(soup)
    page_title = _page_title(soup, root)
    for tag in root.find_all(_NEVER_CONTENT):
        tag.decompose()
    for tag in root.find_all(attrs={"role": list(_CHROME_ROLES)}):
        tag.decompose()
    for name in _PAGE_CHROME:
        for tag in root.find_all(name):
            if name == "footer" or root.name == "body" or tag.find_parent("article") is None:
                tag.decompose()
    _number_apart(root)
    markdown = str(_converter().convert_soup(root))
    if page_title and not root.find(["h1"]):
        markdown = f"# {page_title}\n\n{markdown}"
    return markdown_to_text(markdown, unescape=False)


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_LONE_NUMBER = re.compile(r"\s*(\d{1,3})\s*[.、．)）]?\s*")


def _number_apart(root: Tag) -> None:
    """`<h3><span>1</span>Title</h3>` reads "1Title" as text: write it "1. Title"."""
    for heading in root.find_all(_HEADINGS):
        first = next((c for c in heading.children if not str(c).isspace()), None)
        if not isinstance(first, Tag) or first.find(_HEADINGS) is not None:
            continue
        number = _LONE_NUMBER.fullmatch(first.get_text())
        if number is not None and heading.get_text().strip() != first.get_text().strip():
            first.replace_with(NavigableString(f"{number.group(1)}. "))


def _content_root(soup: BeautifulSoup) -> Tag:
    articles = [a for a in soup.find_all("article") if isinstance(a, Tag)]
    if articles:
        # A page may list teasers as small <article>s; the issue is the longest one.
        return max(articles, key=lambda a: len(a.get_text()))
    for name in ("main", "body"):
        found = soup.find(name)
        if isinstance(found, Tag):
            return found
    return soup


def _page_title(soup: BeautifulSoup, root: Tag) -> str:
    """The title of the issue when the article itself has no <h1>: the page's <h1> or <title>."""
    for tag in soup.find_all("h1"):
        # A site's logo is often an <h1> in its header or navigation: that is not the issue.
        if isinstance(tag, Tag) and tag.find_parent(["nav", "header", "footer", "aside"]) is None:
            text = tag.get_text(" ", strip=True)
            if text:
                return text
    title = soup.find("title")
    return title.get_text(" ", strip=True) if isinstance(title, Tag) else ""


__all__ = ["html_to_text"]
