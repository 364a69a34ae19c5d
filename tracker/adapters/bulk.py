"""Many rows in or out of a table at the driver level: one executemany, one fetch.

`Connection.execute(table.insert(), rows)` runs SQLAlchemy's parameter processing for every
row, which costs more than the insert itself on a large import. Here the statement is compiled
once, the type conversions (e.g. `UTCDateTime`) are looked up once per column, and the rows go
to the driver as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, insert


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect)
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    processors: dict[str, Callable[[Any], Any]] = {}
    for name in names:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    steps = [(name, processors.get(name)) for name in names]
    converted = [
        [row[name] if step is None else step(row[name]) for name, step in steps] for row in rows
    ]
    params: list[Any] = (
        [tuple(values) for values in converted]
        if compiled.positional
        else [dict(zip(names, values, strict=True)) for values in converted]
    )
    conn.exec_driver_sql(str(compiled), params)


def select_rows(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row of `query` as the driver returns it, in the connection's transaction.

    For wide reads of plain columns (text, integers) with plain parameters: SQLAlchemy's
    per-row processing costs more there than the read itself, and nothing needs converting.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()
