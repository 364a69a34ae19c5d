"""The claim ids of a file being imported, kept by the database rather than in memory.

A temporary table on the writer's connection, inside its transaction: a rollback takes it away
with the rest, and `drop` removes it before a commit. Not in the schema's MetaData, so
migrations never see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table

from tracker.adapters.bulk import insert_rows, rows_by_keys

# Ids per IN (...) query: well under SQLite's and psycopg's limits on bound parameters.
_ID_BATCH = 500

_metadata = MetaData()
_ids = Table(
    "tracker_import_ids",
    _metadata,
    Column("claim_id", String, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("shape", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,  # one B-tree, keyed by id: the only way it is read
)


class FileIds:
    """(claim id, shape, line) of each valid row read so far; the key is indexed by id."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        _ids.create(conn)

    def add(self, seen: Sequence[tuple[str, int, int]]) -> None:
        insert_rows(self.conn, _ids, ("claim_id", "shape", "line"), seen)

    def shapes(self, claim_ids: Iterable[str]) -> dict[str, set[int]]:
        """The shapes each of these ids has on the lines added so far."""
        found: dict[str, set[int]] = {}
        for chunk in _chunks(claim_ids):
            for claim_id, shape in self._rows(("claim_id", "shape"), chunk):
                found.setdefault(claim_id, set()).add(shape)
        return found

    def lines(self, claim_ids: Iterable[str]) -> dict[str, list[int]]:
        """Every line each of these ids is on, in order."""
        found: dict[str, list[int]] = {}
        for chunk in _chunks(claim_ids):
            for claim_id, line in sorted(self._rows(("claim_id", "line"), chunk)):
                found.setdefault(claim_id, []).append(line)
        return found

    def _rows(self, columns: Sequence[str], chunk: list[str]) -> list[tuple[Any, ...]]:
        return rows_by_keys(self.conn, _ids, columns, "claim_id", chunk)

    def drop(self) -> None:
        _ids.drop(self.conn)


def _chunks(claim_ids: Iterable[str]) -> Iterable[list[str]]:
    ids = sorted(claim_ids)
    for start in range(0, len(ids), _ID_BATCH):
        yield ids[start : start + _ID_BATCH]
