"""The log replayed in bounded memory, for `verify`: the fold's claim states and articles kept
in temporary tables, paged in for each batch of entries, then compared with the projection
row by row in claim id order.

A fold of the whole log held every claim and article in memory (2 GB at a million claims).
Here the fold's own rules (`fold.fold`) run on a small knowledge per batch: the states of the
claims the batch touches and the articles it cites, read back from the replay's tables, with
every publisher and the names carried along (few: outlets, subjects). The tables are on the
reader's connection, inside its snapshot; not in the schema's MetaData, so migrations never
see them.
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
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge, fold, touched
from tracker.domain.identity import Identity
from tracker.domain.model import Publisher, Source, publisher_key

# Keys per IN (...) query: well under SQLite's and psycopg's limits on bound parameters.
_ID_BATCH = 500
# Rows per fetch when the replay and the projection are read side by side.
_FETCH = 2000

# An article as `Source` lays it out, then the derived key of its publisher.
_ARTICLE = ("id", "name", "url", "title", "published", "retrieved", "reliability")
_ARTICLE_ROW = (*_ARTICLE, "publisher_key")


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
_claims = _like(claims, "tracker_replay_claims", projection.ROW)
_articles = _like(articles, "tracker_replay_articles", _ARTICLE_ROW)


@contextmanager
def replaying(conn: Connection) -> Iterator[Replay]:
    """A replay whose tables are dropped when done; on an error the caller's rollback takes
    them away (a failed PostgreSQL transaction refuses even the drop)."""
    replay = Replay(conn)
    yield replay
    _metadata.drop_all(conn)


class Replay:
    """A fold of the log fed in batches, in position order, its claims and articles in tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.publishers: dict[str, Publisher] = {}
        self.identity = Identity()
        # Dropped first: a connection back from the pool must not replay onto another's rows.
        _metadata.drop_all(conn)
        _metadata.create_all(conn, checkfirst=False)

    def feed(self, entries: Sequence[LogEntry]) -> None:
        """Apply the next entries, in position order, with the fold's rules."""
        ids, cited = touched(entries)
        knowledge = Knowledge(
            claims=self._states(ids),
            sources=self._articles(cited),
            publishers=self.publishers,
            identity=self.identity,
        )
        recorded = set(knowledge.sources)
        fold(entries, knowledge)
        for chunk in _chunks(ids):
            self.conn.execute(delete(_claims).where(_claims.c.id.in_(chunk)))
        rows = [projection.expected(knowledge.claims[i]) for i in ids if i in knowledge.claims]
        insert_rows(self.conn, _claims, projection.ROW, rows)
        new = [s for key, s in knowledge.sources.items() if key not in recorded]
        insert_rows(self.conn, _articles, _ARTICLE_ROW, [_article_row(s) for s in new])

    def mismatch(self) -> str | None:
        """How the projection differs from the replay; None when it equals it. Every column is
        compared, the derived ones too, in the order the full fold's check compared them."""
        conn = self.conn
        if self.publishers != publishers.read_publishers(conn):
            return "the publishers differ from the log"
        if _first_difference(conn, _articles, articles, _ARTICLE_ROW) is not _SAME:
            return "the articles differ from the log"
        claim = _first_difference(conn, _claims, claims, projection.ROW)
        if claim is not _SAME:
            return f"claim {claim!r} differs from the log"
        rows, indexed = _count(conn, claims), search.count(conn)
        if indexed != rows:
            return f"the search index holds {indexed} claims of {rows}"
        return _identity_mismatch(self.identity, names.read_identity(conn))

    def _states(self, ids: Sequence[str]) -> dict[str, ClaimState]:
        found: dict[str, ClaimState] = {}
        for chunk in _chunks(ids):
            for row in rows_by_keys(self.conn, _claims, STATE_FIELDS, "id", chunk):
                found[row[0]] = projection.state_of(row)
        return found

    def _articles(self, ids: Sequence[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for chunk in _chunks(ids):
            for row in rows_by_keys(self.conn, _articles, _ARTICLE, "id", chunk):
                found[row[0]] = Source(*row)
        return found


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
    conn: Connection, replayed: Table, stored: Table, columns: Sequence[str]
) -> Any:
    """The first id, in code point order, whose row differs between the two tables (one
    missing from either counts): `_SAME` when none does. Both are read in id order, side by
    side, a fetch at a time."""
    mine, theirs = _ordered(conn, replayed, columns), _ordered(conn, stored, columns)
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
    conn: Connection, table: Table, columns: Sequence[str]
) -> Generator[tuple[Any, ...], None, None]:
    key: Any = table.c.id
    if conn.dialect.name == "postgresql":
        key = key.collate("C")  # code point order, as on SQLite and in Python
    query: Select[Any] = select(*(table.c[c] for c in columns)).order_by(key)
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
