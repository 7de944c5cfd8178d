"""Many values in one statement whose text never changes with their count.

`IN (:a, :b, …)` with a few hundred values is a new statement text every time: SQLAlchemy
re-renders it on every call, and psycopg re-parses the whole text (it caches only short
queries), which made 20,000 intent rows cost seconds of client CPU on PostgreSQL. So a list is
bound as ONE parameter: a PostgreSQL array (`= ANY(:ids)`, `unnest(:targets, …)`), and on
SQLite a JSON array read back as rows by `json_each` (built into SQLite since 3.38, and in
Python's builds long before): a claim or a step group then costs the same text every time,
which SQLite's statement cache and `prepared` statements can keep."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Text, any_, bindparam, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def array_param(name: str, item_type: TypeEngine[Any]) -> BindParameter[Any]:
    """A PostgreSQL array parameter: bind a Python list to it."""
    from sqlalchemy.dialects.postgresql import ARRAY  # only a PostgreSQL store gets here

    return bindparam(name, type_=ARRAY(item_type))


class JsonList(TypeDecorator[list[Any]]):
    """A list of ints or strings bound as one JSON text (SQLite's `json_each` reads it)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value)


def among(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (the list bound to name)`, as one parameter."""
    if dialect == "postgresql":
        return column == any_(array_param(name, column.type))
    values = func.json_each(bindparam(name, type_=JsonList())).table_valued("value")
    return column.in_(select(values.c.value))


__all__ = ["JsonList", "among", "array_param"]
