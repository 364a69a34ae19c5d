"""The append lock that serialises writers, and the projection's catch-up under it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select

from tracker.adapters import projection
from tracker.adapters.logrows import read_entries, read_head
from tracker.adapters.reads import shortened
from tracker.domain.errors import ChainBroken

# Any constant will do: with the schema's name it names the lock that serialises appends
# on PostgreSQL. One lock per schema, as there is one log per schema: trackers in other
# schemas of the same database do not wait for each other (nor say they are waiting).
_PG_APPEND_LOCK = 0x7472616B


def _pg_lock(function: Any) -> Any:
    return select(function(_PG_APPEND_LOCK, func.hashtext(func.current_schema())))


# Seconds a writer waits for the lock before it says it is waiting.
WAIT_NOTICE_SECONDS = 2.0


def pg_append_lock(conn: Connection, on_wait: Callable[[], None] | None) -> None:
    """Take the append lock, saying so once after WAIT_NOTICE_SECONDS of waiting for it."""
    lock = _pg_lock(func.pg_try_advisory_xact_lock)
    if on_wait is None or conn.execute(lock).scalar():
        if on_wait is None:
            conn.execute(_pg_lock(func.pg_advisory_xact_lock))
        return
    deadline, told, pause = time.monotonic() + WAIT_NOTICE_SECONDS, False, 0.01
    while not conn.execute(lock).scalar():
        if not told and time.monotonic() >= deadline:
            on_wait()
            told = True
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def catch_up(conn: Connection) -> None:
    """Rebuild the projection if it is behind the head (a database from before it existed,
    or a projection row deleted); refuse one ahead of the head (events were deleted).

    Under the append lock (SQLite: the caller's BEGIN IMMEDIATE), so no append interleaves.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_pg_lock(func.pg_advisory_xact_lock))  # re-entrant
    refuse_shortened(conn, "nothing was written: run `tracker verify`")
    if projection.position(conn) != read_head(conn).position:
        projection.rebuild(conn, read_entries(conn, None, 0))


def refuse_shortened(conn: Connection, advice: str) -> None:
    """A projection ahead of the log means the newest events were deleted: appending would
    reuse their positions and rebuilding would erase the evidence, so both are refused."""
    at, head = projection.position(conn), read_head(conn).position
    if at > head:
        raise ChainBroken(f"{shortened(head, at)}; {advice}")
