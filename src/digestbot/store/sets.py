"""Many values in one statement whose text never changes with their count.

`IN (:a, :b, …)` with a few hundred values is a new statement text every time: SQLAlchemy
re-renders it, and psycopg re-parses the whole text on each call (it caches only short
queries), which made 20,000 intent rows cost seconds of client CPU on PostgreSQL. There a list
is bound as ONE array parameter (`= ANY(:ids)`, `unnest(:targets, …)`); SQLite binds values
natively and keeps the expanding IN."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, any_, bindparam
from sqlalchemy.types import TypeEngine


def array_param(name: str, item_type: TypeEngine[Any]) -> BindParameter[Any]:
    """A PostgreSQL array parameter: bind a Python list to it."""
    from sqlalchemy.dialects.postgresql import ARRAY  # only a PostgreSQL store gets here

    return bindparam(name, type_=ARRAY(item_type))


def among(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (the list bound to name)`, as one parameter on PostgreSQL."""
    if dialect == "postgresql":
        return column == any_(array_param(name, column.type))
    return column.in_(bindparam(name, expanding=True))


__all__ = ["among", "array_param"]
