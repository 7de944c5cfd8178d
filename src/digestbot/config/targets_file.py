"""`targets_file`: a CSV of `id,variant` rows for operators with more targets than fit inline.

A header row (`id,variant`), blank lines and `#` comments are allowed; a missing variant means
top5. Every bad line is reported with its number."""

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
    for number, record in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in record]
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
    if errors:
        raise PydanticCustomError(
            KEYED, "{detail}", {"detail": "; ".join(errors), "items": [["", e] for e in errors]}
        )
    return TargetsFile(path=path, rows=tuple(rows))


__all__ = ["TargetsFile", "read_targets_file"]
