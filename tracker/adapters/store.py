"""The append-only store: reads the log, appends under one lock, translates driver errors."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from tracker.adapters import projection
from tracker.adapters.bulk import insert_rows
from tracker.adapters.tables import log
from tracker.domain.errors import CorruptEntry, StoreError
from tracker.domain.events import (
    GENESIS_HASH,
    Event,
    LogEntry,
    SourceRegistered,
    canonical_json,
    chain_hash_text,
    claim_id_of,
    format_instant,
    to_payload,
)
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge, fold
from tracker.domain.model import Source
from tracker.domain.picture import OccurrenceView

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]

# Claim ids per IN (...) query when reading what the log knows of a file's claims.
_ID_BATCH = 500

# Entries per insert when restoring: the rows built for the driver follow this, not the log.
_RESTORE_BATCH = 5000

# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_PG_APPEND_LOCK = 0x7472616B


# A row of `log` as `Writer` inserts it.
_LOG_ROW = ("position", "event_id", "recorded_at", "kind", "claim_id", "payload", "hash")


@dataclass(frozen=True)
class Listing:
    """Which occurrences a picture read from the projection lists (see `Store.pictured`)."""

    as_of: date
    show_all: bool = False
    after: date | None = None  # only those whose start window begins after this day


@dataclass(frozen=True)
class Head:
    position: int
    hash: str
    recorded_at: datetime | None


def new_event_id() -> str:
    """A random (version 4) UUID as text, as `str(uuid.uuid4())` gives it.

    Formatted from the hex of 16 random bytes: `uuid.uuid4()` builds and validates a UUID
    object first, which took ~10% of an import's time at 200,000 events.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The RFC 4122 variant (binary 10xx) of the 17th hex digit, keeping its two low bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


