"""The log replayed in bounded memory, for `verify`: the fold's claim states and articles kept
in temporary tables, paged in for each batch of entries, then compared with the projection
row by row in claim id order.

A fold of the whole log held every claim and article in memory (2 GB at a million claims).
Here the fold's own rules (`fold.fold`) run on a small knowledge per batch: the states of the
claims the batch touches and the articles it cites, read back from the replay's tables, with
every publisher and the names carried along (few: outlets, subjects). The tables are on the
reader's connection, inside its snapshot; not in the schema's MetaData, so migrations never
see them. A read-only PostgreSQL session may not create even a temporary table: there the
rows are kept in memory instead (`_InMemory`).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Select, Table, delete, func, select

from tracker.adapters import names, projection, publishers, search
from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import articles, claims
from tracker.domain.events import LogEntry
from tracker.domain.fold import Knowledge, fold, touched
from tracker.domain.identity import Identity
from tracker.domain.model import Publisher, Source, publisher_key

# Keys per IN (...) query: well under SQLite's and psycopg's limits on bound parameters.
_ID_BATCH = 500
# Rows per fetch when the replay and the projection are read side by side.
_FETCH = 2000

_CLAIMS, _ARTICLES = "claims", "articles"
# The columns compared, id first: a claim's as `projection.expected` lays them out; an
# article's as `Source` does, then the derived key of its publisher.
_ARTICLE = ("id", "name", "url", "title", "published", "retrieved", "reliability")
_COLUMNS = {_CLAIMS: projection.ROW, _ARTICLES: (*_ARTICLE, "publisher_key")}


def _like(table: Table, name: str, columns: Sequence[str]) -> Table:
    """A temporary table with `columns` of `table`, keyed (and stored, on SQLite) by id."""
    return Table(
        name,
        _metadata,
        *(Column(c, table.c[c].type, primary_key=c == "id") for c in columns),
        prefixes=["TEMPORARY"],
        sqlite_with_rowid=False,
    )


_metadata = MetaData()
_stored = {_CLAIMS: claims, _ARTICLES: articles}
_replayed = {
    which: _like(table, f"tracker_replay_{which}", _COLUMNS[which])
    for which, table in _stored.items()
}


@contextmanager
def replaying(conn: Connection) -> Iterator[Replay]:
    """A replay whose tables are dropped when done; on an error the caller's rollback takes
    them away (a failed PostgreSQL transaction refuses even the drop)."""
    kept = _InMemory() if _read_only(conn) else _InTables(conn)
    yield Replay(conn, kept)
    kept.drop()


class Replay:
    """A fold of the log fed in batches, in position order, its claims and articles kept
    apart (`_InTables`; `_InMemory` where the session may not create even a temporary table)."""

    def __init__(self, conn: Connection, kept: _InTables | _InMemory) -> None:
        self.conn = conn
        self.kept = kept
        self.publishers: dict[str, Publisher] = {}
        self.identity = Identity()

    def feed(self, entries: Sequence[LogEntry]) -> None:
        """Apply the next entries, in position order, with the fold's rules."""
        ids, cited = touched(entries)
        knowledge = Knowledge(
            claims={i: projection.state_of(row) for i, row in self.kept.claims(ids).items()},
            sources={i: Source(*row[:-1]) for i, row in self.kept.articles(cited).items()},
            publishers=self.publishers,
            identity=self.identity,
        )
        recorded = set(knowledge.sources)
        fold(entries, knowledge)
        rows = [projection.expected(knowledge.claims[i]) for i in ids if i in knowledge.claims]
        new = [s for key, s in knowledge.sources.items() if key not in recorded]
        self.kept.put(ids, rows, [_article_row(s) for s in new])

    def mismatch(self) -> str | None:
        """How the projection differs from the replay; None when it equals it. Every column is
        compared, the derived ones too, in the order the full fold's check compared them."""
        conn, kept = self.conn, self.kept
        if self.publishers != publishers.read_publishers(conn):
            return "the publishers differ from the log"
        if _first_difference(kept.ordered(_ARTICLES), _ordered(conn, _ARTICLES)) is not _SAME:
            return "the articles differ from the log"
        claim = _first_difference(kept.ordered(_CLAIMS), _ordered(conn, _CLAIMS))
        if claim is not _SAME:
            return f"claim {claim!r} differs from the log"
        rows, indexed = _count(conn, claims), search.count(conn)
        if indexed != rows:
            return f"the search index holds {indexed} claims of {rows}"
        return _identity_mismatch(self.identity, names.read_identity(conn))


