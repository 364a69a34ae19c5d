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
from typing import Any

from sqlalchemy import Connection, column, func, literal_column, select, table, text

from tracker.adapters import filtering
from tracker.adapters.tables import SEARCH_TABLE, articles, claims, publishers
from tracker.domain.filters import ClaimFilter
from tracker.domain.model import Publisher
from tracker.domain.search import WEIGHTS

# The searched fields, in the FTS5 table's column order (bm25 weights follow it).
FIELDS = ("summary", "quote", "subject", "actor", "target", "place", "source")
_PG_WEIGHT = {4.0: "A", 3.0: "B", 2.0: "C", 1.0: "D"}

_sqlite_index = table(SEARCH_TABLE, column("rowid"))
_pg_index = table(SEARCH_TABLE, column("position"), column("document"))


def index(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Index claims given as mappings with `position`, `source_id` and the text fields; the
    source text is the article's publisher's name (the `publishers` projection, brought up to
    the same events first), as views show it."""
    if not rows:
        return
    ids = sorted({row["source_id"] for row in rows})
    names = dict(
        conn.execute(
            select(articles.c.id, publishers.c.name)
            .select_from(articles.join(publishers, publishers.c.key == articles.c.publisher_key))
            .where(articles.c.id.in_(ids))
        ).all()
    )
    params = [
        {"position": row["position"], **{f: row.get(f) or "" for f in FIELDS[:-1]}}
        | {"source": names.get(row["source_id"], "")}
        for row in rows
    ]
    conn.execute(text(_INSERT[conn.dialect.name == "postgresql"]), params)


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
    parts = [f"setweight(to_tsvector('simple', :{f}), '{_PG_WEIGHT[WEIGHTS[f]]}')" for f in FIELDS]
    return " || ".join(parts)


_INSERT = (
    f"INSERT INTO {SEARCH_TABLE} (rowid, {', '.join(FIELDS)}) "
    f"VALUES (:position, {', '.join(':' + f for f in FIELDS)})",
    f"INSERT INTO {SEARCH_TABLE} (position, document) VALUES (:position, {_pg_document()})",
)
