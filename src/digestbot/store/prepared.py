"""Hot-path statements handed to the driver as they are: compiled once per dialect, their rows
given to the DBAPI's executemany without SQLAlchemy's per-row work (and a query without its
per-call compiled-cache lookup).

SQLAlchemy's executemany spends ~10 µs per row before the driver sees it: it builds each row's
parameters anew and runs every bound value through its type (on SQLite a datetime is formatted
to text per row). The step writes are a few fixed statements over many rows whose one costly
value, the time, is the same for every row of a group: converted once here (`shared`), while
the rest stay plain ints and strings, and only the driver's own cost is left. Types still
apply: a value whose column type converts it (a boolean on SQLite) goes through that
conversion, and a statement's literal values are bound as SQLAlchemy would bind them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # positional drivers (SQLite's "?"): each mark's name
    processors: dict[str, Processor]  # the names whose type converts the value
    constants: dict[str, Any]  # the statement's own literals, converted already

    def rows(self, rows: Sequence[Mapping[str, Any]], shared: Mapping[str, Any]) -> list[Any]:
        base = dict(self.constants)
        for name, value in shared.items():
            processor = self.processors.get(name)
            base[name] = value if processor is None or value is None else processor(value)
        per_row = [(n, p) for n, p in self.processors.items() if n not in base]
        bound: list[Any] = []
        for row in rows:
            values = {**base, **row}
            for name, processor in per_row:
                if values.get(name) is not None:
                    values[name] = processor(values[name])
            bound.append(values if self.order is None else tuple(values[n] for n in self.order))
        return bound


class Prepared:
    """`statement` for `run_many`; build it once (at import), it compiles on first use."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def run_many(
        self,
        conn: Connection,
        rows: Sequence[Mapping[str, Any]],
        shared: Mapping[str, Any] | None = None,
    ) -> None:
        """Execute the statement once per row of `rows` (one executemany); `shared` holds
        the values every row binds alike, converted once."""
        if not rows:
            return
        compiled = self._compiled(conn.dialect)
        conn.exec_driver_sql(compiled.sql, compiled.rows(rows, shared or {}))

    def query(
        self,
        conn: Connection,
        values: Mapping[str, Any],
        shared: Mapping[str, Any] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Execute the statement once and return its rows as the driver gives them (so only
        for columns the driver returns as they are: ints, strings)."""
        compiled = self._compiled(conn.dialect)
        result = conn.exec_driver_sql(compiled.sql, compiled.rows([values], shared or {})[0])
        return [tuple(row) for row in result]

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _compile(self.statement, dialect)
        return found


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("an expanding parameter changes the statement text: not preparable")
    names: dict[Any, str] = compiled.bind_names  # each bound parameter's name in the text
    processors: dict[str, Processor] = {}
    for bind, name in names.items():
        # The dialect's own implementation: a generic type's processor skips the dialect's
        # conversion (SQLite's datetime text), and the driver's default would differ.
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    values = compiled.params
    constants = {
        name: values[name]
        if name not in processors or values[name] is None
        else processors[name](values[name])
        for bind, name in names.items()
        if not bind.required
    }
    order = tuple(compiled.positiontup) if compiled.positional else None
    return _Compiled(compiled.string, order, processors, constants)


__all__ = ["Prepared"]