class _InTables:
    """Rows kept in temporary tables shaped as the projection's, keyed by id."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Dropped first: a connection back from the pool must not replay onto another's rows.
        _metadata.drop_all(conn)
        _metadata.create_all(conn, checkfirst=False)

    def claims(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        return self._rows(_CLAIMS, ids)

    def articles(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        return self._rows(_ARTICLES, ids)

    def put(
        self, ids: Sequence[str], rows: list[tuple[Any, ...]], new: list[tuple[Any, ...]]
    ) -> None:
        """Replace the rows of the claims `ids` with `rows`; add the articles `new`."""
        table = _replayed[_CLAIMS]
        for chunk in _chunks(ids):
            self.conn.execute(delete(table).where(table.c.id.in_(chunk)))
        insert_rows(self.conn, table, _COLUMNS[_CLAIMS], rows)
        insert_rows(self.conn, _replayed[_ARTICLES], _COLUMNS[_ARTICLES], new)

    def ordered(self, which: str) -> Generator[tuple[Any, ...], None, None]:
        return _ordered(self.conn, which, _replayed)

    def drop(self) -> None:
        _metadata.drop_all(self.conn)

    def _rows(self, which: str, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(ids):
            for row in rows_by_keys(self.conn, _replayed[which], _COLUMNS[which], "id", chunk):
                found[row[0]] = tuple(row)
        return found


class _InMemory:
    """Rows kept in dicts: where the session is read-only (a PostgreSQL replica, or
    `default_transaction_read_only`), which refuses even a temporary table. Memory then
    follows the log, as the full fold's did."""

    def __init__(self) -> None:
        self.kept: dict[str, dict[str, tuple[Any, ...]]] = {_CLAIMS: {}, _ARTICLES: {}}

    def claims(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        return {i: self.kept[_CLAIMS][i] for i in ids if i in self.kept[_CLAIMS]}

    def articles(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        return {i: self.kept[_ARTICLES][i] for i in ids if i in self.kept[_ARTICLES]}

    def put(
        self, ids: Sequence[str], rows: list[tuple[Any, ...]], new: list[tuple[Any, ...]]
    ) -> None:
        for claim_id in ids:
            self.kept[_CLAIMS].pop(claim_id, None)
        self.kept[_CLAIMS].update((row[0], row) for row in rows)
        self.kept[_ARTICLES].update((row[0], row) for row in new)

    def ordered(self, which: str) -> Generator[tuple[Any, ...], None, None]:
        yield from (self.kept[which][key] for key in sorted(self.kept[which]))

    def drop(self) -> None:
        self.kept = {_CLAIMS: {}, _ARTICLES: {}}


def _read_only(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False  # SQLite keeps temporary tables apart, writable even beside a read-only file
    return conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"


def _identity_mismatch(folded: Identity, stored: Identity) -> str | None:
    for what in ("spellings", "attributes", "links", "distinct"):
        if getattr(folded, what) != getattr(stored, what):
            return f"the subject names ({what}) differ from the log"
    return None


def _article_row(source: Source) -> tuple[Any, ...]:
    return (*(getattr(source, name) for name in _ARTICLE), publisher_key(source.name))


def _chunks(keys: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _ID_BATCH):
        yield list(keys[start : start + _ID_BATCH])


_SAME = object()


def _first_difference(
    mine: Generator[tuple[Any, ...], None, None], theirs: Generator[tuple[Any, ...], None, None]
) -> Any:
    """The first id, in code point order, whose row differs between two streams of rows in
    id order (one missing from either counts): `_SAME` when none does."""
    with closing(mine), closing(theirs):
        a, b = next(mine, None), next(theirs, None)
        while a is not None or b is not None:
            if a != b:
                if a is None or b is None:
                    return (a or b)[0]  # type: ignore[index]
                return min(a[0], b[0], key=_order)
            a, b = next(mine, None), next(theirs, None)
    return _SAME


def _order(key: Any) -> tuple[bool, str]:
    """Ids in code point order, as `_ordered` reads them (SQLite sorts a NULL key first)."""
    return key is not None, key or ""


def _ordered(
    conn: Connection, which: str, tables: dict[str, Table] = _stored
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of `which` (the projection's table, or the replay's), id first, in id order,
    a fetch at a time."""
    table = tables[which]
    key: Any = table.c.id
    if conn.dialect.name == "postgresql":
        key = key.collate("C")  # code point order, as on SQLite and in Python
    columns = (table.c[c] for c in _COLUMNS[which])
    query: Select[Any] = select(*columns).order_by(key)
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
