"""`targets_file`: a CSV of `id,variant` rows for operators with more targets than fit inline.

A header row (`id,variant`), blank lines and `#` comments are allowed; a missing variant means
top5. Every bad line (up to MAX_REPORTED) is reported with its number, CSV syntax errors
included (an unterminated quote, a field over the csv module's size limit)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from digestbot.config.problems import KEYED, problem
from digestbot.model import Variant

DEFAULT_VARIANT = Variant.TOP5
_VARIANTS = ", ".join(v.value for v in Variant)
_VARIANT_NAMES = frozenset(v.value for v in Variant)
MAX_REPORTED = 20  # bad lines listed one by one; a broken export should not flood the terminal


def _cells(line: str) -> list[str]:
    """The cells of one CSV line; ValueError saying what is wrong when it is not CSV."""
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            raise ValueError(f"a field longer than {csv.field_size_limit():,} characters") from None
        if "unexpected end of data" in reason:
            raise ValueError(
                'unterminated quote (a field that opens with " must close with ")'
            ) from None
        if "expected after" in reason:
            raise ValueError('text after a closing quote (write "a ""quoted"" word")') from None
        raise ValueError(f"not valid CSV ({reason})") from None


class TargetsFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: Path
    rows: tuple[tuple[str, Variant], ...]


def read_targets_file(value: Any, parse_id: Callable[[Any], str]) -> TargetsFile | None:
    """Load and check the CSV now, so a typo on line 9000 is found by check-config."""
    if value is None or value == "":
        return None
    if isinstance(value, TargetsFile):
        return value
    if not isinstance(value, str | Path):
        raise problem("must be a path to a CSV file")
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise problem(
            f"file {path} not found (relative paths start at the working directory)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise problem(f"cannot read {path}: {type(exc).__name__}") from None
    rows: list[tuple[str, Variant]] = []
    errors: list[str] = []
    # Line by line: an id,variant row never spans lines, so a quote left open is reported on
    # its own line instead of swallowing the rest of the file into one field.
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            cells = [c.strip() for c in _cells(line)]
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and len(cells) > 1 and cells[1].lower() == "variant":
            continue  # header
        try:
            target = parse_id(cells[0])
        except PydanticCustomError as exc:
            errors.append(f"line {number}: {exc.context['detail'] if exc.context else exc}")
            continue
        raw_variant = cells[1].lower() if len(cells) > 1 and cells[1] else DEFAULT_VARIANT.value
        if raw_variant not in _VARIANT_NAMES:
            errors.append(f"line {number}: variant must be one of {_VARIANTS}")
            continue
        rows.append((target, Variant(raw_variant)))
    if len(errors) > MAX_REPORTED:
        errors = [*errors[:MAX_REPORTED], f"and {len(errors) - MAX_REPORTED} more bad lines"]
    if errors:
        raise PydanticCustomError(
            KEYED, "{detail}", {"detail": "; ".join(errors), "items": [["", e] for e in errors]}
        )
    return TargetsFile(path=path, rows=tuple(rows))


__all__ = ["TargetsFile", "read_targets_file"]
