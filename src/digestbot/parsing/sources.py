"""Source lines → Source(name, url).

Every style the editors use: `Name (<url>) | Name (<url>)`, full-width `Name（<url>）`,
`[text](url)`, bare URLs with or without `<>` and scheme, link text on the line above its URL,
a source split over two lines, trailing junk such as `(4596854)`. A URL may hold balanced
parentheses, `&` and CJK. The name of a source is the text between the previous URL and this one,
cleaned of separators; a Markdown link's text counts as name unless it is only a display URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from digestbot.model import Source
from digestbot.parsing.source_names import clean_name, ends_open, split_names
from digestbot.parsing.warnings import WarningKind

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ACCEPTED_SCHEMES = ("http://", "https://")
# Where a URL starts: an explicit scheme, "www.", or (inside <> or brackets only) a domain.
_URL_START = re.compile(r"https?://|www\.", re.IGNORECASE)
_DOMAIN_LIKE = re.compile(
    r"^(?:https?://)?(?:[\w-]+\.)+[A-Za-z\u00a1-\uffff]{2,}(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE
)
_DOMAIN_PREFIX = re.compile(r"[\w-]+\.[\w-]")
# Bracket scans give up after this many characters: no link text or URL is longer.
_MAX_SCAN = 1000
# A scheme-less bare URL needs a path ("example.org/a"), so names like "Investing.com" stay names.
_BARE_DOMAIN_PATH = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/")
# A bare URL ends at whitespace, quotes, angle brackets, full-width punctuation or a pipe.
_URL_STOP = frozenset(" \t\n<>\"'|（）【】「」《》，。；！？、｜\u3000")
_TRAILING_PUNCT = ".,;:!?"
# A Markdown link title after its URL: [t](url "title"), 'title' or (title).
_LINK_TITLE = re.compile(r"\"[^\"]*\"|'[^']*'|\([^)]*\)")


@dataclass(frozen=True, slots=True)
class _Found:
    start: int  # where the construct (with its brackets) starts in the text
    end: int  # just past it
    url: str
    text: str = ""  # a Markdown link's text
    cut: bool = False  # its bracket never closes: the line (and the URL?) ends early


@dataclass(frozen=True, slots=True)
class SourceNote:
    line: int  # 0-based, within the source text
    message: str
    kind: WarningKind


@dataclass(frozen=True, slots=True)
class ReadSources:
    """The sources of a 来源/可信来源 value, the line (0-based) each is on, and what to warn."""

    sources: tuple[Source, ...]
    lines: tuple[int, ...]
    notes: tuple[SourceNote, ...]


def parse_sources(text: str) -> tuple[tuple[Source, ...], list[str]]:
    """The sources in a 来源/可信来源 value, and problems worth a warning."""
    read = read_sources(text)
    return read.sources, [note.message for note in read.notes]


def read_sources(text: str) -> ReadSources:
    sources: list[Source] = []
    lines: list[int] = []
    notes: list[SourceNote] = []

    def without_url(line: int, name: str) -> None:
        sources.append(Source(name=name, url=""))
        lines.append(line)
        notes.append(SourceNote(line, f"source without a URL: {name}", WarningKind.NO_URL))

    position = 0
    line = 0
    for found in _scan(text):
        before = text[position : found.start]
        names = split_names(before)
        name = _url_name(names, before, found.text)
        for delta, orphan in names:
            without_url(line + delta, orphan)
        line += before.count("\n")
        position = found.end
        url = _with_scheme(found.url)
        if url is None:
            notes.append(SourceNote(
                line, f"source URL with an unsupported scheme ignored: {found.url}",
                WarningKind.BAD_SCHEME,
            ))
            continue
        if any(c.isspace() for c in url):
            notes.append(SourceNote(line, f"URL contains spaces: {url}", WarningKind.URL_SPACES))
            url = "%20".join(url.split())
        if found.cut:
            notes.append(SourceNote(
                line, f"URL's bracket never closes, it may be cut off: {url}", WarningKind.CUT_OFF
            ))
        sources.append(Source(name=name or _host(url), url=url))
        lines.append(line)
        line += text.count("\n", found.start, found.end)
    for delta, orphan in split_names(text[position:]):
        without_url(line + delta, orphan)
    return ReadSources(tuple(sources), tuple(lines), tuple(notes))


def _url_name(names: list[tuple[int, str]], before: str, link_text: str) -> str:
    """The name a URL belongs to, taken off `names` (what is left there has no URL)."""
    link_text = link_text.strip()
    if link_text and not _DOMAIN_LIKE.match(link_text):
        if names and ends_open(before):  # "Reuters：[title](url)": one name
            return clean_name(names.pop()[1] + " " + link_text)
        return clean_name(link_text)
    return names.pop()[1] if names else ""


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:  # e.g. "https://[" — an unbalanced IPv6 bracket
        return url


def _with_scheme(url: str) -> str | None:
    if url.startswith("//"):
        return "https:" + url
    if _SCHEME.match(url):
        return url if url.lower().startswith(_ACCEPTED_SCHEMES) else None
    if ":" in url.split("/", 1)[0] and not re.match(r"^[\w.-]+:\d+", url):
        return None  # "javascript:…", "mailto:…": not a web source
    return "https://" + url


def _scan(text: str) -> list[_Found]:
    found: list[_Found] = []
    i = 0
    n = len(text)
    while i < n:
        hit = _at(text, i)
        if hit is not None:
            found.append(hit)
            i = max(hit.end, i + 1)
        else:
            i += 1
    return found


def _looks_like_url_start(text: str, i: int) -> bool:
    """Cheap test before any scan, so hostile runs of "((((" stay linear."""
    return bool(_URL_START.match(text, i) or _DOMAIN_PREFIX.match(text, i))


def _at(text: str, i: int) -> _Found | None:
    """A URL construct starting exactly at i, or None."""
    ch = text[i]
    if ch == "[":
        return _markdown_link(text, i)
    if ch in "(（":
        closer = ")" if ch == "(" else "）"
        return _bracketed(text, i, closer)
    if ch == "<":
        return _angle(text, i, wrapper_end=None)
    if i > 0 and (text[i - 1].isalnum() or text[i - 1] in "./@-_"):
        return None  # inside a word: "Investing.com" in a name is not a URL
    if _URL_START.match(text, i) or _BARE_DOMAIN_PATH.match(text, i):
        url, end = _bare(text, i)
        return _Found(i, end, url) if url else None
    return None


def _markdown_link(text: str, i: int) -> _Found | None:
    close = _matching(text, i, "[", "]")
    if close is None or close + 1 >= len(text) or text[close + 1] != "(":
        return None
    end = _matching(text, close + 1, "(", ")")
    if end is None:
        return None
    target = text[close + 2 : end].strip()
    if target.startswith("<") and ">" in target:
        target = target[1 : target.index(">")].strip()  # CommonMark: <…> may hold spaces
    else:
        url, _, title = target.partition(" ")
        if _LINK_TITLE.fullmatch(title.strip()):  # [t](url "title"): the title is not URL
            target = url
    if not target:
        return None
    return _Found(i, end + 1, target, text=text[i + 1 : close])


def _bracketed(text: str, i: int, closer: str) -> _Found | None:
    """`(<url>)`, `(url)` and their full-width forms; the brackets belong to the construct."""
    j = i + 1
    while j < len(text) and text[j] in " \t":
        j += 1
    if j >= len(text) or not (text[j] == "<" or _looks_like_url_start(text, j)):
        return None
    if text[j] == "<":
        inner = _angle(text, j, wrapper_end=closer)
        if inner is None:
            return None
        end = inner.end
        k = end
        while k < len(text) and text[k] in " \t":
            k += 1
        if k < len(text) and text[k] == closer:
            end = k + 1
        return _Found(i, end, inner.url, cut=inner.cut)
    if closer == ")":
        close = _matching(text, i, "(", ")")
    else:
        close = text.find(closer, i + 1)
        close = None if close < 0 else close
    if close is None:
        # An unclosed "(https://…" at the end of a line.
        if _URL_START.match(text, j):
            url, end = _bare(text, j)
            return _Found(i, end, url, cut=_line_ends(text, end)) if url else None
        return None
    inner_text = text[j:close].strip()
    if inner_text and _DOMAIN_LIKE.match(inner_text) and (
        _URL_START.match(inner_text) or "/" in inner_text
    ):
        return _Found(i, close + 1, inner_text)
    return None


def _angle(text: str, i: int, wrapper_end: str | None) -> _Found | None:
    """`<url>`, also unclosed `<url` running to the end of the line or the wrapper's bracket."""
    j = i + 1
    if not _looks_like_url_start(text, j):
        return None
    k = j
    while k < len(text) and text[k] not in ">\n \t":
        k += 1
    if k < len(text) and text[k] in " \t":
        # "<https://a.example/x y>": spaces inside a URL (reported), when a ">" closes it.
        close = text.find(">", k, min(len(text), j + _MAX_SCAN))
        if close > 0 and not any(c in "<\n" for c in text[k:close]):
            k = close
    if k >= len(text) or text[k] != ">":
        # Unclosed: the URL runs to the end of the line, or to the wrapper's closing bracket.
        k = j
        while k < len(text) and text[k] not in "\n \t" and text[k] != wrapper_end:
            k += 1
    candidate = text[j:k]
    if not candidate or not (_URL_START.match(candidate) or _DOMAIN_LIKE.match(candidate)):
        return None
    closed = k < len(text) and text[k] == ">"
    cut = not closed and (k >= len(text) or text[k] != wrapper_end) and _line_ends(text, k)
    return _Found(i, k + 1 if closed else k, candidate, cut=cut)


def _line_ends(text: str, k: int) -> bool:
    """Whether only blanks are left on the line after position k."""
    end = text.find("\n", k)
    return not text[k : len(text) if end < 0 else end].strip()


def _bare(text: str, i: int) -> tuple[str, int]:
    depth = 0
    k = i
    while k < len(text):
        c = text[k]
        if c in _URL_STOP:
            break
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        k += 1
    while k > i and text[k - 1] in _TRAILING_PUNCT:
        k -= 1
    return text[i:k], k


def _matching(text: str, i: int, opener: str, closer: str) -> int | None:
    """Index of the bracket closing the one at i (nesting respected, same line only)."""
    depth = 0
    for k in range(i, min(len(text), i + _MAX_SCAN)):
        c = text[k]
        if c == "\n":
            return None
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return k
    return None


__all__ = ["ReadSources", "SourceNote", "parse_sources", "read_sources"]
