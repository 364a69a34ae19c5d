"""The append-only store: reads the log, appends under one lock (its projection readers:
`reads`; its appends: `writer`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from tracker.adapters import projection
from tracker.adapters.locking import pg_append_lock, refuse_shortened
from tracker.adapters.logrows import (
    Head,
    read_claim_entries,
    read_entries,
    read_head,
    read_judgements,
    read_types,
    translated,
)
from tracker.adapters.reads import ProjectionReads
from tracker.adapters.tables import log
from tracker.adapters.writer import Writer
from tracker.domain.events import LogEntry, TypeDefined

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]


def new_event_id() -> str:
    """A random (version 4) UUID as text, as `str(uuid.uuid4())` gives it.

    Formatted from the hex of 16 random bytes: `uuid.uuid4()` builds and validates a UUID
    object first, which took ~10% of an import's time at 200,000 events.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The RFC 4122 variant (binary 10xx) of the 17th hex digit, keeping its two low bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


class Store(ProjectionReads):
    """The log in one database. Every method translates driver errors into StoreError."""

    def __init__(self, engine: Engine, clock: Clock, new_id: IdFactory = new_event_id) -> None:
        self.engine = engine
        self.clock = clock
        self.new_id = new_id
        # Told once when a writer has waited WAIT_NOTICE_SECONDS for the lock (the CLI says
        # "waiting for another writer…"), so a long wait does not look like a hang.
        self.on_wait: Callable[[], None] | None = None

    def judgement_entries(self) -> list[LogEntry]:
        """The log's judgements about names, read through the kind index (they are few)."""
        with translated(), self.engine.connect() as conn:
            return read_judgements(conn)

    def entries(self, upto: int | None = None, after: int = 0) -> Generator[LogEntry, None, None]:
        """Log entries with after < position <= upto, in position order, streamed."""
        with translated(), self.engine.connect() as conn:
            yield from read_entries(conn, upto, after)

    def head(self) -> Head:
        with translated(), self.engine.connect() as conn:
            return read_head(conn)

    def hash_at(self, position: int) -> str | None:
        """The hash the log holds at `position` (None when it has no such position)."""
        query = select(log.c.hash).where(log.c.position == position)
        with translated(), self.engine.connect() as conn:
            digest: str | None = conn.execute(query).scalar()
            return digest

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before `moment` (0 when none)."""
        query = select(func.max(log.c.position)).where(log.c.recorded_at <= moment)
        with translated(), self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def recorded_at(self, position: int) -> datetime | None:
        query = select(log.c.recorded_at).where(log.c.position == position)
        with translated(), self.engine.connect() as conn:
            moment: datetime | None = conn.execute(query).scalar()
            return moment

    def defined_types(self) -> list[TypeDefined]:
        with translated(), self.engine.connect() as conn:
            return read_types(conn)

    def claim_ids_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to `limit` claim ids the log knows that start with `prefix`, in order.

        A range on the `claim_id` index (every id from `prefix` up to `prefix` followed by
        the last code point), not LIKE, which neither SQLite's default nor a linguistic
        PostgreSQL collation serves from an index; the range is exact in byte order (SQLite,
        PostgreSQL's C collations), and the final check keeps it exact anywhere else."""
        c = log.c.claim_id
        query = (
            select(c)
            .where(c >= prefix, c < prefix + "\U0010ffff")
            .group_by(c)
            .order_by(c)
            .limit(limit)
        )
        with translated(), self.engine.connect() as conn:
            return [i for (i,) in conn.execute(query) if i.startswith(prefix)]

    def claim_entries(self, claim_ids: Sequence[str]) -> list[LogEntry]:
        with translated(), self.engine.connect() as conn:
            return read_claim_entries(conn, claim_ids)

    def rebuild_projection(self) -> int:
        """Recreate the projection from the log; the position it reflects.

        Refused when the projection is ahead of the log: rebuilding would launder the
        deletion of the newest events (the projection is then the only witness left).
        """
        with self._locked() as conn:
            refuse_shortened(
                conn,
                "rebuilding the projection would hide that: run `tracker verify`; to go on "
                "with the shorter log, `tracker export log` and `tracker restore` it into a new "
                "database",
            )
            return projection.rebuild(conn, read_entries(conn, None, 0))

    def count(self) -> int:
        with translated(), self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(log)).scalar() or 0)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One serialised write transaction: committed whole on success, rolled back on error."""
        with self._locked() as conn:
            yield Writer(conn, self)

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        with translated(), self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.execution_options(
                    tracker_begin="BEGIN IMMEDIATE", tracker_waiting=self.on_wait
                )
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    pg_append_lock(conn, self.on_wait)
                yield conn
