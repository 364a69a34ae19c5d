"""Many rows in or out of a table at the driver level: `executemany` on SQLite, `COPY` on
PostgreSQL; one fetch; many keys looked up in one query.

`Connection.execute(table.insert(), rows)` runs SQLAlchemy's parameter processing for every
row, which costs more than the insert itself on a large import. Here rows are tuples in the
order of the columns named, the type conversions (e.g. `UTCDateTime`) are looked up once per
column and run once per distinct value, and the rows go to the driver as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Select, Table
from sqlalchemy.exc import DBAPIError


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (each a tuple of values for `columns`, in order) into `table`."""
    if not rows:
        return
    dialect = conn.dialect
    converters = []
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            converters.append((index, _memoised(processor)))
    if converters:
        rows = [_converted(row, converters) for row in rows]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        _copy(conn, f"COPY {target} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join("?" for _ in columns)  # sqlite3's paramstyle
    conn.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", list(rows))


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
    return fetch(conn, str(compiled), args)


def rows_by_keys(
    conn: Connection, table: Table, columns: Sequence[str], key: str, keys: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """`columns` of the rows of `table` whose `key` is one of `keys`, in no particular order.

    Straight from the driver's cursor, so values come back untyped (a SQLite boolean is an
    int): for columns that need no result processing. SQLAlchemy's rows cost as much as the
    query on an import's lookups. PostgreSQL gets `key = ANY(array)`, one parameter: psycopg
    converts an IN list of hundreds of parameters anew on every query.
    """
    if not keys:
        return []
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in columns)
    head = f"SELECT {names} FROM {preparer.format_table(table)} WHERE {preparer.quote(key)}"
    if conn.dialect.name == "postgresql":
        statement, params = f"{head} = ANY(%s)", [list(keys)]
    else:
        statement, params = f"{head} IN ({', '.join('?' for _ in keys)})", list(keys)
    return fetch(conn, statement, params)


def fetch(conn: Connection, statement: str, params: Any) -> list[tuple[Any, ...]]:
    """Every row of one statement (in the driver's paramstyle), run on the driver's cursor in
    the connection's transaction."""
    with _wrapped(conn, statement, params):
        cursor = conn.connection.cursor()
        try:
            cursor.execute(statement, params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


def _copy(conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    """psycopg's COPY: the rows stream in one round trip instead of one per row.

    Same transaction as every other statement of `conn` (it is the same driver connection);
    the values are dumped by psycopg as for an INSERT's parameters.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    with _wrapped(conn, statement, None), driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _wrapped(conn: Connection, statement: str, params: Any) -> Iterator[None]:
    """The driver's own errors raised as SQLAlchemy's, as `Connection.execute` raises them,
    so the store translates them into one line (a corrupt file, a value too long)."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise DBAPIError.instance(statement, params, error, dbapi.Error) from error


def _converted(
    row: Sequence[Any], converters: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for index, convert in converters:
        values[index] = convert(values[index])
    return tuple(values)


def _memoised(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The processor run once per distinct value: an append stamps all its rows with one
    time, and a flag column has two values."""
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return done[value]
        except KeyError:
            result = done[value] = processor(value)
            return result
        except TypeError:  # not hashable
            return processor(value)

    return convert