class Store:
    """The log in one database. Every method translates driver errors into StoreError."""

    def __init__(self, engine: Engine, clock: Clock, new_id: IdFactory = new_event_id) -> None:
        self.engine = engine
        self.clock = clock
        self.new_id = new_id

    def entries(self, upto: int | None = None, after: int = 0) -> Generator[LogEntry, None, None]:
        """Log entries with after < position <= upto, in position order, streamed."""
        with translated(), self.engine.connect() as conn:
            yield from _entries(conn, upto, after)

    def head(self) -> Head:
        with translated(), self.engine.connect() as conn:
            return _head(conn)

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

    def claim_entries(self, claim_ids: Sequence[str]) -> list[LogEntry]:
        query = select(log).where(log.c.claim_id.in_(list(claim_ids))).order_by(log.c.position)
        with translated(), self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def projected(self, upto: int) -> Knowledge | None:
        """What the log knows at `upto`, read from the projection; None if it is not at `upto`.

        One snapshot: claims and sources agree.
        """
        with self._snapshot() as conn:
            return _projected(conn, upto, projection.states(conn))

    def pictured(
        self, upto: int, pictured_at: Sequence[date], subject: str | None, listing: Listing
    ) -> tuple[Knowledge, list[OccurrenceView]] | None:
        """What pictures at `pictured_at` (of `subject`) need of what the log knows at `upto`,
        read from the projection; None if it is not at `upto`.

        The knowledge holds only the active claims those pictures can use, and of the
        occurrences only the deprecated ones (a picture counts them): the occurrences a
        picture at `listing.as_of` lists come built by SQL. Sources are read whole. One
        snapshot: claims, occurrences and sources agree.
        """
        with self._snapshot() as conn:
            claims = projection.pictured(conn, pictured_at, subject)
            knowledge = _projected(conn, upto, claims)
            if knowledge is None:
                return None
            try:
                listed = projection.occurrences(
                    conn,
                    listing.as_of,
                    knowledge.sources,
                    subject,
                    listing.show_all,
                    listing.after,
                )
            except KeyError:
                raise StoreError(_UNKNOWN_SOURCE) from None
        return knowledge, listed

    @contextmanager
    def current_claims(
        self, include_retracted: bool = True
    ) -> Iterator[tuple[dict[str, Source], Iterator[Sequence[Any]]]]:
        """Every source, and every claim's state at the head of the log as a row laid out as
        `STATE_FIELDS`, in the order first asserted. One snapshot, so the two agree.

        The rows stream from the projection. When it is behind the log, they are folded from
        the log in the same snapshot instead, which holds every state in memory: that is the
        readers' fallback, as in `projected`. Only a damaged projection is behind (appends keep
        it in step), and a reader does not take the writers' lock to rebuild it.
        """
        with self._snapshot() as conn:
            sources = _sources(conn)
            if projection.position(conn) == _head(conn).position:
                # Closed here, so its cursor is closed even when the reader stops early, before
                # the connection goes back to the pool.
                rows = projection.rows(conn, include_retracted)
                with closing(rows):
                    yield sources, _with_known_sources(rows, sources)
                return
            knowledge = fold(_entries(conn, None, 0))
            states = sorted(knowledge.claims.values(), key=lambda s: s.position)
            yield (
                knowledge.sources,
                (projection.row_of(s) for s in states if include_retracted or s.active),
            )

    def projection_mismatch(self) -> str | None:
        """How the projection differs from a fold of the whole log; None when it equals it."""
        with self._snapshot() as conn:
            at, head = projection.position(conn), _head(conn).position
            if at != head:
                return f"it reflects log position {at}, the log ends at {head}"
            folded = fold(_entries(conn, None, 0)).claims
            stored = {state.claim.id: state for state in projection.states(conn)}
        if folded == stored:
            return None
        claim = min(i for i in folded.keys() | stored.keys() if folded.get(i) != stored.get(i))
        return f"claim {claim!r} differs from the log"

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction whose statements all see one state of the database."""
        with translated(), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def rebuild_projection(self) -> int:
        """Recreate the projection from the log; the position it reflects."""
        with self._locked() as conn:
            return projection.rebuild(conn, _entries(conn, None, 0))

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
                conn.execution_options(tracker_begin="BEGIN IMMEDIATE")
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_APPEND_LOCK)))
                yield conn


class Writer:
    """Appends inside a write transaction; sees the log as it is under the lock."""

    def __init__(self, conn: Connection, store: Store) -> None:
        self.conn = conn
        self.store = store
        self._head = _head(conn)
        self._sources: dict[str, Source] | None = None
        catch_up(conn)

    @property
    def position(self) -> int:
        return self._head.position

    def entries(self, upto: int | None = None, after: int = 0) -> Iterator[LogEntry]:
        return _entries(self.conn, upto, after)

    def knowledge_of(self, claim_ids: set[str]) -> Knowledge:
        """What the log knows of these claims and of every source, read through the indexes.

        Every event of each claim is included, so the fold of this subset gives each of them
        exactly the state a fold of the whole log would. Writers decide from the log, never
        from the projection: a damaged projection must not reach the log. The sources are
        read once per writer and kept up to date by its appends.
        """
        if self._sources is None:
            self._sources = _sources(self.conn)
        entries: list[LogEntry] = []
        ids = sorted(claim_ids)
        for start in range(0, len(ids), _ID_BATCH):
            batch = select(log).where(log.c.claim_id.in_(ids[start : start + _ID_BATCH]))
            entries += [_entry(row) for row in self.conn.execute(batch)]
        entries.sort(key=lambda e: e.position)
        return fold(entries, Knowledge(sources=dict(self._sources)))

    def append(self, events: Sequence[Event]) -> list[LogEntry]:
        """Append events after the head: gapless positions, one chain, never-decreasing time."""
        now = self.store.clock().astimezone(UTC)
        head = self._head
        if head.recorded_at is not None and now < head.recorded_at:
            now = head.recorded_at
        instant = format_instant(now)
        rows, appended = [], []
        previous, position = head.hash, head.position
        for event in events:
            position += 1
            payload = to_payload(event)
            text = canonical_json(payload)
            event_id = self.store.new_id()
            digest = chain_hash_text(previous, position, event_id, instant, event.kind, text)
            entry = LogEntry(position, event_id, now, event.kind, payload, digest)
            rows.append((position, event_id, now, event.kind, claim_id_of(event), text, digest))
            appended.append(entry)
            previous = digest
        if rows:
            insert_rows(self.conn, log, _LOG_ROW, rows)
            projection.apply(
                self.conn, [(e.position, event) for e, event in zip(appended, events, strict=True)]
            )
            self._head = Head(position, previous, now)
            if self._sources is not None:
                for event in events:
                    if isinstance(event, SourceRegistered):
                        self._sources[event.source.id] = event.source
        return appended

    def restore(self, entries: Sequence[LogEntry]) -> None:
        """Copy verified entries into an empty log as they are: positions, times, hashes."""
        if self._head.position:
            raise StoreError(
                f"restore needs an empty database; this one has {self._head.position} events"
            )
        for start in range(0, len(entries), _RESTORE_BATCH):
            batch = entries[start : start + _RESTORE_BATCH]
            insert_rows(self.conn, log, _LOG_ROW, [_row(e) for e in batch])
        projection.rebuild(self.conn, entries)


def _row(entry: LogEntry) -> tuple[Any, ...]:
    return (
        entry.position,
        entry.event_id,
        entry.recorded_at,
        entry.kind,
        claim_id_of(entry.event),
        canonical_json(entry.payload),
        entry.hash,
    )


def _head(conn: Connection) -> Head:
    row = conn.execute(
        select(log.c.position, log.c.hash, log.c.recorded_at)
        .order_by(log.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return Head(0, GENESIS_HASH, None)
    return Head(int(row.position), row.hash, row.recorded_at)


def catch_up(conn: Connection) -> None:
    """Rebuild the projection if it is not at the head (a database from before it existed).

    Under the append lock (SQLite: the caller's BEGIN IMMEDIATE), so no append interleaves.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_APPEND_LOCK)))  # re-entrant
    if projection.position(conn) != _head(conn).position:
        projection.rebuild(conn, _entries(conn, None, 0))


def _projected(conn: Connection, upto: int, states: Iterable[ClaimState]) -> Knowledge | None:
    """A knowledge of these states and every source, if the projection is at `upto`."""
    if projection.position(conn) != upto or _head(conn).position != upto:
        return None
    knowledge = Knowledge(position=upto, sources=_sources(conn))
    for state in states:
        knowledge.claims[state.claim.id] = state
    if {s.claim.source_id for s in knowledge.claims.values()} - knowledge.sources.keys():
        raise StoreError(_UNKNOWN_SOURCE)
    return knowledge


_UNKNOWN_SOURCE = (
    "the claims projection names a source the log does not have (a damaged database?): "
    "run `tracker verify`, then `tracker db rebuild`"
)


def _with_known_sources(
    rows: Iterator[Sequence[Any]], sources: dict[str, Source]
) -> Iterator[Sequence[Any]]:
    for row in rows:
        if row[_SOURCE_ID] not in sources:
            raise StoreError(_UNKNOWN_SOURCE)
        yield row


_SOURCE_ID = STATE_FIELDS.index("source_id")


def _source_entries(conn: Connection) -> list[LogEntry]:
    query = select(log).where(log.c.kind == SourceRegistered.kind).order_by(log.c.position)
    return [_entry(row) for row in conn.execute(query)]


def _sources(conn: Connection) -> dict[str, Source]:
    return fold(_source_entries(conn)).sources


def _entries(conn: Connection, upto: int | None, after: int) -> Iterator[LogEntry]:
    query = select(log).where(log.c.position > after).order_by(log.c.position)
    if upto is not None:
        query = query.where(log.c.position <= upto)
    result = conn.execute(query.execution_options(yield_per=2000))
    try:
        for row in result:
            yield _entry(row)
    finally:
        result.close()  # a reader that stops early must not leave a server-side cursor open


def _entry(row: Row[Any]) -> LogEntry:
    if row.recorded_at is None:
        raise CorruptEntry(int(row.position), "recorded_at is not a time")
    try:
        payload = json.loads(row.payload)
    except (ValueError, RecursionError):
        raise CorruptEntry(int(row.position), "payload is not JSON") from None
    if not isinstance(payload, dict):
        raise CorruptEntry(int(row.position), "payload is not a JSON object")
    entry = LogEntry(int(row.position), row.event_id, row.recorded_at, row.kind, payload, row.hash)
    try:
        entry.event  # noqa: B018 - decoded now (and cached), so a bad one is named here
    except (ValueError, KeyError, TypeError):
        raise CorruptEntry(entry.position, f"payload is not a {entry.kind} event") from None
    return entry


@contextmanager
def translated() -> Iterator[None]:
    """Driver errors become StoreError with one readable line."""
    try:
        yield
    except IntegrityError as error:
        raise StoreError(f"the log refused the write: {_first_line(error)}") from error
    except DBAPIError as error:
        raise StoreError(describe(error)) from error
    except SQLAlchemyError as error:
        raise StoreError(f"database error: {_first_line(error)}") from error
    except UnicodeDecodeError:
        raise StoreError(
            "the database file is corrupt (it holds bytes that are not text)"
        ) from None


def describe(error: DBAPIError) -> str:
    text = _first_line(error)
    lowered = text.lower()
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return "the database file is not a SQLite database (or is corrupt)"
    if "database disk image is malformed" in lowered:
        return "the database file is corrupt (database disk image is malformed)"
    if "unable to open database file" in lowered:
        return "cannot open the database file (missing directory or no permission)"
    if "readonly database" in lowered or "read-only" in lowered:
        return "the database is read-only: nothing was written"
    if "database is locked" in lowered:
        return (
            "the database stayed locked by another writer too long; nothing was written, try again"
        )
    if "disk is full" in lowered or "no space left" in lowered:
        return "the disk is full: nothing was written"
    if "append-only" in lowered:
        return "the log is append-only: updates and deletes are refused"
    if "connection" in lowered and ("refused" in lowered or "failed" in lowered):
        return f"cannot connect to the database: {text}"
    return f"database error: {text}"


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
