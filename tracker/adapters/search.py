"""The full-text search index: kept with the claims projection, asked by `tracker search`.

SQLite: an FTS5 table `search_index` whose rowid is the claim's position (where it was first
asserted, kept across corrections); ranked by bm25. PostgreSQL: `search_index(position,
document)`, a weighted tsvector of the 'simple' configuration (no stemming, so Arabic and
French words are found as written, case folded) under a GIN index; ranked by ts_rank. Every
claim ever asserted is indexed; a search joins `claims` and leaves retracted ones out, so a
retraction (or reinstatement) touches only `claims`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    Table,
    Text,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from tracker.adapters import filtering
from tracker.adapters.bulk import insert_rows, select_rows
from tracker.adapters.tables import SEARCH_TABLE, articles, claims, publishers
from tracker.domain.filters import ClaimFilter
from tracker.domain.model import Publisher
from tracker.domain.search import WEIGHTS

# The searched fields, in the FTS5 table's column order (bm25 weights follow it).
FIELDS = ("summary", "quote", "subject", "actor", "target", "place", "source")
_PG_WEIGHT = {4.0: "A", 3.0: "B", 2.0: "C", 1.0: "D"}

_sqlite_index = table(SEARCH_TABLE, column("rowid"))
_pg_index = table(SEARCH_TABLE, column("position"), column("document"))


def index(conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Index claims given as rows of `columns` (with `position`, `source_id` and the text
    fields); the source text is the article's publisher's name (the `publishers` projection,
    brought up to the same events first), as views show it.

    The rows go to the driver as tuples: on SQLite one `executemany`; on PostgreSQL a COPY
    into a temporary table, from which one statement builds every document.
    """
    if not rows:
        return
    source = columns.index("source_id")
    ids = sorted({row[source] for row in rows})
    names = dict(
        select_rows(  # plain text columns: the driver's rows as they are
            conn,
            select(articles.c.id, publishers.c.name)
            .select_from(articles.join(publishers, publishers.c.key == articles.c.publisher_key))
            .where(articles.c.id.in_(ids)),
        )
    )
    texts = [columns.index(f) for f in FIELDS[:-1]]
    position = columns.index("position")
    values = [
        (row[position], *[row[i] or "" for i in texts], names.get(row[source], "")) for row in rows
    ]
    if conn.dialect.name == "postgresql":
        rows_table = _pg_rows()
        rows_table.create(conn, checkfirst=True)
        insert_rows(conn, rows_table, ("position", *FIELDS), values)
        conn.exec_driver_sql(_PG_INSERT)
        conn.exec_driver_sql(f"TRUNCATE {_PG_ROWS}")
    else:
        conn.exec_driver_sql(_SQLITE_INSERT, values)


def unindex(conn: Connection, position: int) -> None:
    key = "position" if conn.dialect.name == "postgresql" else "rowid"
    conn.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE {key} = :p"), {"p": position})


def count(conn: Connection) -> int:
    """How many claims the index holds (one per claim: `verify` checks it)."""
    return int(conn.execute(text(f"SELECT count(*) FROM {SEARCH_TABLE}")).scalar() or 0)


def clear(conn: Connection) -> None:
    conn.execute(text(f"DELETE FROM {SEARCH_TABLE}"))


def find(
    conn: Connection,
    wanted: list[str],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
    limit: int,
) -> list[tuple[str, float]]:
    """The active claims having every word of `wanted` (and matching `where`), best first,
    as (claim id, score) with higher scores better; at most `limit`. `known`: every
    publisher with its grade (the filter's publisher part)."""
    c = claims.c
    if conn.dialect.name == "postgresql":
        query_text = func.plainto_tsquery("simple", " ".join(wanted))
        rank = func.ts_rank(_pg_index.c.document, query_text)
        query = select(c.id, rank.label("score")).select_from(
            claims.join(_pg_index, _pg_index.c.position == c.position)
        )
        query = query.where(_pg_index.c.document.op("@@")(query_text))
        order: Any = rank.desc()
    else:
        bm25 = func.bm25(literal_column(SEARCH_TABLE), *(WEIGHTS[f] for f in FIELDS))
        query = select(c.id, (-bm25).label("score")).select_from(
            claims.join(_sqlite_index, _sqlite_index.c.rowid == c.position)
        )
        phrase = " ".join('"' + w.replace('"', '""') + '"' for w in wanted)
        query = query.where(literal_column(SEARCH_TABLE).op("MATCH")(phrase))
        order = bm25
    query = query.where(c.retracted.is_(False))
    query = filtering.where(conn, query, where, known)
    rows = conn.execute(query.order_by(order, c.position.desc()).limit(limit)).all()
    return [(row[0], float(row[1])) for row in rows]


def _pg_document() -> str:
    parts = [f"setweight(to_tsvector('simple', {f}), '{_PG_WEIGHT[WEIGHTS[f]]}')" for f in FIELDS]
    return " || ".join(parts)


_SQLITE_INSERT = (
    f"INSERT INTO {SEARCH_TABLE} (rowid, {', '.join(FIELDS)}) "
    f"VALUES (?, {', '.join('?' for _ in FIELDS)})"
)
_PG_ROWS = "tracker_search_rows"
_PG_INSERT = (
    f"INSERT INTO {SEARCH_TABLE} (position, document) "
    f"SELECT position, {_pg_document()} FROM {_PG_ROWS}"
)


@cache
def _pg_rows() -> Table:
    """PostgreSQL: the texts of a batch, copied in, then made documents by one statement. A
    temporary table of the writer's transaction (gone with it), not in the schema's metadata.
    Made on first use: its dialect keyword imports the PostgreSQL dialect's package."""
    return Table(
        _PG_ROWS,
        MetaData(),
        Column("position", BigInteger),
        *(Column(f, Text) for f in FIELDS),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
