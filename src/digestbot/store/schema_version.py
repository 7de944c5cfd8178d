"""Is the schema at this digestbot's newest migration? Answered from the migration files'
revision ids and one read of `alembic_version`, so opening a store that is up to date (every
command after the first) never imports Alembic or scans its scripts; only a schema that is
behind, newer or unknown goes through Alembic, which also says what is wrong with it."""

from __future__ import annotations

import re
from functools import cache

from sqlalchemy import Engine, inspect, text

from digestbot.store.engine import MIGRATIONS_DIR

_REVISION = re.compile(r"""^revision\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\s*=\s*(?:["']([^"']+)["']|None)""", re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The one revision no other migration revises; None when the files do not say plainly
    (several heads, a merge written as a tuple): then Alembic decides."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1) is not None:
            revised.add(down.group(1))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def stored_revisions(engine: Engine) -> list[str]:
    """What `alembic_version` holds (nothing in a new database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return []
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def ensure_current_schema(engine: Engine) -> None:
    """Upgrade the schema unless it already is at the head."""
    head = head_revision()
    if head is not None and stored_revisions(engine) == [head]:
        return
    # Imported here, so only a store that needs an upgrade pays for Alembic's imports.
    from digestbot.store.migrating import upgrade_schema

    upgrade_schema(engine)


__all__ = ["ensure_current_schema", "head_revision", "stored_revisions"]
