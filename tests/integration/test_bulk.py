"""Bulk inserts (`insert_rows`: executemany on SQLite, COPY on PostgreSQL) store exactly what
SQLAlchemy's own insert stores, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, Table, select

from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import claims, log
from tracker.db import open_store

# Text a COPY stream has to escape, and text that looks like its markers.
AWKWARD = [
    "plain",
    "",
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\.",
    "quote ' and \" both",
    "«Wagner» ✓ 😀",
    "comma, semicolon; pipe |",
]
PARIS = timezone(timedelta(hours=2))


@pytest.fixture
def conn(db_url: str) -> Iterator[Connection]:
    store = open_store(db_url, lambda: datetime.now(UTC))
    with store.engine.connect() as connection, connection.begin() as transaction:
        yield connection
        transaction.rollback()
    store.engine.dispose()


def claim_row(key: str, n: int) -> dict[str, Any]:
    text = AWKWARD[n % len(AWKWARD)]
    return {
        "id": f"{key}:{n}",
        "position": n,
        "retracted": n % 2 == 0,
        "rank": "normal",
        "subject_key": text.casefold(),
        "first_day": 738000 + n,
        "last_day": 738031 + n,
        "end_day": None if n % 3 else 739000,
        "type": "military.force_level",
        "date": "2024-05~",
        "subject": text,
        "summary": f"{text} {n}",
        "source_id": "src:x",
        "attribute": None if n % 2 else text,
        "value": None if n % 2 else "1800",
        "unit": None,
        "actor": text or None,
        "target": None,
        "place": None,
        "quote": text,
        "originator": None,
        "credibility": "6",
    }


def log_row(key: str, n: int) -> dict[str, Any]:
    moment = datetime(2025, 3, 1, 14, 0, n, 123456, tzinfo=PARIS)
    return {
        "position": n + (0 if key == "bulk" else 1000),
        "event_id": f"{key}-{n}",
        "recorded_at": moment,
        "kind": "claim.asserted",
        "claim_id": None if n % 4 == 0 else f"c:{n}",
        "payload": '{"text":' + f'"{AWKWARD[n % len(AWKWARD)]!r}"' + "}",
        "hash": f"{n:064x}",
    }


def stored(conn: Connection, table: Table, key_column: str, prefix: str) -> list[dict[str, Any]]:
    """The rows read back, without what differs between the two writes (ids, positions)."""
    query = select(table).where(table.c[key_column].startswith(prefix))
    rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row.pop("id", None)
        row.pop("event_id", None)
        row["position"] %= 1000
    return sorted(rows, key=lambda row: row["position"])


@pytest.mark.parametrize(
    ("table", "make", "key_column"),
    [(claims, claim_row, "id"), (log, log_row, "event_id")],
    ids=["claims", "log"],
)
def test_bulk_inserts_read_back_as_sqlalchemy_inserts_do(
    conn: Connection, table: Table, make: Any, key_column: str
) -> None:
    count = 2 * len(AWKWARD)
    plain = [make("plain", n) for n in range(1, count + 1)]
    bulk = [make("bulk", n) for n in range(1, count + 1)]
    conn.execute(table.insert(), plain)
    columns = list(bulk[0])
    insert_rows(conn, table, columns, [tuple(row[c] for c in columns) for row in bulk])

    written = stored(conn, table, key_column, "bulk")
    assert len(written) == count
    assert written == stored(conn, table, key_column, "plain")


def test_bulk_insert_refuses_a_naive_time_like_a_plain_insert(conn: Connection) -> None:
    row = log_row("bulk", 1) | {"recorded_at": datetime(2025, 3, 1, 12, 0)}
    columns = list(row)
    with pytest.raises(ValueError, match="naive datetime"):
        insert_rows(conn, log, columns, [tuple(row.values())])


def test_rows_by_keys_finds_the_rows_of_the_keys_present(conn: Connection) -> None:
    rows = [claim_row("k", n) for n in range(1, 8)]
    conn.execute(claims.insert(), rows)
    wanted = ["k:2", "k:5", "k:404", "k:7"]
    found = rows_by_keys(conn, claims, ["id", "subject", "end_day"], "id", wanted)
    expected = [(r["id"], r["subject"], r["end_day"]) for r in rows if r["id"] in wanted]
    assert sorted(found) == sorted(expected)
    assert rows_by_keys(conn, claims, ["id"], "id", []) == []
