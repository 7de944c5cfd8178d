"""parse_issue: bytes or text in any supported format → Issue."""

from __future__ import annotations

from digestbot.input_limits import DEFAULT_LIMITS, InputLimits
from digestbot.model import Issue
from digestbot.parsing.decoding import decode
from digestbot.parsing.detect import Format, detect_format
from digestbot.parsing.errors import NotAnIssueError
from digestbot.parsing.markdown import markdown_to_text
from digestbot.parsing.text import TextParse, read_text
from digestbot.parsing.warnings import WarningKind, WarningLog


def parse_issue(data: bytes | str, *, filename: str | None = None) -> Issue:
    """Parse one issue. The format comes from `filename`'s extension, else from the content.

    Problems inside an issue become Issue.warnings ("line N: …"); only input that is not an
    issue at all (empty, binary, no section heading) raises NotAnIssueError.
    """
    return read_issue(data, filename=filename).issue




def read_issue(
    data: bytes | str, *, filename: str | None = None, limits: InputLimits = DEFAULT_LIMITS
) -> TextParse:
    """parse_issue, keeping each warning's line and kind for tools that sort them (`check`).
    An input beyond `limits` is parsed all the same, with LIMIT warnings saying why it may
    not be published."""
    log = WarningLog()
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
    if (too_big := limits.size_problem(size)) is not None:
        log.add(1, too_big, WarningKind.LIMIT)
    # Text given as str is taken as text: control characters are dropped by normalization
    # (so parse_issue(normalize(t)) == parse_issue(t)); binary sniffing is for bytes only.
    text = (decode(data) if isinstance(data, bytes) else data).lstrip("\ufeff")
    if not text.strip():
        raise NotAnIssueError("the input is empty")
    fmt = detect_format(text, filename)
    if fmt is Format.HTML:
        # Imported here: BeautifulSoup and markdownify load only for HTML input, not for
        # every command that reads a plain-text issue.
        from digestbot.parsing.html import html_to_text

        try:
            text = html_to_text(text)
        except RecursionError as exc:  # absurdly deep nesting: no CMS page looks like that
            raise NotAnIssueError("the HTML is nested too deeply to be an issue page") from exc
    elif fmt is Format.MARKDOWN:
        text = markdown_to_text(text)
    return read_text(text, limits, log)


__all__ = ["parse_issue", "read_issue"]
